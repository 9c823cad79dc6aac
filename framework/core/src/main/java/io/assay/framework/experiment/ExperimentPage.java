package io.assay.framework.experiment;

import io.assay.framework.io.Html;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The experiment's {@code index.html}: contact sheets, a sortable results table, per-step drift plots. */
final class ExperimentPage {

    private ExperimentPage() {
    }

    static String html(Experiment exp, List<String> columns, List<Map<String, Object>> rows, List<String> sheets,
            List<Map<String, Object>> stats) {
        StringBuilder b = new StringBuilder();
        b.append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
                .append(Html.esc(exp.name())).append("</title>\n<style>body{font-family:sans-serif;margin:24px}"
                + "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;font-size:13px}"
                + "th{cursor:pointer;background:#f4f4f4}img.cell{width:64px;image-rendering:pixelated}"
                + "svg{background:#fafafa;border:1px solid #ddd}</style></head><body>\n");
        b.append("<h1>").append(Html.esc(exp.name())).append("</h1>\n<p>").append(rows.size())
                .append(" cells. Prompts: ").append(Html.esc(String.join(" · ", exp.prompts()))).append(". Seeds: ")
                .append(exp.seeds()).append(".</p>\n<h2>Contact sheets</h2>\n");
        for (String s : sheets) {
            b.append("<p><img class=\"sheet\" src=\"").append(Html.esc(s)).append("\" alt=\"").append(Html.esc(s))
                    .append("\"></p>\n");
        }
        b.append("<h2>Results</h2>\n<table id=\"results\"><thead><tr>");
        for (String c : columns) {
            b.append("<th>").append(Html.esc(c)).append("</th>");
        }
        b.append("</tr></thead><tbody>\n");
        for (Map<String, Object> r : rows) {
            b.append("<tr>");
            for (String c : columns) {
                Object v = r.get(c);
                if (c.equals("trace") && v != null) {
                    b.append("<td><a class=\"trace\" href=\"").append(Html.esc(v.toString())).append("\">trace</a></td>");
                } else if (c.equals("image") && v != null) {
                    b.append("<td><a href=\"").append(Html.esc(v.toString())).append("\"><img class=\"cell\" src=\"")
                            .append(Html.esc(v.toString())).append("\" alt=\"cell\"></a></td>");
                } else {
                    b.append("<td>").append(Html.esc(Html.cell(v))).append("</td>");
                }
            }
            b.append("</tr>\n");
        }
        b.append("</tbody></table>\n");
        if (!stats.isEmpty()) {
            b.append("<h2>Per axis value, across prompts and seeds</h2>\n<p>Mean ± sample standard deviation over "
                    + "the cells with that value.</p>\n<table id=\"axis-stats\"><thead><tr><th>axis</th><th>value"
                    + "</th><th>cells</th>");
            for (String m : ExperimentReport.SUMMARISED) {
                b.append("<th>").append(Html.esc(m)).append("</th>");
            }
            b.append("</tr></thead><tbody>\n");
            for (Map<String, Object> st : stats) {
                b.append("<tr><td>").append(Html.esc(String.valueOf(st.get("axis")))).append("</td><td>")
                        .append(Html.esc(String.valueOf(st.get("value")))).append("</td><td>").append(st.get("cells"))
                        .append("</td>");
                for (String m : ExperimentReport.SUMMARISED) {
                    Object o = st.get(m);
                    if (o instanceof Map<?, ?> ms) {
                        b.append("<td>").append(Html.cell(ms.get("mean"))).append(" ± ").append(Html.cell(ms.get("std")))
                                .append("</td>");
                    } else {
                        b.append("<td></td>");
                    }
                }
                b.append("</tr>\n");
            }
            b.append("</tbody></table>\n");
        }
        b.append("<h2>Where the arms drift apart</h2>\n<p>Per step, the L2 distance to the baseline cell (same prompt "
                + "and seed, every axis at its first value): <span style=\"color:#c33\">latents</span> and "
                + "<span style=\"color:#36c\">predicted clean latents (x0)</span>; the first step where the x0 gap "
                + "exceeds 1% of its final size is marked.</p>\n");
        for (Map<String, Object> r : rows) {
            Object d = r.get("stepL2ToBaseline");
            Object x0 = r.get("stepX0L2ToBaseline");
            boolean apart = d instanceof List<?> l0 && l0.stream().anyMatch(x -> ((Number) x).doubleValue() > 0);
            if (d instanceof List<?> list && !list.isEmpty() && apart) {
                b.append("<div class=\"drift\">").append(Html.esc(label(exp, r)));
                if (r.get("firstDivergentStep") != null) {
                    b.append(" — apart from step ").append(r.get("firstDivergentStep"));
                }
                b.append("<br>").append(svg(list, x0 instanceof List<?> l2 ? l2 : List.of())).append("</div>\n");
            }
        }
        b.append("<script>document.querySelectorAll('#results th').forEach((th,i)=>th.onclick=()=>{"
                + "const tb=th.closest('table').tBodies[0];const rs=[...tb.rows];const asc=th.dataset.asc!=='1';"
                + "th.dataset.asc=asc?'1':'0';rs.sort((a,b)=>{const x=a.cells[i].innerText,y=b.cells[i].innerText;"
                + "const nx=parseFloat(x),ny=parseFloat(y);const c=isNaN(nx)||isNaN(ny)?x.localeCompare(y):nx-ny;"
                + "return asc?c:-c});rs.forEach(r=>tb.appendChild(r));});</script>\n</body></html>\n");
        return b.toString();
    }

    private static String label(Experiment exp, Map<String, Object> r) {
        StringBuilder s = new StringBuilder("\"" + r.get("prompt") + "\" seed " + r.get("seed"));
        for (Experiment.Axis a : exp.axes()) {
            s.append(", ").append(a.label()).append(" = ").append(r.get(a.label()));
        }
        return s.toString();
    }

    private static String svg(List<?> latents, List<?> x0) {
        double max = 1e-9;
        for (Object o : latents) {
            max = Math.max(max, ((Number) o).doubleValue());
        }
        for (Object o : x0) {
            max = Math.max(max, ((Number) o).doubleValue());
        }
        int w = 320;
        int h = 80;
        return "<svg width=\"" + w + "\" height=\"" + h + "\">" + line(latents, max, w, h, "#c33")
                + line(x0, max, w, h, "#36c") + "<text x=\"6\" y=\"14\" font-size=\"11\">max "
                + String.format(Locale.ROOT, "%.3g", max) + "</text></svg>";
    }

    private static String line(List<?> values, double max, int w, int h, String color) {
        if (values.isEmpty()) {
            return "";
        }
        StringBuilder pts = new StringBuilder();
        for (int i = 0; i < values.size(); i++) {
            double x = values.size() == 1 ? 0 : i * (w - 10.0) / (values.size() - 1) + 5;
            double y = h - 5 - ((Number) values.get(i)).doubleValue() / max * (h - 10);
            pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
        }
        return "<polyline fill=\"none\" stroke=\"" + color + "\" stroke-width=\"2\" points=\""
                + pts.toString().trim() + "\"/>";
    }


}
