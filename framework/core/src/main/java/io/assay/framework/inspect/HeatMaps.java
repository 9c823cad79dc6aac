package io.assay.framework.inspect;

import io.assay.sdk.tensor.RgbImage;

/** Scalar maps as images: a dark-to-bright colour ramp, and the ramp blended over a picture. */
public final class HeatMaps {

    /** Ramp stops (black, purple, red, orange, pale yellow), like matplotlib's "inferno". */
    private static final int[][] STOPS = {{0, 0, 4}, {87, 16, 110}, {188, 55, 84}, {249, 142, 9}, {252, 255, 164}};

    private HeatMaps() {
    }

    /** The ramp colour of {@code t} in [0, 1]. */
    public static int[] colour(double t) {
        double x = Math.max(0, Math.min(1, t)) * (STOPS.length - 1);
        int i = Math.min(STOPS.length - 2, (int) x);
        double f = x - i;
        int[] out = new int[3];
        for (int c = 0; c < 3; c++) {
            out[c] = (int) Math.round(STOPS[i][c] + f * (STOPS[i + 1][c] - STOPS[i][c]));
        }
        return out;
    }

    /** A {@code w×h} map, each value divided by {@code max} (values above it saturate). */
    public static RgbImage heat(float[] map, int w, int h, double max) {
        byte[] rgb = new byte[w * h * 3];
        for (int p = 0; p < w * h; p++) {
            int[] c = colour(max > 0 ? map[p] / max : 0);
            for (int k = 0; k < 3; k++) {
                rgb[p * 3 + k] = (byte) c[k];
            }
        }
        return new RgbImage(w, h, rgb);
    }

    /**
     * The map over a picture of its size: each pixel blended towards the ramp colour with weight
     * {@code 0.85 · value / max}, so where the map is zero the picture shows unchanged.
     */
    public static RgbImage overlay(RgbImage picture, float[] map, double max) {
        int n = picture.width() * picture.height();
        byte[] rgb = new byte[n * 3];
        for (int p = 0; p < n; p++) {
            double t = max > 0 ? Math.min(1, map[p] / max) : 0;
            int[] c = colour(t);
            double a = 0.85 * t;
            for (int k = 0; k < 3; k++) {
                rgb[p * 3 + k] = (byte) Math.round((1 - a) * (picture.rgb()[p * 3 + k] & 0xff) + a * c[k]);
            }
        }
        return new RgbImage(picture.width(), picture.height(), rgb);
    }

    /** The largest value of several maps (0 when all are empty or zero). */
    public static double max(float[]... maps) {
        double m = 0;
        for (float[] map : maps) {
            for (float v : map) {
                m = Math.max(m, v);
            }
        }
        return m;
    }

    /** The mean of a map. */
    public static double mean(float[] map) {
        double s = 0;
        for (float v : map) {
            s += v;
        }
        return map.length == 0 ? 0 : s / map.length;
    }
}
