package io.assay.framework.trace;

import io.assay.framework.world.Linalg;
import io.assay.sdk.tensor.RgbImage;
import io.assay.sdk.tensor.Tensor;

/**
 * A cheap picture of latents: an affine map from the latent channels to RGB at latent resolution, fitted by least
 * squares on this run's own final latents and its decoded image (average-pooled to the latent grid). No constants
 * are assumed about the autoencoder, so the preview works for any model whose decoder is roughly local.
 */
public final class LatentPreview {

    private final double[][] map; // [channels + 1][3]
    private final int channels;

    private LatentPreview(double[][] map, int channels) {
        this.map = map;
        this.channels = channels;
    }

    /**
     * Fits the map on image {@code b} of a batch.
     *
     * @param latents [B, C, h, w]
     * @param decoded [B, 3, H, W] in [-1, 1], H = f·h
     */
    public static LatentPreview fit(Tensor latents, Tensor decoded, int b) {
        int c = (int) latents.dim(1);
        int h = (int) latents.dim(2);
        int w = (int) latents.dim(3);
        int fh = (int) decoded.dim(2) / h;
        int fw = (int) decoded.dim(3) / w;
        int n = h * w;
        double[][] xtx = new double[c + 1][c + 1];
        double[][] xty = new double[c + 1][3];
        float[] l = latents.data();
        float[] d = decoded.data();
        int lBase = b * c * n;
        int dPlane = (int) (decoded.dim(2) * decoded.dim(3));
        int dBase = b * 3 * dPlane;
        double[] x = new double[c + 1];
        for (int y = 0; y < h; y++) {
            for (int xx = 0; xx < w; xx++) {
                for (int k = 0; k < c; k++) {
                    x[k] = l[lBase + k * n + y * w + xx];
                }
                x[c] = 1;
                double[] rgb = new double[3];
                for (int ch = 0; ch < 3; ch++) {
                    double s = 0;
                    for (int dy = 0; dy < fh; dy++) {
                        for (int dx = 0; dx < fw; dx++) {
                            s += d[dBase + ch * dPlane + (y * fh + dy) * (int) decoded.dim(3) + xx * fw + dx];
                        }
                    }
                    rgb[ch] = s / (fh * fw);
                }
                for (int i = 0; i <= c; i++) {
                    for (int j = 0; j <= c; j++) {
                        xtx[i][j] += x[i] * x[j];
                    }
                    for (int ch = 0; ch < 3; ch++) {
                        xty[i][ch] += x[i] * rgb[ch];
                    }
                }
            }
        }
        for (int i = 0; i <= c; i++) {
            xtx[i][i] += 1e-3; // ridge: a flat image must not make the system singular
        }
        return new LatentPreview(Linalg.solveSpd(xtx, xty), c);
    }

    /** Image {@code b} of {@code latents} as RGB at latent resolution. */
    public RgbImage render(Tensor latents, int b) {
        int h = (int) latents.dim(2);
        int w = (int) latents.dim(3);
        int n = h * w;
        byte[] rgb = new byte[n * 3];
        float[] l = latents.data();
        int base = b * channels * n;
        for (int p = 0; p < n; p++) {
            for (int ch = 0; ch < 3; ch++) {
                double v = map[channels][ch];
                for (int k = 0; k < channels; k++) {
                    v += l[base + k * n + p] * map[k][ch];
                }
                long q = Math.round((v + 1) * 127.5);
                rgb[p * 3 + ch] = (byte) Math.max(0, Math.min(255, q));
            }
        }
        return new RgbImage(w, h, rgb);
    }
}
