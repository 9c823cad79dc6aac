package io.assay.sdk.curation;

import io.assay.sdk.tensor.RgbImage;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Decoding web images without trusting them: the dimensions are read from the header first, so a decompression
 * bomb (a few kilobytes declaring a gigapixel) is refused before any pixel buffer is allocated; any decoding
 * failure becomes an {@link UnreadableImageException} with the reason, never an {@link Error} or a crash.
 */
public final class Images {

    /** The default pixel budget: 40 megapixels (a 6300×6300 image). */
    public static final long DEFAULT_MAX_PIXELS = 40_000_000L;

    private Images() {
    }

    /** An image that cannot be read; the message says why in a few words. */
    public static final class UnreadableImageException extends Exception {
        private static final long serialVersionUID = 1L;

        /** Creates the exception. */
        public UnreadableImageException(String message) {
            super(message);
        }
    }

    /**
     * Width, height and format name from the header alone.
     *
     * @throws UnreadableImageException if no decoder recognises the bytes or the header is broken
     */
    public static Header header(byte[] bytes) throws UnreadableImageException {
        if (bytes == null || bytes.length == 0) {
            throw new UnreadableImageException("no image bytes");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new UnreadableImageException("not an image format this reader knows (" + sniff(bytes) + ")");
            }
            ImageReader r = readers.next();
            try {
                r.setInput(in, true, true);
                return new Header(r.getWidth(0), r.getHeight(0), r.getFormatName().toLowerCase(java.util.Locale.ROOT));
            } finally {
                r.dispose();
            }
        } catch (IOException | RuntimeException e) {
            throw new UnreadableImageException("broken image header: " + e.getMessage());
        }
    }

    /**
     * Decodes to RGB (alpha composited over white), refusing images over {@code maxPixels}.
     *
     * @throws UnreadableImageException if the image is broken, unsupported or too large
     */
    public static RgbImage decode(byte[] bytes, long maxPixels) throws UnreadableImageException {
        Header h = header(bytes);
        if (h.width() <= 0 || h.height() <= 0) {
            throw new UnreadableImageException("image declares " + h.width() + "x" + h.height() + " pixels");
        }
        if ((long) h.width() * h.height() > maxPixels) {
            throw new UnreadableImageException("image declares " + h.width() + "x" + h.height() + " pixels, over the "
                    + maxPixels + "-pixel limit (a decompression bomb?)");
        }
        BufferedImage bi;
        try {
            bi = ImageIO.read(new ByteArrayInputStream(bytes));
        } catch (IOException | RuntimeException e) {
            throw new UnreadableImageException("broken image data: " + e.getMessage());
        } catch (OutOfMemoryError e) {
            throw new UnreadableImageException("image too large to decode");
        }
        if (bi == null) {
            throw new UnreadableImageException("no decoder for this image");
        }
        int w = bi.getWidth();
        int hh = bi.getHeight();
        byte[] rgb = new byte[w * hh * 3];
        boolean alpha = bi.getColorModel().hasAlpha();
        for (int y = 0; y < hh; y++) {
            for (int x = 0; x < w; x++) {
                int argb = bi.getRGB(x, y);
                int a = alpha ? argb >>> 24 : 255;
                for (int c = 0; c < 3; c++) {
                    int v = (argb >> (16 - 8 * c)) & 0xff;
                    rgb[(y * w + x) * 3 + c] = (byte) ((v * a + 255 * (255 - a) + 127) / 255);
                }
            }
        }
        return new RgbImage(w, hh, rgb);
    }

    /** The image's header facts. */
    public record Header(int width, int height, String format) {
    }

    private static String sniff(byte[] b) {
        StringBuilder s = new StringBuilder("starts with");
        for (int i = 0; i < Math.min(4, b.length); i++) {
            s.append(String.format(" %02x", b[i] & 0xff));
        }
        return s.toString();
    }
}
