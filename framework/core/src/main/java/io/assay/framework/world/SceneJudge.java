package io.assay.framework.world;

import io.assay.sdk.tensor.RgbImage;
import java.util.Arrays;

/**
 * Reads a picture of the procedural world back into (foreground colour, background colour) by pixel statistics: the
 * background is the median colour of the border, the foreground the mean of the pixels clearly different from it,
 * each mapped to the nearest named colour.
 */
public final class SceneJudge {

    /**
     * What the picture shows.
     *
     * @param foreground the colour name, or null if no pixel stands out from the background
     * @param background the colour name
     * @param foregroundShare the share of pixels counted as foreground
     */
    public record Verdict(String foreground, String background, double foregroundShare) {
    }

    private SceneJudge() {
    }

    /** Judges an image. */
    public static Verdict judge(RgbImage img) {
        int w = img.width();
        int h = img.height();
        int border = w * 2 + h * 2 - 4;
        int[][] ch = new int[3][border];
        int k = 0;
        for (int x = 0; x < w; x++) {
            for (int y : new int[] {0, h - 1}) {
                for (int c = 0; c < 3; c++) {
                    ch[c][k] = img.get(x, y, c);
                }
                k++;
            }
        }
        for (int y = 1; y < h - 1; y++) {
            for (int x : new int[] {0, w - 1}) {
                for (int c = 0; c < 3; c++) {
                    ch[c][k] = img.get(x, y, c);
                }
                k++;
            }
        }
        double[] bg = new double[3];
        for (int c = 0; c < 3; c++) {
            int[] v = Arrays.copyOf(ch[c], k);
            Arrays.sort(v);
            bg[c] = v[k / 2];
        }
        double[] sum = new double[3];
        int count = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double d = 0;
                for (int c = 0; c < 3; c++) {
                    double e = img.get(x, y, c) - bg[c];
                    d += e * e;
                }
                if (d > 60 * 60) {
                    for (int c = 0; c < 3; c++) {
                        sum[c] += img.get(x, y, c);
                    }
                    count++;
                }
            }
        }
        String fg = null;
        if (count > 0) {
            fg = nearest(new double[] {sum[0] / count, sum[1] / count, sum[2] / count});
        }
        return new Verdict(fg, nearest(bg), count / (double) (w * h));
    }

    /** The named colour nearest to an RGB triple. */
    public static String nearest(double[] rgb) {
        int best = 0;
        double bestD = Double.MAX_VALUE;
        for (int i = 0; i < ProceduralWeb.RGB.length; i++) {
            double d = 0;
            for (int c = 0; c < 3; c++) {
                double e = rgb[c] - ProceduralWeb.RGB[i][c];
                d += e * e;
            }
            if (d < bestD) {
                bestD = d;
                best = i;
            }
        }
        return ProceduralWeb.COLOURS.get(best);
    }
}
