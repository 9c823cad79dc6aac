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
     * Structural similarity (Wang et al. 2004) of the luminance, averaged over 8×8 windows with stride 4 (uniform
     * weights), constants C1 = (0.01·255)², C2 = (0.03·255)². 1 for identical images.
     */
    public static double ssim(RgbImage a, RgbImage b) {
        requireSameSize(a, b);
        int w = a.width();
        int h = a.height();
        double[] la = luma(a);
        double[] lb = luma(b);
        int win = Math.min(8, Math.min(w, h));
        int stride = Math.max(1, win / 2);
        double c1 = Math.pow(0.01 * 255, 2);
        double c2 = Math.pow(0.03 * 255, 2);
        double total = 0;
        int count = 0;
        for (int y = 0; y + win <= h; y += stride) {
            for (int x = 0; x + win <= w; x += stride) {
                double ma = 0;
                double mb = 0;
                for (int dy = 0; dy < win; dy++) {
                    for (int dx = 0; dx < win; dx++) {
                        ma += la[(y + dy) * w + x + dx];
                        mb += lb[(y + dy) * w + x + dx];
                    }
                }
                int n = win * win;
                ma /= n;
                mb /= n;
                double va = 0;
                double vb = 0;
                double cov = 0;
                for (int dy = 0; dy < win; dy++) {
                    for (int dx = 0; dx < win; dx++) {
                        double da = la[(y + dy) * w + x + dx] - ma;
                        double db = lb[(y + dy) * w + x + dx] - mb;
                        va += da * da;
                        vb += db * db;
                        cov += da * db;
                    }
                }
                va /= n - 1;
                vb /= n - 1;
                cov /= n - 1;
                total += (2 * ma * mb + c1) * (2 * cov + c2) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
                count++;
            }
        }
        return total / count;
    }

    private static double[] luma(RgbImage img) {
        double[] out = new double[img.width() * img.height()];
        byte[] p = img.rgb();
        for (int i = 0; i < out.length; i++) {
            out[i] = 0.299 * (p[i * 3] & 0xff) + 0.587 * (p[i * 3 + 1] & 0xff) + 0.114 * (p[i * 3 + 2] & 0xff);
        }
        return out;
    }

    private static void requireSameSize(RgbImage a, RgbImage b) {
        if (a.width() != b.width() || a.height() != b.height()) {
            throw new IllegalArgumentException("images differ in size: " + a.width() + "x" + a.height() + " and "
                    + b.width() + "x" + b.height());
        }
    }
}
