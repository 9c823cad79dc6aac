package io.assay.sdk.tensor;

import static java.util.Objects.requireNonNull;

/**
 * An 8-bit RGB picture, row-major, interleaved {@code R, G, B} bytes (unsigned).
 *
 * @param width pixels per row, positive
 * @param height rows, positive
 * @param rgb {@code width * height * 3} bytes; not copied, must not be modified after construction
 */
public record RgbImage(int width, int height, byte[] rgb) {

    /** Validates the sizes. */
    public RgbImage {
        requireNonNull(rgb, "rgb is null");
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive: " + width + "x" + height);
        }
        if ((long) width * height * 3 != rgb.length) {
            throw new IllegalArgumentException("a " + width + "x" + height + " RGB image needs "
                    + (long) width * height * 3 + " bytes, got " + rgb.length);
        }
    }

    /** Channel {@code c} (0 = red) of pixel {@code (x, y)} as 0–255. */
    public int get(int x, int y, int c) {
        return rgb[(y * width + x) * 3 + c] & 0xff;
    }

    /**
     * Converts to a {@code [1, 3, H, W]} tensor in [-1, 1], the input convention of SD's VAE encoder, with the float32
     * arithmetic of diffusers' {@code VaeImageProcessor.preprocess}: {@code 2 · (v / 255) − 1}.
     */
    public Tensor toTensor() {
        int plane = width * height;
        float[] d = new float[3 * plane];
        for (int i = 0; i < plane; i++) {
            for (int c = 0; c < 3; c++) {
                d[c * plane + i] = 2f * ((rgb[i * 3 + c] & 0xff) / 255f) - 1f;
            }
        }
        return new Tensor(new long[] {1, 3, height, width}, d);
    }

    /**
     * Converts batch item {@code b} of a {@code [B, 3, H, W]} tensor in nominal [-1, 1] to 8-bit, as diffusers'
     * {@code VaeImageProcessor.postprocess} does: {@code round_half_even(clamp(x / 2 + 0.5, 0, 1) * 255)}.
     */
    public static RgbImage fromTensor(Tensor t, int b) {
        if (t.rank() != 4 || t.dim(1) != 3) {
            throw new IllegalArgumentException("expected an image tensor [B, 3, H, W] but got " + t.shapeString());
        }
        int h = t.intDim(2);
        int w = t.intDim(3);
        int plane = w * h;
        float[] d = t.data();
        int base = b * 3 * plane;
        byte[] out = new byte[3 * plane];
        for (int i = 0; i < plane; i++) {
            for (int c = 0; c < 3; c++) {
                float v = d[base + c * plane + i] / 2f + 0.5f;
                v = Math.min(1f, Math.max(0f, v)) * 255f;
                out[i * 3 + c] = (byte) (int) Math.rint(v);
            }
        }
        return new RgbImage(w, h, out);
    }
}
