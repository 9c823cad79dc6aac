package io.assay.lib.websources;

import java.util.Locale;
import java.util.Set;

/**
 * File extensions for image bytes. The extension is derived from the bytes, not from the URL or the server's
 * Content-Type, because both lie often enough (".jpg" URLs serving WebP) to break loaders that dispatch on extension.
 */
final class ImageFormats {

    /** Extensions a webdataset reader takes as the sample's image ({@code bin}: bytes of an unrecognized format). */
    static final Set<String> IMAGE_EXTENSIONS = Set.of("jpg", "jpeg", "png", "webp", "gif", "bin");

    private ImageFormats() {
    }

    /** {@code png}, {@code jpg}, {@code gif}, {@code webp}, or {@code bin} when the magic number is not recognized. */
    static String extension(byte[] b) {
        if (startsWith(b, 0, 0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a)) {
            return "png";
        }
        if (startsWith(b, 0, 0xff, 0xd8, 0xff)) {
            return "jpg";
        }
        if (startsWith(b, 0, 'G', 'I', 'F', '8')) {
            return "gif";
        }
        if (startsWith(b, 0, 'R', 'I', 'F', 'F') && startsWith(b, 8, 'W', 'E', 'B', 'P')) {
            return "webp";
        }
        return "bin";
    }

    static boolean isImageExtension(String ext) {
        return IMAGE_EXTENSIONS.contains(ext.toLowerCase(Locale.ROOT));
    }

    private static boolean startsWith(byte[] b, int at, int... magic) {
        if (b == null || b.length < at + magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((b[at + i] & 0xff) != magic[i]) {
                return false;
            }
        }
        return true;
    }
}
