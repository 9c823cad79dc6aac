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
        PngFiles.write(dir.resolve("base.png"), base, Map.of());
        Map<Influence.Maps, Double> scales = new LinkedHashMap<>();
        Map<Influence.Maps, Double> sums = new LinkedHashMap<>();
        for (Influence.Maps kind : r.kinds()) {
            scales.put(kind, HeatMaps.max(r.maps(kind)));
            double sum = 0;
            for (int j = 0; j < r.ablations().size(); j++) {
                sum += r.total(kind, j);
            }
            sums.put(kind, sum);
        }
        boolean terms = r.ablations().stream().anyMatch(a -> !a.key().equals(r.ablations().get(0).key()));
        boolean[] fg = Influence.foreground(base);
        int fgPixels = 0;
        for (boolean m : fg) {
            fgPixels += m ? 1 : 0;
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
            Map<String, Object> t = new LinkedHashMap<>();
            Influence.Ablation a = r.ablations().get(j);
            t.put("word", a.label());
            t.put("conditioning", a.key().name());
            t.put("term", a.term());
            t.put("rows", a.positions());
            for (Influence.Maps kind : r.kinds()) {
                // The same-latents maps keep the plain names; the re-run maps are named for their kind.
                String prefix = kind == Influence.Maps.RERUN ? "rerun" : "";
                String files = stem + (prefix.isEmpty() ? "" : "-" + prefix);
                double max = scales.get(kind);
                PngFiles.write(dir.resolve(files + "-heat.png"), HeatMaps.heat(r.maps(kind)[j], w, h, max),
                        Map.of());
                PngFiles.write(dir.resolve(files + "-overlay.png"), HeatMaps.overlay(base, r.maps(kind)[j], max),
                        Map.of());
                double[] per = r.perStep(kind, j);
                t.put(field(prefix, "totalInfluence"), r.total(kind, j));
                t.put(field(prefix, "share"), sums.get(kind) == 0 ? 0.0 : r.total(kind, j) / sums.get(kind));
                t.put(field(prefix, "perStep"), per);
                double share = r.massShare(kind, j, fg);
                t.put(field(prefix, "foregroundShare"), Double.isNaN(share) ? null : share);
                t.put(field(prefix, "heat"), files + "-heat.png");
                t.put(field(prefix, "overlay"), files + "-overlay.png");
                if (kind == r.primary()) {
                    curves.add(per);
                    names.add(label(r, j, terms));
                }
            }
            if (rerun) {
                t.put("rerunMeanPixelChange", r.outcome(j));
                t.put("rerunChangedPixelShare", changed(r.outcomeMaps()[j]));
                t.put("image", stem + ".png");
            }
            tokens.add(t);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("prompt", r.request().prompt());
        root.put("negative", r.request().negative());
        root.put("seed", r.request().seed());
        root.put("steps", r.request().steps());
        root.put("width", w);
        root.put("height", h);
        root.put("guidance", r.guidance());
        root.put("maps", r.kinds().stream().map(Influence.Maps::label).toList());
        root.put("method", "leave-one-out: the word's hidden-state rows of the conditioning it is written in "
                + "replaced by the empty prompt's. Same-latents (totalInfluence, perStep, heat): at each step, from "
                + "the base run's noisy latents, the mean over latent positions of |x0(ablated) - x0(base)| "
                + "(predicted clean latents, latent units); totalInfluence: its sum over steps; the heat maps are the "
                + "per-position sums, upsampled to pixels. Re-run (rerunTotalInfluence, rerunPerStep, rerunHeat): "
                + "the same distance between the predicted clean latents of the ablated run on its own trajectory "
                + "and the base run's. rerunMeanPixelChange: the ablated run taken to the end on its own, mean "
                + "per-pixel RGB distance (0-441) of its image from the base image");
        root.put("foregroundPixelShare", fgPixels / (double) fg.length);
        root.put("foregroundShareDefinition", "share of the map's mass on the foreground: the pixels farther than 60 "
                + "(RGB distance) from the border's median colour (meaningful for a picture on a plain background)");
        root.put("heatScale", scales.get(r.primary()));
        if (scales.containsKey(Influence.Maps.RERUN)) {
            root.put("rerunHeatScale", scales.get(Influence.Maps.RERUN));
        }
        root.put("heatUnits", units(r));
        root.put("decodedSteps", r.decodedSteps());
        root.put("denoiserCalls", r.denoiserCalls());
        root.put("rowsPerStep", r.rowsPerStep());
        root.putAll(extra);
        root.put("tokens", tokens);
        AtomicFiles.write(dir.resolve("influence.json"), JSON.writeValueAsBytes(root));
        Path index = dir.resolve("index.html");
        AtomicFiles.writeString(index, html(r, tokens, curves, names, scales, terms, fg, fgPixels));
        return index;
    }

    /** A JSON field of one kind: the plain name for same-latents, {@code rerunName} for the re-run kind. */
    private static String field(String prefix, String name) {
        return prefix.isEmpty() ? name : prefix + Character.toUpperCase(name.charAt(0)) + name.substring(1);
    }

    /** Ablation {@code j}'s name on the page: the word, and its conditioning when the prompt has several. */
    static String label(Influence.Result r, int j, boolean terms) {
        Influence.Ablation a = r.ablations().get(j);
        return terms ? a.label() + " (" + a.key() + ")" : a.label();
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
            List<String> names, Map<Influence.Maps, Double> scales, boolean terms, boolean[] fg, int fgPixels) {
        StringBuilder b = new StringBuilder();
        String title = "Token influence: " + r.request().prompt();
        b.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(Html.esc(title))
                .append("</title><style>body{font-family:sans-serif;max-width:1360px;margin:1em auto;padding:0 1em}"
                        + "img.px{image-rendering:pixelated;width:128px;height:auto}table{border-collapse:collapse}"
                        + "td,th{border:1px solid #ccc;padding:4px;vertical-align:top}figure{display:inline-block;"
                        + "margin:4px}figcaption{font-size:12px}</style></head><body>");
        b.append("<h1>").append(Html.esc(title)).append("</h1>");
        b.append("<p>Seed ").append(r.request().seed()).append(", ").append(r.request().steps()).append(" steps, ")
                .append(r.base().width()).append("×").append(r.base().height()).append(" px; guidance ")
                .append(Html.esc(r.guidance())).append(". Each word's rows of the encoding of the conditioning it is "
                        + "written in were replaced by the empty prompt's (" + r.rowsPerStep() + " denoiser rows per "
                        + "step, " + r.denoiserCalls() + " calls in all). Heat maps of one kind share one scale: ");
        List<String> scaleText = new ArrayList<>();
        for (Map.Entry<Influence.Maps, Double> e : scales.entrySet()) {
            scaleText.add(e.getKey().label() + " white-yellow = " + Html.cell(e.getValue()));
        }
        b.append(String.join(", ", scaleText)).append(" (").append(Html.esc(units(r)))
                .append("), black = unchanged. The foreground (the pixels farther than 60 in RGB from the border's "
                        + "median colour) is ").append(String.format(Locale.ROOT, "%.1f %%", 100.0 * fgPixels
                        / fg.length)).append(" of the image. <b>same-latents</b>: the word left out on the base run's own latents "
                        + "at each step (where it acts on the current image); <b>rerun</b>: the run without the word "
                        + "on its own trajectory (where it diverged).</p>");
        b.append("<figure><img class=\"px\" src=\"base.png\" alt=\"the image with the whole prompt\">"
                + "<figcaption>whole prompt</figcaption></figure>");
        boolean rerun = !r.images().isEmpty();
        List<Influence.Maps> kinds = r.kinds();
        b.append("<table><thead><tr><th scope=\"col\">word</th>");
        for (Influence.Maps kind : kinds) {
            b.append("<th scope=\"col\" title=\"change of the predicted clean latents per latent position, summed "
                    + "over the steps\">").append(kind.label()).append(" total (Σ steps, latent units)</th>"
                    + "<th scope=\"col\">").append(kind.label()).append(" share of all words</th>"
                    + "<th scope=\"col\" title=\"share of the map's mass on the pixels that stand out from the "
                    + "border's median colour\">").append(kind.label()).append(" on the foreground</th>");
        }
        if (rerun) {
            b.append("<th scope=\"col\" title=\"mean per-pixel RGB distance of the re-run image from the "
                    + "whole-prompt image\">re-run change (RGB, 0–441)</th><th scope=\"col\">image without it</th>");
        }
        for (Influence.Maps kind : kinds) {
            b.append("<th scope=\"col\">").append(kind.label()).append(" heat map</th><th scope=\"col\">")
                    .append(kind.label()).append(" overlay</th>");
        }
        b.append("</tr></thead><tbody>");
        for (int j = 0; j < tokens.size(); j++) {
            Map<String, Object> t = tokens.get(j);
            String word = Html.esc(String.valueOf(t.get("word")));
            b.append("<tr><th scope=\"row\">").append(Html.esc(label(r, j, terms))).append("</th>");
            for (Influence.Maps kind : kinds) {
                String prefix = kind == Influence.Maps.RERUN ? "rerun" : "";
                b.append("<td>").append(Html.cell(t.get(field(prefix, "totalInfluence")))).append("</td><td>")
                        .append(String.format(Locale.ROOT, "%.1f %%", 100 * (double) t.get(field(prefix, "share"))))
                        .append("</td><td>").append(t.get(field(prefix, "foregroundShare")) instanceof Double f
                                ? String.format(Locale.ROOT, "%.1f %%", 100 * f) : "–").append("</td>");
            }
            if (rerun) {
                b.append("<td>").append(Html.cell(t.get("rerunMeanPixelChange"))).append("</td><td><img class=\"px\" "
                        + "src=\"").append(Html.esc((String) t.get("image"))).append("\" alt=\"the image without '")
                        .append(word).append("'\"></td>");
            }
            for (Influence.Maps kind : kinds) {
                String prefix = kind == Influence.Maps.RERUN ? "rerun" : "";
                String what = kind == Influence.Maps.RERUN ? "of the re-run without '" : "of the change without '";
                b.append("<td><img class=\"px\" src=\"").append(Html.esc((String) t.get(field(prefix, "heat"))))
                        .append("\" alt=\"heat map ").append(what).append(word).append("'\"></td>");
                b.append("<td><img class=\"px\" src=\"").append(Html.esc((String) t.get(field(prefix, "overlay"))))
                        .append("\" alt=\"heat map over the image ").append(what).append(word).append("'\"></td>");
            }
            b.append("</tr>");
        }
        b.append("</tbody></table><h2>Influence per step</h2><p>How far each word moves the predicted clean image at "
                + "each step (mean over latent positions; ").append(r.primary().label()).append(" maps).</p>");
        b.append(Charts.lines(curves, names, "step", "mean ‖Δ predicted x₀‖ (latent units)",
                "influence of each word per step"));
        b.append("<p><a href=\"influence.json\">influence.json</a> has every number.</p></body></html>\n");
        return b.toString();
    }
}
