package io.assay.framework.experiment;

import io.assay.framework.inspect.Charts;
import io.assay.framework.io.Html;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The experiment's {@code index.html}, laid out to be read in a 1400 px window: contact sheets scaled to the page, a
 * results table of the columns that say something (human names, each explained in a glossary and a tooltip), the
 * per-axis statistics only where a value has more than one cell, and the per-step drift charts only when there are
 * arms to drift apart. Every number is also in {@code results.csv} and {@code results.json}.
 */
final class ExperimentPage {

    /**
     * A results column: the key in a cell's row, the header shown and what it means.
     *
     * @param key the row key
     * @param header the header
     * @param meaning the glossary entry (with units)
     */
    record Column(String key, String header, String meaning) {
    }

    /** The metric columns in display order; one is shown only when some cell has a value for it. */
    static final List<Column> METRICS = List.of(
            new Column("maeToBaseline", "pixel change vs baseline", "Mean absolute difference of the RGB values, "
                    + "as a fraction of full scale (0–1), from the baseline cell: same prompt and seed, every axis at "
                    + "its first value."),
            new Column("ssimToBaseline", "SSIM vs baseline", "Structural similarity to the baseline cell (1 = "
                    + "identical)."),
            new Column("imageTextSimilarity", "image–text similarity", "Cosine similarity of the image and prompt "
                    + "embeddings of the image–text model (metrics.image-text)."),
            new Column("meanGuidanceDeltaNorm", "guidance gap", "Mean over steps of ‖cond − uncond‖: how far the "
                    + "prompt moves the denoiser's prediction (latent units)."),
            new Column("meanAppliedGuidanceNorm", "applied guidance", "Mean over steps of ‖guided − uncond‖: how far "
                    + "guidance moved the prediction (latent units; scale × gap for plain CFG)."),
            new Column("firstDivergentStep", "first step apart", "The first step at which the predicted clean image "
                    + "differs from the baseline's by more than 1 % of the final gap."),
            new Column("finalLatentStd", "final latent spread", "Standard deviation of the final latents."));

    private ExperimentPage() {
    }

    /** "axis = value, …" (with prompt and seed where the experiment has several). */
    static String label(Experiment exp, Map<String, Object> r) {
        List<String> parts = new ArrayList<>();
        if (exp.prompts().size() > 1) {
            parts.add("\"" + r.get("prompt") + "\"");
        }
        if (exp.seeds().size() > 1) {
            parts.add("seed " + r.get("seed"));
        }
        for (Experiment.Axis a : exp.axes()) {
            Object v = r.get(a.label());
            parts.add(a.label() + " = " + (v == null || v.toString().isEmpty() ? "(empty)" : v));
        }
        if (parts.isEmpty()) {
            parts.add("\"" + r.get("prompt") + "\" seed " + r.get("seed"));
        }
        return String.join(", ", parts);
    }

    static String html(Experiment exp, List<String> columns, List<Map<String, Object>> rows, List<String> sheets,
            List<Map<String, Object>> stats, List<Map<String, Object>> audits) {
        StringBuilder b = new StringBuilder();
        b.append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
                .append(Html.esc(exp.name())).append("</title>\n<style>body{font-family:sans-serif;margin:16px auto;"
                + "max-width:1340px;padding:0 12px}table{border-collapse:collapse;max-width:100%}"
                + "td,th{border:1px solid #ccc;padding:4px 6px;font-size:13px;overflow-wrap:anywhere}"
                + "thead th{cursor:pointer;background:#f4f4f4}img.cell{width:64px;image-rendering:pixelated}"
                + "img.sheet{max-width:100%;height:auto}svg.chart{background:#fafafa;border:1px solid #ddd;"
                + "max-width:100%;height:auto}dl#glossary dt{font-weight:bold;margin-top:6px}"
                + "dl#glossary dd{margin-left:16px}.drift{display:inline-block;margin:6px;vertical-align:top;"
                + "font-size:13px}</style></head><body>\n");
        b.append("<h1>").append(Html.esc(exp.name())).append("</h1>\n<p>").append(rows.size())
                .append(rows.size() == 1 ? " cell" : " cells").append(". Prompts: ")
                .append(Html.esc(String.join(" · ", exp.prompts()))).append(". Seeds: ")
                .append(exp.seeds().stream().map(String::valueOf).reduce((x, y) -> x + ", " + y).orElse(""))
                .append(".</p>\n");
        if (!sheets.isEmpty()) {
            b.append("<h2>Contact sheets</h2>\n");
            for (String s : sheets) {
                b.append("<p><img class=\"sheet\" src=\"").append(Html.esc(s)).append("\" alt=\"contact sheet ")
                        .append(Html.esc(s.replace(".png", ""))).append(": the cells side by side, labelled by axis "
                                + "value\"></p>\n");
            }
        }
        // Which columns to show: the cell's identity, then the metrics some cell has.
        List<Column> shown = new ArrayList<>();
        shown.add(new Column("imageFile", "image", "The cell's image; the file is named by its axis values."));
        if (exp.prompts().size() > 1 || rows.stream().anyMatch(r -> r.get("promptRun") != null)) {
            shown.add(new Column("promptRun", "prompt", "The prompt the cell ran (after prompt edits)."));
        }
        if (exp.seeds().size() > 1) {
            shown.add(new Column("seed", "seed", "The noise seed."));
        }
        for (Experiment.Axis a : exp.axes()) {
            shown.add(new Column(a.label(), a.label(), a.edit() == Experiment.PromptEdit.SEARCH_REPLACE
                    ? "Prompt S/R: '" + a.values().get(0) + "' in the prompt replaced by this value."
                    : a.edit() == Experiment.PromptEdit.SUFFIX ? "Appended to the prompt."
                    : "The axis value (" + a.label() + ")."));
        }
        boolean oneArm = rows.size() <= exp.prompts().size() * exp.seeds().size();
        for (Column m : METRICS) {
            boolean relative = m.key().endsWith("ToBaseline") || m.key().equals("firstDivergentStep");
            if ((!relative || !oneArm) && rows.stream().anyMatch(r -> r.get(m.key()) != null)) {
                shown.add(m);
            }
        }
        if (rows.stream().anyMatch(r -> r.get("trace") != null)) {
            shown.add(new Column("trace", "trace", "The run's trace page: the image emerging step by step."));
        }
        b.append("<h2>Results</h2>\n<table id=\"results\"><thead><tr>");
        for (Column c : shown) {
            b.append("<th scope=\"col\" data-key=\"").append(Html.esc(c.key())).append("\" title=\"")
                    .append(Html.esc(c.meaning())).append("\">").append(Html.esc(c.header())).append("</th>");
        }
        b.append("</tr></thead><tbody>\n");
        for (Map<String, Object> r : rows) {
            b.append("<tr>");
            for (Column c : shown) {
                Object v = r.get(c.key());
                if (c.key().equals("promptRun") && v == null) {
                    v = r.get("prompt");
                }
                if (c.key().equals("trace") && v != null) {
                    b.append("<td><a class=\"trace\" href=\"").append(Html.esc(v.toString())).append("\">trace</a>"
                            + "</td>");
                } else if (c.key().equals("imageFile")) {
                    String file = String.valueOf(v != null ? v : r.get("image"));
                    b.append("<td><a href=\"").append(Html.esc(file)).append("\"><img class=\"cell\" src=\"")
                            .append(Html.esc(file)).append("\" alt=\"").append(Html.esc(label(exp, r)))
                            .append("\"></a></td>");
                } else {
                    b.append("<td>").append(Html.esc(Html.cell(v))).append("</td>");
                }
            }
            b.append("</tr>\n");
        }
        b.append("</tbody></table>\n<p>Every number (guidance formula, denoiser calls, noise hashes, timings) is in "
                + "<a href=\"results.csv\">results.csv</a> and <a href=\"results.json\">results.json</a>.</p>\n");
        influence(exp, rows, b);
        vaeAudit(exp, audits, b);
        // Per-axis statistics: only values with more than one cell have a spread worth a table.
        List<Map<String, Object>> multi = stats.stream().filter(st -> ((Number) st.get("cells")).intValue() > 1)
                .toList();
        if (!multi.isEmpty()) {
            b.append("<h2>Per axis value, across prompts and seeds</h2>\n<p>Mean ± sample standard deviation (n) over "
                    + "the cells with that value.</p>\n<table id=\"axis-stats\"><thead><tr><th scope=\"col\">axis</th>"
                    + "<th scope=\"col\">value</th><th scope=\"col\">cells</th>");
            List<Column> metrics = METRICS.stream().filter(m -> multi.stream().anyMatch(st -> st.get(m.key())
                    != null)).toList();
            for (Column m : metrics) {
                b.append("<th scope=\"col\" title=\"").append(Html.esc(m.meaning())).append("\">")
                        .append(Html.esc(m.header())).append("</th>");
            }
            b.append("</tr></thead><tbody>\n");
            for (Map<String, Object> st : multi) {
                b.append("<tr><td>").append(Html.esc(String.valueOf(st.get("axis")))).append("</td><td>")
                        .append(Html.esc(String.valueOf(st.get("value")))).append("</td><td>").append(st.get("cells"))
                        .append("</td>");
                for (Column m : metrics) {
                    Object o = st.get(m.key());
                    if (o instanceof Map<?, ?> ms) {
                        int n = ((Number) ms.get("n")).intValue();
                        b.append("<td>").append(Html.cell(ms.get("mean")));
                        if (n > 1) {
                            b.append(" ± ").append(Html.cell(ms.get("std"))).append(" (").append(n).append(")");
                        }
                        b.append("</td>");
                    } else {
                        b.append("<td></td>");
                    }
                }
                b.append("</tr>\n");
            }
            b.append("</tbody></table>\n");
        }
        StringBuilder drift = new StringBuilder();
        for (Map<String, Object> r : rows) {
            Object d = r.get("stepL2ToBaseline");
            Object x0 = r.get("stepX0L2ToBaseline");
            boolean apart = d instanceof List<?> l0 && l0.stream().anyMatch(x -> ((Number) x).doubleValue() > 0);
            if (d instanceof List<?> list && !list.isEmpty() && apart) {
                String label = label(exp, r);
                drift.append("<div class=\"drift\">").append(Html.esc(label));
                if (r.get("firstDivergentStep") != null) {
                    drift.append(" — apart from step ").append(r.get("firstDivergentStep"));
                }
                drift.append("<br>").append(Charts.lines(List.of(doubles(list), doubles(x0 instanceof List<?> l2
                        ? l2 : List.of())), List.of("latents", "predicted x₀"), "step",
                        "L2 distance to baseline (latent units)", "per-step distance to the baseline: " + label))
                        .append("</div>\n");
            }
        }
        if (drift.length() > 0) {
            b.append("<h2>Where the arms drift apart</h2>\n<p>Per step, the L2 distance to the baseline cell (same "
                    + "prompt and seed, every axis at its first value) of the latents and of the predicted clean "
                    + "latents (x₀).</p>\n").append(drift);
        }
        b.append("<h2>Glossary</h2>\n<dl id=\"glossary\">");
        for (Column c : shown) {
            b.append("<dt>").append(Html.esc(c.header())).append("</dt><dd>").append(Html.esc(c.meaning()))
                    .append("</dd>");
        }
        b.append("</dl>\n");
        b.append("<script>document.querySelectorAll('#results thead th').forEach((th,i)=>th.onclick=()=>{"
                + "const tb=th.closest('table').tBodies[0];const rs=[...tb.rows];const asc=th.dataset.asc!=='1';"
                + "th.dataset.asc=asc?'1':'0';rs.sort((a,b)=>{const x=a.cells[i].innerText,y=b.cells[i].innerText;"
                + "const nx=parseFloat(x),ny=parseFloat(y);const c=isNaN(nx)||isNaN(ny)?x.localeCompare(y):nx-ny;"
                + "return asc?c:-c});rs.forEach(r=>tb.appendChild(r));});</script>\n</body></html>\n");
        return b.toString();
    }

    /** The decoder comparison (experiment section {@code vae-audit}): per image × autoencoder variant. */
    private static void vaeAudit(Experiment exp, List<Map<String, Object>> audits, StringBuilder b) {
        if (exp.vaeAuditImages().isEmpty()) {
            return;
        }
        b.append("<h2>Decoder comparison</h2>\n<p>Each image encoded (latent mean) and decoded by every autoencoder "
                + "variant of the experiment. PSNR in dB and SSIM (scikit-image's defaults) against the original; the "
                + "worst colour channel is the one whose mean moved most (decoded − original, 0–255); the residual map "
                + "is the per-pixel RGB distance (black 0, white-yellow its maximum).</p>\n");
        if (audits.isEmpty()) {
            b.append("<p>No audit has been run in this directory.</p>\n");
            return;
        }
        b.append("<table id=\"vae-audit\"><thead><tr><th scope=\"col\">image</th><th scope=\"col\">variant</th>"
                + "<th scope=\"col\" title=\"peak signal-to-noise ratio against the original\">PSNR (dB)</th>"
                + "<th scope=\"col\" title=\"structural similarity, scikit-image defaults\">SSIM</th>"
                + "<th scope=\"col\" title=\"the channel whose mean moved most, decoded − original\">worst "
                + "channel shift</th><th scope=\"col\">decoded</th><th scope=\"col\">residual</th></tr></thead>"
                + "<tbody>\n");
        for (Map<String, Object> a : audits) {
            String image = Html.esc(String.valueOf(a.get("image")));
            String variant = Html.esc(String.valueOf(a.get("variant")));
            b.append("<tr><th scope=\"row\">").append(image).append("</th><td><a class=\"audit\" href=\"")
                    .append(Html.esc(String.valueOf(a.get("page")))).append("\">").append(variant)
                    .append("</a></td><td>").append(String.format(Locale.ROOT, "%.2f",
                            ((Number) a.get("psnr")).doubleValue())).append("</td><td>")
                    .append(String.format(Locale.ROOT, "%.4f", ((Number) a.get("ssim")).doubleValue()))
                    .append("</td><td>").append(Html.esc(String.valueOf(a.get("worstChannel"))))
                    .append(String.format(Locale.ROOT, " %+.2f", ((Number) a.get("worstChannelShift")).doubleValue()))
                    .append("</td>");
            for (String k : List.of("decoded", "residual")) {
                String file = Html.esc(String.valueOf(a.get(k)));
                b.append("<td><a href=\"").append(file).append("\"><img class=\"cell\" src=\"").append(file)
                        .append("\" alt=\"").append(k.equals("decoded") ? "the round trip of " : "residual map of ")
                        .append(image).append(" through ").append(variant).append("\"></a></td>");
            }
            b.append("</tr>\n");
        }
        b.append("</tbody></table>\n");
    }

    /** Per cell, each word's total influence (experiment option {@code influence = true}); nothing without it. */
    private static void influence(Experiment exp, List<Map<String, Object>> rows, StringBuilder b) {
        java.util.LinkedHashSet<String> words = new java.util.LinkedHashSet<>();
        for (Map<String, Object> r : rows) {
            if (r.get("influence") instanceof Map<?, ?> m) {
                m.keySet().forEach(k -> words.add(String.valueOf(k)));
            }
        }
        if (words.isEmpty()) {
            return;
        }
        b.append("<h2>Token influence</h2>\n<p>Per cell, how far leaving each word out moves the predicted clean "
                + "image (change of the predicted clean latents per latent position, summed over the steps, latent "
                + "units; blank where the cell's prompt lacks the word). Each cell's maps are on its influence page."
                + "</p>\n<table id=\"influence\"><thead><tr><th scope=\"col\">cell</th>");
        for (String w : words) {
            b.append("<th scope=\"col\">").append(Html.esc(w)).append("</th>");
        }
        b.append("<th scope=\"col\">maps</th></tr></thead><tbody>\n");
        for (Map<String, Object> r : rows) {
            if (!(r.get("influence") instanceof Map<?, ?> m)) {
                continue;
            }
            b.append("<tr><th scope=\"row\">").append(Html.esc(label(exp, r))).append("</th>");
            for (String w : words) {
                b.append("<td>").append(Html.esc(Html.cell(m.get(w)))).append("</td>");
            }
            b.append("<td><a class=\"influence\" href=\"").append(Html.esc(String.valueOf(r.get("influencePage"))))
                    .append("\">maps</a></td></tr>\n");
        }
        b.append("</tbody></table>\n");
    }

    private static double[] doubles(List<?> xs) {
        double[] out = new double[xs.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ((Number) xs.get(i)).doubleValue();
        }
        return out;
    }
}
