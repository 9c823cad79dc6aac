package io.assay.lib.websources;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Size-capped reads. Everything a source holds in memory at once (one page, one image, one JSON document) is capped,
 * which is what makes "bounded memory whatever the input" true even for hostile input: a crawl can contain a 2 GB
 * "image", and a tar header can claim any size.
 */
final class Bytes {

    /** HTML beyond this is ignored (the images of a page are nearly always in its first megabytes). */
    static final int MAX_PAGE_BYTES = 16 << 20;
    /** Larger images are not loaded: no training pipeline wants them, and they would dominate the heap. */
    static final int MAX_IMAGE_BYTES = 64 << 20;
    /** WAT envelopes and sample JSON beyond this are refused. */
    static final int MAX_JSON_BYTES = 64 << 20;
    /** Captions beyond this are refused. */
    static final int MAX_TEXT_BYTES = 1 << 20;

    private Bytes() {
    }

    /** Thrown when an input is larger than the cap for its kind. */
    static final class TooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        TooLargeException(String what, long limit) {
            super(what + " larger than " + (limit >> 20) + " MiB");
        }
    }

    /** Reads the whole stream, refusing more than {@code limit} bytes. */
    static byte[] readAll(InputStream in, int limit, String what) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(limit, 8192));
        byte[] buf = new byte[8192];
        long total = 0;
        int n;
        while ((n = in.read(buf)) >= 0) {
            total += n;
            if (total > limit) {
                throw new TooLargeException(what, limit);
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    /** Reads at most {@code limit} bytes and silently ignores the rest. */
    static byte[] readPrefix(InputStream in, int limit) throws IOException {
        return in.readNBytes(limit);
    }
}
