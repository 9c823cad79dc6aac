package io.assay.framework.world;

import io.assay.sdk.tensor.RgbImage;
import java.util.Arrays;

/**
 * What the world compiler reads off one training picture, from its pixels alone (so a curated dataset, which has no
 * ground truth, is read the same way as the procedural web): the background is the median colour of the border, the
 * foreground every pixel clearly different from it (squared RGB distance above 60²); per latent cell the share of
 * foreground pixels; the foreground's mean colour; and how much of its bounding box the foreground fills (≈1 for a
 * square, ≈0.79 for a circle, ≈0.5 for a triangle), a shape descriptor that needs no labels.
 *
 * @param cellForeground per latent cell (row-major, grid × grid) the share of foreground pixels, in [0, 1]
 * @param background the background colour, RGB 0–255
 * @param foreground the foreground's mean colour, RGB 0–255 (the background colour when nothing stands out)
 * @param fill the foreground's share of its bounding box (0 when nothing stands out)
 */
record Regions(float[] cellForeground, double[] background, double[] foreground, double fill) {

    /** Squared RGB distance from the background above which a pixel is foreground. */
    static final double THRESHOLD = 60 * 60;

    /** Reads {@code img} (sides multiples of {@code factor}). */
    static Regions of(RgbImage img, int factor) {
        int w = img.width();
        int h = img.height();
        double[] bg = borderMedian(img);
        boolean[] fg = foregroundPixels(img, bg);
        double[] sum = new double[3];
        int count = 0;
        int minX = w;
        int minY = h;
        int maxX = -1;
        int maxY = -1;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (fg[y * w + x]) {
                    for (int c = 0; c < 3; c++) {
                        sum[c] += img.get(x, y, c);
                    }
                    count++;
                    minX = Math.min(minX, x);
                    maxX = Math.max(maxX, x);
                    minY = Math.min(minY, y);
                    maxY = Math.max(maxY, y);
                }
            }
        }
        int gw = w / factor;
        int gh = h / factor;
        float[] cells = new float[gw * gh];
        for (int gy = 0; gy < gh; gy++) {
            for (int gx = 0; gx < gw; gx++) {
                int n = 0;
                for (int y = gy * factor; y < (gy + 1) * factor; y++) {
                    for (int x = gx * factor; x < (gx + 1) * factor; x++) {
                        n += fg[y * w + x] ? 1 : 0;
                    }
                }
                cells[gy * gw + gx] = n / (float) (factor * factor);
            }
        }
        double[] fgColour = count == 0 ? bg.clone() : new double[] {sum[0] / count, sum[1] / count, sum[2] / count};
        double fill = count == 0 ? 0 : count / (double) ((maxX - minX + 1) * (maxY - minY + 1));
        return new Regions(cells, bg, fgColour, fill);
    }

    /** The foreground pixels of {@code img} (row-major): clearly different from its border's median colour. */
    static boolean[] foregroundPixels(RgbImage img) {
        return foregroundPixels(img, borderMedian(img));
    }

    private static boolean[] foregroundPixels(RgbImage img, double[] bg) {
        int w = img.width();
        int h = img.height();
        boolean[] fg = new boolean[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double d = 0;
                for (int c = 0; c < 3; c++) {
                    double e = img.get(x, y, c) - bg[c];
                    d += e * e;
                }
                fg[y * w + x] = d > THRESHOLD;
            }
        }
        return fg;
    }

    private static double[] borderMedian(RgbImage img) {
        int w = img.width();
        int h = img.height();
        int n = 2 * w + 2 * (h - 2);
        double[] out = new double[3];
        int[] v = new int[n];
        for (int c = 0; c < 3; c++) {
            int k = 0;
            for (int x = 0; x < w; x++) {
                v[k++] = img.get(x, 0, c);
                v[k++] = img.get(x, h - 1, c);
            }
            for (int y = 1; y < h - 1; y++) {
                v[k++] = img.get(0, y, c);
                v[k++] = img.get(w - 1, y, c);
            }
            Arrays.sort(v);
            out[c] = v[n / 2];
        }
        return out;
    }

    /**
     * Soft membership of an RGB colour (0–255) in the palette of named colours: softmax of −‖c − p‖² / τ in [−1, 1]
     * units, the same non-linearity as the image encoder's palette layer. Colour names are categories, not points on
     * a line: orange is as different from red as from blue, which squared RGB distance would not say.
     */
    static double[] palette(double[] rgb) {
        int k = WorldCompiler.PALETTE_SIZE;
        double[] d = new double[k];
        double min = Double.POSITIVE_INFINITY;
        for (int i = 0; i < k; i++) {
            double s = 0;
            for (int c = 0; c < 3; c++) {
                double e = rgb[c] / 127.5 - ProceduralWeb.RGB[i][c] / 127.5;
                s += e * e;
            }
            d[i] = s;
            min = Math.min(min, s);
        }
        double z = 0;
        for (int i = 0; i < k; i++) {
            d[i] = Math.exp(-(d[i] - min) / WorldCompiler.PALETTE_TEMPERATURE);
            z += d[i];
        }
        for (int i = 0; i < k; i++) {
            d[i] /= z;
        }
        return d;
    }
}
