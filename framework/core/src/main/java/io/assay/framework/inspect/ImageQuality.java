package io.assay.framework.inspect;

import io.assay.sdk.tensor.RgbImage;

/**
 * Full-reference image quality on 8-bit RGB images: PSNR and SSIM as scikit-image computes them
 * ({@code peak_signal_noise_ratio} and {@code structural_similarity} with their defaults and {@code data_range=255},
 * {@code channel_axis=-1}): a 7×7 uniform window, K1 = 0.01, K2 = 0.03, the sample covariance (N/(N−1)), the SSIM map
 * averaged over the pixels whose window lies inside the image, then over the channels.
 */
public final class ImageQuality {

    /** scikit-image's default window side. */
    public static final int WINDOW = 7;
    private static final double K1 = 0.01;
    private static final double K2 = 0.03;
    private static final double RANGE = 255.0;

    private ImageQuality() {
    }

    /** PSNR in dB over all channels ({@code +∞} for identical images). */
    public static double psnr(RgbImage a, RgbImage b) {
        requireSameSize(a, b);
        return psnrOfMse(mse(a, b, -1));
    }

    /** PSNR in dB of one channel (0 = red). */
    public static double psnr(RgbImage a, RgbImage b, int channel) {
        requireSameSize(a, b);
        return psnrOfMse(mse(a, b, channel));
    }

    private static double psnrOfMse(double mse) {
        return mse == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(RANGE * RANGE / mse);
    }

    private static double mse(RgbImage a, RgbImage b, int channel) {
        byte[] x = a.rgb();
        byte[] y = b.rgb();
        double s = 0;
        long n = 0;
        for (int i = 0; i < x.length; i++) {
            if (channel < 0 || i % 3 == channel) {
                double d = (x[i] & 0xff) - (y[i] & 0xff);
                s += d * d;
                n++;
            }
        }
        return s / n;
    }

    /** Mean SSIM over the three channels. */
    public static double ssim(RgbImage a, RgbImage b) {
        requireSameSize(a, b);
        if (a.width() < WINDOW || a.height() < WINDOW) {
            throw new IllegalArgumentException("SSIM needs images of at least " + WINDOW + "×" + WINDOW
                    + " pixels but they are " + a.width() + "×" + a.height());
        }
        double s = 0;
        for (int c = 0; c < 3; c++) {
            s += ssim(channel(a, c), channel(b, c), a.width(), a.height());
        }
        return s / 3;
    }

    /**
     * Mean SSIM of one channel given as row-major values in [0, 255].
     *
     * @param x the reference
     * @param y the distorted image
     */
    public static double ssim(double[] x, double[] y, int w, int h) {
        int pad = (WINDOW - 1) / 2;
        double np = WINDOW * WINDOW;
        double covNorm = np / (np - 1);
        double c1 = (K1 * RANGE) * (K1 * RANGE);
        double c2 = (K2 * RANGE) * (K2 * RANGE);
        double[] xx = new double[x.length];
        double[] yy = new double[x.length];
        double[] xy = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            xx[i] = x[i] * x[i];
            yy[i] = y[i] * y[i];
            xy[i] = x[i] * y[i];
        }
        double[] sx = integral(x, w, h);
        double[] sy = integral(y, w, h);
        double[] sxx = integral(xx, w, h);
        double[] syy = integral(yy, w, h);
        double[] sxy = integral(xy, w, h);
        double total = 0;
        int count = 0;
        for (int r = pad; r < h - pad; r++) {
            for (int c = pad; c < w - pad; c++) {
                double ux = box(sx, w, r, c, pad) / np;
                double uy = box(sy, w, r, c, pad) / np;
                double uxx = box(sxx, w, r, c, pad) / np;
                double uyy = box(syy, w, r, c, pad) / np;
                double uxy = box(sxy, w, r, c, pad) / np;
                double vx = covNorm * (uxx - ux * ux);
                double vy = covNorm * (uyy - uy * uy);
                double vxy = covNorm * (uxy - ux * uy);
                double a1 = 2 * ux * uy + c1;
                double a2 = 2 * vxy + c2;
                double b1 = ux * ux + uy * uy + c1;
                double b2 = vx + vy + c2;
                total += a1 * a2 / (b1 * b2);
                count++;
            }
        }
        return total / count;
    }

    /** One channel as doubles, row-major. */
    static double[] channel(RgbImage img, int c) {
        double[] out = new double[img.width() * img.height()];
        byte[] rgb = img.rgb();
        for (int i = 0; i < out.length; i++) {
            out[i] = rgb[i * 3 + c] & 0xff;
        }
        return out;
    }

    /** Summed-area table with a zero first row and column: {@code [(h+1)·(w+1)]}. */
    private static double[] integral(double[] v, int w, int h) {
        double[] s = new double[(h + 1) * (w + 1)];
        for (int r = 0; r < h; r++) {
            double row = 0;
            for (int c = 0; c < w; c++) {
                row += v[r * w + c];
                s[(r + 1) * (w + 1) + c + 1] = s[r * (w + 1) + c + 1] + row;
            }
        }
        return s;
    }

    /** Sum of the (2·pad+1)² window centred on (r, c). */
    private static double box(double[] s, int w, int r, int c, int pad) {
        int stride = w + 1;
        int r0 = r - pad;
        int r1 = r + pad + 1;
        int c0 = c - pad;
        int c1 = c + pad + 1;
        return s[r1 * stride + c1] - s[r0 * stride + c1] - s[r1 * stride + c0] + s[r0 * stride + c0];
    }

    private static void requireSameSize(RgbImage a, RgbImage b) {
        if (a.width() != b.width() || a.height() != b.height()) {
            throw new IllegalArgumentException("images differ in size: " + a.width() + "×" + a.height() + " and "
                    + b.width() + "×" + b.height());
        }
    }
}
