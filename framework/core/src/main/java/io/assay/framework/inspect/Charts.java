package io.assay.framework.inspect;

import io.assay.framework.io.Html;
import java.util.List;
import java.util.Locale;

/** Small inline SVG charts with labelled axes and units, for self-contained report pages. */
public final class Charts {

    private static final String[] PALETTE = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b",
        "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"};

    private Charts() {
    }

    /**
     * Lines over a shared x axis 1…n.
     *
     * @param series one list of y values per line
     * @param names the line names (legend)
     * @param xLabel the x axis label with unit
     * @param yLabel the y axis label with unit
     * @param title the chart's accessible title
     */
    public static String lines(List<double[]> series, List<String> names, String xLabel, String yLabel,
            String title) {
        int w = 560;
        int h = 240;
        int left = 64;
        int right = 150;
        int top = 12;
        int bottom = 40;
        int n = 0;
        double max = 0;
        for (double[] s : series) {
            n = Math.max(n, s.length);
            for (double v : s) {
                if (Double.isFinite(v)) {
                    max = Math.max(max, v);
                }
            }
        }
        if (max == 0) {
            max = 1;
        }
        double pw = w - left - right;
        double ph = h - top - bottom;
        StringBuilder b = new StringBuilder();
        b.append("<svg class=\"chart\" role=\"img\" viewBox=\"0 0 ").append(w).append(' ').append(h)
                .append("\" width=\"").append(w).append("\" height=\"").append(h).append("\"><title>")
                .append(Html.esc(title)).append("</title>");
        b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>", left,
                top, left, h - bottom));
        b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>", left,
                h - bottom, w - right, h - bottom));
        for (int t = 0; t <= 4; t++) {
            double v = max * t / 4;
            double y = top + ph - ph * t / 4;
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" font-size=\"10\" text-anchor=\"end\">%s"
                    + "</text>", left - 4, y + 3, Html.cell(v)));
        }
        for (int i = 1; i <= n; i++) {
            if (n <= 10 || i == 1 || i == n || i % 5 == 0) {
                double x = left + (n == 1 ? 0 : pw * (i - 1) / (n - 1));
                b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" "
                        + "text-anchor=\"middle\">%d</text>", x, h - bottom + 13, i));
            }
        }
        b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%s"
                + "</text>", left + pw / 2, h - 6, Html.esc(xLabel)));
        b.append(String.format(Locale.ROOT, "<text transform=\"translate(12 %.1f) rotate(-90)\" font-size=\"11\" "
                + "text-anchor=\"middle\">%s</text>", top + ph / 2, Html.esc(yLabel)));
        for (int s = 0; s < series.size(); s++) {
            String colour = PALETTE[s % PALETTE.length];
            StringBuilder pts = new StringBuilder();
            double[] ys = series.get(s);
            for (int i = 0; i < ys.length; i++) {
                if (Double.isFinite(ys[i])) {
                    double x = left + (n == 1 ? 0 : pw * i / (n - 1));
                    double y = top + ph - ph * ys[i] / max;
                    pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
                }
            }
            b.append("<polyline fill=\"none\" stroke=\"").append(colour).append("\" stroke-width=\"1.5\" points=\"")
                    .append(pts.toString().trim()).append("\"/>");
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\" fill=\"%s\">%s</text>",
                    w - right + 8, top + 12 + 14 * s, colour, Html.esc(names.get(s))));
        }
        return b.append("</svg>").toString();
    }
}
