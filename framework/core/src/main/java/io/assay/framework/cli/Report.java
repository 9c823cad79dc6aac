package io.assay.framework.cli;

import io.assay.framework.compare.Experiment;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The experiment's {@code index.html}: contact sheets, a sortable results table, per-step drift plots. */
final class Report {

    private Report() {
    }

    static String html(Experiment exp, List<String> columns, List<Map<String, Object>> rows, List<String> sheets) {
        StringBuilder b = new StringBuilder();
        b.append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
                .append(esc(exp.name())).append("</title>\n<style>body{font-family:sans-serif;margin:24px}"
                + "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;font-size:13px}"
                + "th{cursor:pointer;background:#f4f4f4}img.cell{width:64px;image-rendering:pixelated}"
                + "svg{background:#fafafa;border:1px solid #ddd}</style></head><body>\n");
        b.append("<h1>").append(esc(exp.name())).append("</h1>\n<p>").append(rows.size())
                .append(" cells. Prompts: ").append(esc(String.join(" · ", exp.prompts()))).append(". Seeds: ")
                .append(exp.seeds()).append(".</p>\n<h2>Contact sheets</h2>\n");
        for (String s : sheets) {
            b.append("<p><img class=\"sheet\" src=\"").append(esc(s)).append("\" alt=\"").append(esc(s))
                    .append("\"></p>\n");
        }
        b.append("<h2>Results</h2>\n<table id=\"results\"><thead><tr>");
        for (String c : columns) {
            b.append("<th>").append(esc(c)).append("</th>");
        }
        b.append("</tr></thead><tbody>\n");
        for (Map<String, Object> r : rows) {
            b.append("<tr>");
            for (String c : columns) {
                Object v = r.get(c);
                if (c.equals("image") && v != null) {
                    b.append("<td><a href=\"").append(esc(v.toString())).append("\"><img class=\"cell\" src=\"")
                            .append(esc(v.toString())).append("\" alt=\"cell\"></a></td>");
                } else {
                    b.append("<td>").append(esc(format(v))).append("</td>");
                }
            }
            b.append("</tr>\n");
        }
        b.append("</tbody></table>\n<h2>Where the arms drift apart</h2>\n<p>Per step, the L2 distance between each"
                + " cell's latents and its baseline's (same prompt and seed, every axis at its first value).</p>\n");
        for (Map<String, Object> r : rows) {
            Object d = r.get("stepL2ToBaseline");
            if (d instanceof List<?> list && !list.isEmpty()) {
                b.append("<div>").append(esc(label(exp, r))).append("<br>").append(svg(list)).append("</div>\n");
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

    private static String svg(List<?> values) {
        double max = 1e-9;
        for (Object o : values) {
            max = Math.max(max, ((Number) o).doubleValue());
        }
        int w = 320;
        int h = 80;
        StringBuilder pts = new StringBuilder();
        for (int i = 0; i < values.size(); i++) {
            double x = values.size() == 1 ? 0 : i * (w - 10.0) / (values.size() - 1) + 5;
            double y = h - 5 - ((Number) values.get(i)).doubleValue() / max * (h - 10);
            pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
        }
        return "<svg width=\"" + w + "\" height=\"" + h + "\"><polyline fill=\"none\" stroke=\"#c33\" "
                + "stroke-width=\"2\" points=\"" + pts.toString().trim() + "\"/><text x=\"6\" y=\"14\" "
                + "font-size=\"11\">max " + String.format(Locale.ROOT, "%.3g", max) + "</text></svg>";
    }

    private static String format(Object v) {
        if (v instanceof Double d) {
            return String.format(Locale.ROOT, "%.4g", d);
        }
        return v == null ? "" : v.toString();
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
