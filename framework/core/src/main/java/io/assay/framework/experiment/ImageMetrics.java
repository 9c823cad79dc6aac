package io.assay.framework.experiment;

import io.assay.sdk.tensor.RgbImage;

/** Pixel distances between two images of the same size. */
public final class ImageMetrics {

    private ImageMetrics() {
    }

    /** Mean absolute difference over all channels, in [0, 1]. */
    public static double mae(RgbImage a, RgbImage b) {
        requireSameSize(a, b);
        long s = 0;
        for (int i = 0; i < a.rgb().length; i++) {
            s += Math.abs((a.rgb()[i] & 0xff) - (b.rgb()[i] & 0xff));
        }
        return s / (255.0 * a.rgb().length);
    }

    /**
     * Structural similarity as scikit-image's {@code structural_similarity} computes it with its defaults (7×7
     * uniform window, K1 = 0.01, K2 = 0.03, sample covariance, data range 255), averaged over the RGB channels; 1 for
     * identical images ({@link io.assay.framework.inspect.ImageQuality#ssim}).
     */
    public static double ssim(RgbImage a, RgbImage b) {
        requireSameSize(a, b);
        return io.assay.framework.inspect.ImageQuality.ssim(a, b);
    }

    private static void requireSameSize(RgbImage a, RgbImage b) {
        if (a.width() != b.width() || a.height() != b.height()) {
            throw new IllegalArgumentException("images differ in size: " + a.width() + "x" + a.height() + " and "
                    + b.width() + "x" + b.height());
        }
    }
}
