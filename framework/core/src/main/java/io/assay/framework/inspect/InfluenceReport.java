package io.assay.framework.inspect;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.assay.framework.io.AtomicFiles;
import io.assay.framework.io.Html;
import io.assay.framework.io.PngFiles;
import io.assay.framework.io.Slugs;
import io.assay.sdk.tensor.RgbImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes an {@link Influence.Result} to a directory: {@code base.png}; per word {@code NN-<word>.png} (the image
 * without it), {@code NN-<word>-heat.png} and {@code NN-<word>-overlay.png}; {@code influence.json} with every
 * number; and {@code index.html} showing them with the per-step chart.
 */
public final class InfluenceReport {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private InfluenceReport() {
    }

    /** File stem of ablation {@code j}: its 1-based number and the word. */
    public static String stem(Influence.Result r, int j) {
        String slug = Slugs.of(r.ablations().get(j).label(), 24);
        return String.format(Locale.ROOT, "%02d-%s", j + 1, slug.isEmpty() ? "token" : slug);
    }

    /**
     * Writes the report.
     *
     * @param extra more top-level fields for influence.json (e.g. the configuration used), may be empty
     * @return the index page
     */
    public static Path write(Influence.Result r, Path dir, Map<String, Object> extra) throws IOException {
        Files.createDirectories(dir);
        RgbImage base = r.base();
        int w = base.width();
        int h = base.height();
        double max = HeatMaps.max(r.influenceMaps());
        PngFiles.write(dir.resolve("base.png"), base, Map.of());
        double sum = 0;
        for (int j = 0; j < r.ablations().size(); j++) {
            sum += r.total(j);
        }
        List<Map<String, Object>> tokens = new ArrayList<>();
        List<double[]> curves = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int j = 0; j < r.ablations().size(); j++) {
            String stem = stem(r, j);
            boolean rerun = !r.images().isEmpty();
            if (rerun) {
                PngFiles.write(dir.resolve(stem + ".png"), r.images().get(j), Map.of());
            }
            PngFiles.write(dir.resolve(stem + "-heat.png"), HeatMaps.heat(r.influenceMaps()[j], w, h, max), Map.of());
            PngFiles.write(dir.resolve(stem + "-overlay.png"), HeatMaps.overlay(base, r.influenceMaps()[j], max),
                    Map.of());
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("word", r.ablations().get(j).label());
            t.put("rows", r.ablations().get(j).positions());
            t.put("totalInfluence", r.total(j));
            t.put("share", sum == 0 ? 0.0 : r.total(j) / sum);
            double[] per = r.perStep(j);
            t.put("perStep", per);
            if (rerun) {
                t.put("rerunMeanPixelChange", r.outcome(j));
                t.put("rerunChangedPixelShare", changed(r.outcomeMaps()[j]));
                t.put("image", stem + ".png");
            }
            t.put("heat", stem + "-heat.png");
            t.put("overlay", stem + "-overlay.png");
            tokens.add(t);
            curves.add(per);
            names.add(r.ablations().get(j).label());
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("prompt", r.request().prompt());
        root.put("negative", r.request().negative());
        root.put("seed", r.request().seed());
        root.put("steps", r.request().steps());
        root.put("width", w);
        root.put("height", h);
        root.put("method", "leave-one-out: the word's hidden-state rows replaced by the empty prompt's. perStep: at "
                + "each step, from the base run's noisy latents, the mean over latent positions of |x0(ablated) - "
                + "x0(base)| (predicted clean latents, latent units); totalInfluence: its sum over steps; the heat "
                + "maps are the per-position sums, upsampled to pixels. rerunMeanPixelChange: the ablated run taken "
                + "to the end on its own, mean per-pixel RGB distance (0-441) of its image from the base image");
        root.put("heatScale", max);
        root.put("heatUnits", units(r));
        root.put("decodedSteps", r.decodedSteps());
        root.put("denoiserCalls", r.denoiserCalls());
        root.put("rowsPerStep", r.rowsPerStep());
        root.putAll(extra);
        root.put("tokens", tokens);
        AtomicFiles.write(dir.resolve("influence.json"), JSON.writeValueAsBytes(root));
        Path index = dir.resolve("index.html");
        AtomicFiles.writeString(index, html(r, tokens, curves, names, max));
        return index;
    }

    /** What the heat maps measure. */
    static String units(Influence.Result r) {
        return r.decodedSteps().isEmpty() ? "change of the predicted clean latents summed over the steps, latent units"
                : "RGB distance (0-441) of the decoded predicted clean image summed over steps " + r.decodedSteps();
    }

    /** Share of pixels whose colour moved by more than 8 (of 441). */
    static double changed(float[] map) {
        int n = 0;
        for (float v : map) {
            if (v > 8) {
                n++;
            }
        }
        return n / (double) map.length;
    }

    private static String html(Influence.Result r, List<Map<String, Object>> tokens, List<double[]> curves,
            List<String> names, double max) {
        StringBuilder b = new StringBuilder();
        String title = "Token influence: " + r.request().prompt();
        b.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(Html.esc(title))
                .append("</title><style>body{font-family:sans-serif;max-width:1360px;margin:1em auto;padding:0 1em}"
                        + "img.px{image-rendering:pixelated;width:160px;height:auto}table{border-collapse:collapse}"
                        + "td,th{border:1px solid #ccc;padding:4px;vertical-align:top}figure{display:inline-block;"
                        + "margin:4px}figcaption{font-size:12px}</style></head><body>");
        b.append("<h1>").append(Html.esc(title)).append("</h1>");
        b.append("<p>Seed ").append(r.request().seed()).append(", ").append(r.request().steps()).append(" steps, ")
                .append(r.base().width()).append("×").append(r.base().height()).append(" px. Each word's rows of "
                        + "the prompt encoding were replaced by the empty prompt's and the run repeated ("
                        + r.rowsPerStep() + " denoiser rows per step, " + r.denoiserCalls() + " calls in all). "
                        + "Heat maps share one scale: white-yellow = ")
                .append(Html.cell(max)).append(" (").append(Html.esc(units(r))).append("), black = unchanged.</p>");
        b.append("<figure><img class=\"px\" src=\"base.png\" alt=\"the image with the whole prompt\">"
                + "<figcaption>whole prompt</figcaption></figure>");
        boolean rerun = !r.images().isEmpty();
        b.append("<table><thead><tr><th scope=\"col\">word</th><th scope=\"col\" title=\"change of the predicted "
                + "clean latents per latent position, summed over the steps\">total influence (Σ steps, latent "
                + "units)</th><th scope=\"col\">share of all words</th>" + (rerun ? "<th scope=\"col\" title=\"mean "
                + "per-pixel RGB distance of the re-run image from the whole-prompt image\">re-run change (RGB, "
                + "0–441)</th><th scope=\"col\">image without it</th>" : "")
                + "<th scope=\"col\">heat map</th><th scope=\"col\">overlay</th></tr></thead><tbody>");
        for (Map<String, Object> t : tokens) {
            String word = Html.esc(String.valueOf(t.get("word")));
            b.append("<tr><th scope=\"row\">").append(word).append("</th><td>").append(Html.cell(t.get("totalInfluence")))
                    .append("</td><td>").append(String.format(Locale.ROOT, "%.1f %%", 100 * (double) t.get("share")))
                    .append("</td>");
            if (rerun) {
                b.append("<td>").append(Html.cell(t.get("rerunMeanPixelChange"))).append("</td>");
            }
            for (String k : rerun ? List.of("image", "heat", "overlay") : List.of("heat", "overlay")) {
                b.append("<td><img class=\"px\" src=\"").append(Html.esc((String) t.get(k))).append("\" alt=\"")
                        .append(k.equals("image") ? "the image without '" + word + "'" : (k.equals("heat") ? "heat map"
                                : "heat map over the image") + " of the change without '" + word + "'").append("\"></td>");
            }
            b.append("</tr>");
        }
        b.append("</tbody></table><h2>Influence per step</h2><p>How far each word moves the predicted clean image at "
                + "each step (mean over latent positions).</p>");
        b.append(Charts.lines(curves, names, "step", "mean ‖Δ predicted x₀‖ (latent units)",
                "influence of each word per step"));
        b.append("<p><a href=\"influence.json\">influence.json</a> has every number.</p></body></html>\n");
        return b.toString();
    }
}
