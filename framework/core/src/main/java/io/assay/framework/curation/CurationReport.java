package io.assay.framework.curation;

import io.assay.framework.io.Html;
import java.util.List;
import java.util.Map;

/** {@code report.html}: the counts, each filter's rejections by reason with examples of what it removed. */
final class CurationReport {

    private CurationReport() {
    }

    static String html(Map<String, Object> summary, Map<String, List<CurationRun.Example>> examples) {
        StringBuilder b = new StringBuilder();
        b.append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>curation report</title>"
                + "<style>body{font-family:sans-serif;margin:24px;max-width:1200px}table{border-collapse:collapse}"
                + "td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px}th{background:#f4f4f4}"
                + ".ex{display:inline-block;width:150px;vertical-align:top;margin:4px;font-size:11px}"
                + ".ex img{width:64px;height:64px;image-rendering:pixelated;display:block}</style></head><body>\n");
        b.append("<h1>Curation report</h1>\n<table id=\"counts\"><tr><th>read</th><th>kept</th><th>rejected</th>"
                + "<th>unreadable</th><th>records/s</th></tr><tr>");
        for (String k : List.of("read", "kept", "rejected", "unreadable", "recordsPerSecond")) {
            b.append("<td>").append(Html.esc(Html.cell(summary.get(k)))).append("</td>");
        }
        b.append("</tr></table>\n<p>").append(Html.esc(String.valueOf(summary.getOrDefault("source", ""))))
                .append("</p>\n<h2>Filters, in chain order</h2>\n<table id=\"filters\"><tr><th>filter</th>"
                        + "<th>judged</th><th>rejected</th><th>reasons</th><th>seconds</th></tr>\n");
        @SuppressWarnings("unchecked")
        Map<String, Summary.FilterCounts> filters = (Map<String, Summary.FilterCounts>) summary.get("filters");
        filters.forEach((name, f) -> b.append("<tr><td>").append(Html.esc(name)).append("</td><td>").append(f.judged)
                .append("</td><td>").append(f.rejected).append("</td><td>").append(Html.esc(f.reasons.toString()))
                .append("</td><td>").append(Html.cell(f.seconds)).append("</td></tr>\n"));
        b.append("</table>\n");
        for (Map.Entry<String, List<CurationRun.Example>> e : examples.entrySet()) {
            b.append("<h3>").append(Html.esc(e.getKey().equals("kept") ? "Kept (first examples)" : "Removed by "
                    + e.getKey())).append("</h3>\n<div class=\"examples\">");
            for (CurationRun.Example x : e.getValue()) {
                b.append("<div class=\"ex\">");
                if (x.thumbnail != null) {
                    b.append("<img src=\"").append(x.thumbnail).append("\" alt=\"\">");
                }
                b.append("“").append(Html.esc(x.caption)).append("”<br>");
                if (!Double.isNaN(x.score)) {
                    b.append("score ").append(Html.cell(x.score)).append("<br>");
                }
                b.append("<small>").append(Html.esc(x.id)).append("</small></div>");
            }
            b.append("</div>\n");
        }
        b.append("<h2>Languages</h2>\n").append(table(summary.get("languages")));
        if (summary.containsKey("kinds")) {
            b.append("<h2>Ground-truth kinds</h2>\n").append(table(summary.get("kinds")));
        }
        b.append("</body></html>\n");
        return b.toString();
    }

    private static String table(Object o) {
        StringBuilder b = new StringBuilder("<table><tr><th></th><th>read</th><th>kept</th></tr>");
        if (o instanceof Map<?, ?> m) {
            m.forEach((k, v) -> {
                Map<?, ?> c = (Map<?, ?>) v;
                b.append("<tr><td>").append(Html.esc(String.valueOf(k))).append("</td><td>").append(c.get("read"))
                        .append("</td><td>").append(c.get("kept")).append("</td></tr>");
            });
        }
        return b.append("</table>\n").toString();
    }


}
