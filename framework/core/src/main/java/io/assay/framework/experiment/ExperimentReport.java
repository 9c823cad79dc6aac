package io.assay.framework.experiment;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.assay.framework.io.AtomicFiles;
import io.assay.framework.io.Html;
import io.assay.framework.io.PngFiles;
import io.assay.sdk.tensor.RgbImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An experiment's report from its cells: distances to each group's baseline and per-step drift, per-axis statistics,
 * {@code results.json}, {@code results.csv}, contact sheets and {@code index.html}.
 */
final class ExperimentReport {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ExperimentReport() {
    }

    /** One cell of the report: the experiment's cell, its key and its row (read from {@code cells/<key>.json}). */
    record Row(Experiment.Cell cell, String key, Map<String, Object> values) {
    }

    /**
     * Builds the report from the files the runner wrote: every cell's JSON in the experiment's own order, distances
     * to the baselines from the PNGs and the trajectory files, then {@code results.json}, {@code results.csv}, the
     * contact sheets and {@code index.html}. Nothing is taken from memory, so a resumed run writes what an
     * uninterrupted one does.
     */
    static void write(ExperimentPlan plan, Path dir) throws IOException {
        Map<Experiment.Cell, String> keys = new LinkedHashMap<>();
        plan.cells().forEach(c -> keys.putIfAbsent(c.cell(), c.key()));
        List<Row> rows = new ArrayList<>();
        for (Experiment.Cell c : plan.experiment().cells()) {
            String key = keys.get(c);
            @SuppressWarnings("unchecked")
            Map<String, Object> values = JSON.readValue(dir.resolve("cells").resolve(key + ".json").toFile(),
                    LinkedHashMap.class);
            rows.add(new Row(c, key, values));
        }
        addComparisons(rows, dir);
        nameImages(plan.experiment(), rows, dir);
        write(plan.experiment(), rows, VaeAudits.rows(plan, dir), dir);
    }

    /**
     * Copies every cell's image to {@code images/} under a name made of its axis values (prompt and seed where the
     * experiment has several), and titles each cell's trace page with the same values, linked back to the report.
     */
    static void nameImages(Experiment exp, List<Row> rows, Path dir) throws IOException {
        Path images = Files.createDirectories(dir.resolve("images"));
        java.util.Set<String> used = new java.util.HashSet<>();
        for (Row r : rows) {
            List<String> parts = new ArrayList<>();
            if (exp.prompts().size() > 1 || exp.axes().isEmpty()) {
                parts.add(io.assay.framework.io.Slugs.of(r.cell().prompt(), 32));
            }
            if (exp.seeds().size() > 1 || exp.axes().isEmpty()) {
                parts.add("seed-" + r.cell().seed());
            }
            for (int k = 0; k < exp.axes().size(); k++) {
                Experiment.Axis a = exp.axes().get(k);
                String v = a.values().get(r.cell().valueIndex().get(k));
                parts.add(io.assay.framework.io.Slugs.of(a.label(), 24) + "-" + (v.isEmpty() ? "none"
                        : io.assay.framework.io.Slugs.of(v, 32)));
            }
            String base = String.join("_", parts).replaceAll("_+", "_");
            String name = base;
            for (int n = 2; !used.add(name); n++) {
                name = base + "-" + n;
            }
            Path target = images.resolve(name + ".png");
            byte[] png = Files.readAllBytes(dir.resolve("cells").resolve(r.key() + ".png"));
            if (!Files.isRegularFile(target) || !java.util.Arrays.equals(Files.readAllBytes(target), png)) {
                AtomicFiles.write(target, png);
            }
            r.values().put("imageFile", "images/" + name + ".png");
            Path trace = dir.resolve("cells").resolve(r.key() + ".trace.html");
            if (Files.isRegularFile(trace)) {
                String label = ExperimentPage.label(exp, r.values());
                String html = Files.readString(trace);
                String nav = "<nav id=\"cell\"><a href=\"../index.html\">← " + Html.esc(exp.name()) + " report</a> · "
                        + "cell " + Html.esc(label) + "</nav>";
                String titled = html.replaceFirst("<title>[^<]*</title>", java.util.regex.Matcher.quoteReplacement(
                        "<title>" + Html.esc(exp.name() + ": " + label) + "</title>"));
                titled = titled.contains("<nav id=\"cell\">")
                        ? titled.replaceFirst("<nav id=\"cell\">.*?</nav>", java.util.regex.Matcher.quoteReplacement(nav))
                        : titled.replaceFirst("<body>", java.util.regex.Matcher.quoteReplacement("<body>" + nav));
                if (!titled.equals(html)) {
                    AtomicFiles.writeString(trace, titled);
                }
            }
        }
    }

    private static RgbImage image(Path dir, String key) throws IOException {
        return PngFiles.read(dir.resolve("cells").resolve(key + ".png"));
    }

    /** Pixel distance to each group's baseline (the cell with every axis at its first value) and per-step drift. */
    private static void addComparisons(List<Row> rows, Path dir) throws IOException {
        Map<String, Row> baselines = new LinkedHashMap<>();
        for (Row r : rows) {
            if (r.cell().valueIndex().stream().allMatch(i -> i == 0)) {
                baselines.put(r.cell().prompt() + "|" + r.cell().seed(), r);
            }
        }
        Row loadedFor = null;
        RgbImage baseImage = null;
        float[][][] baseSteps = null;
        for (Row r : rows) {
            Row b = baselines.get(r.cell().prompt() + "|" + r.cell().seed());
            if (b == null) {
                continue;
            }
            if (b != loadedFor) {
                loadedFor = b;
                baseImage = image(dir, b.key());
                baseSteps = TrajectoryFiles.read(dir, String.valueOf(b.values().get("trajectory")));
            }
            RgbImage img = image(dir, r.key());
            r.values().put("maeToBaseline", ImageMetrics.mae(img, baseImage));
            r.values().put("ssimToBaseline", ImageMetrics.ssim(img, baseImage));
            float[][][] steps = TrajectoryFiles.read(dir, String.valueOf(r.values().get("trajectory")));
            if (steps != null && baseSteps != null && steps.length == baseSteps.length) {
                List<double[]> drift = new ArrayList<>();
                List<double[]> x0 = new ArrayList<>();
                for (int s = 0; s < steps.length; s++) {
                    drift.add(distance(steps[s][0], baseSteps[s][0]));
                    x0.add(distance(steps[s][1], baseSteps[s][1]));
                }
                r.values().put("stepL2ToBaseline", drift.stream().map(d -> d[0]).toList());
                r.values().put("stepCosineToBaseline", drift.stream().map(d -> d[1]).toList());
                r.values().put("stepX0L2ToBaseline", x0.stream().map(d -> d[0]).toList());
                r.values().put("stepX0CosineToBaseline", x0.stream().map(d -> d[1]).toList());
                // The first step where the arms' predicted clean images are measurably apart (1% of the final gap).
                double last = x0.get(x0.size() - 1)[0];
                int first = -1;
                for (int s = 0; s < x0.size(); s++) {
                    if (x0.get(s)[0] > 0.01 * Math.max(last, 1e-12) && x0.get(s)[0] > 1e-6) {
                        first = s + 1;
                        break;
                    }
                }
                r.values().put("firstDivergentStep", first < 0 ? null : first);
            }
        }
    }

    private static double[] distance(float[] a, float[] b) {
        double l2 = 0;
        double ab = 0;
        double aa = 0;
        double bb = 0;
        for (int i = 0; i < a.length; i++) {
            double x = a[i];
            double y = b[i];
            l2 += (x - y) * (x - y);
            ab += x * y;
            aa += x * x;
            bb += y * y;
        }
        return new double[] {Math.sqrt(l2), ab / Math.sqrt(aa * bb + 1e-30)};
    }

    /** Metrics summarised per axis value across prompts and seeds. */
    static final List<String> SUMMARISED = List.of("maeToBaseline", "ssimToBaseline", "imageTextSimilarity",
            "meanGuidanceDeltaNorm", "meanAppliedGuidanceNorm", "finalLatentStd");

    /** For each axis and value: the number of cells and, per metric, mean and sample standard deviation. */
    static List<Map<String, Object>> axisStats(Experiment exp, List<Row> results) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (int k = 0; k < exp.axes().size(); k++) {
            Experiment.Axis a = exp.axes().get(k);
            for (int v = 0; v < a.values().size(); v++) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("axis", a.label());
                m.put("value", a.values().get(v));
                int n = 0;
                Map<String, List<Double>> xs = new LinkedHashMap<>();
                for (Row r : results) {
                    if (r.cell().valueIndex().get(k) != v) {
                        continue;
                    }
                    n++;
                    for (String metric : SUMMARISED) {
                        if (r.values().get(metric) instanceof Number num) {
                            xs.computeIfAbsent(metric, x -> new ArrayList<>()).add(num.doubleValue());
                        }
                    }
                }
                m.put("cells", n);
                for (String metric : SUMMARISED) {
                    List<Double> l = xs.get(metric);
                    if (l == null) {
                        continue;
                    }
                    double mu = l.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
                    double var = 0;
                    for (double x : l) {
                        var += (x - mu) * (x - mu);
                    }
                    m.put(metric, Map.of("mean", mu, "std", l.size() > 1 ? Math.sqrt(var / (l.size() - 1)) : 0.0,
                            "n", l.size()));
                }
                out.add(m);
            }
        }
        return out;
    }

    private static void write(Experiment exp, List<Row> results, List<Map<String, Object>> audits, Path dir)
            throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("experiment", exp.name());
        root.put("cells", results.size());
        List<Map<String, Object>> rows = new ArrayList<>();
        results.forEach(r -> rows.add(r.values()));
        List<Map<String, Object>> stats = axisStats(exp, results);
        root.put("axisStats", stats);
        root.put("results", rows);
        if (!exp.vaeAuditImages().isEmpty()) {
            root.put("vaeAudit", audits);
        }
        AtomicFiles.write(dir.resolve("results.json"), JSON.writeValueAsBytes(root));

        List<String> columns = new ArrayList<>(List.of("prompt", "seed"));
        exp.axes().forEach(a -> columns.add(a.label()));
        columns.addAll(List.of("image", "imageFile", "promptRun", "guidance", "denoiserCalls", "meanGuidanceDeltaNorm",
                "meanAppliedGuidanceNorm", "imageTextSimilarity", "maeToBaseline", "ssimToBaseline",
                "firstDivergentStep", "finalLatentMean", "finalLatentStd", "initialNoiseSha256", "trace"));
        StringBuilder csv = new StringBuilder(String.join(",", columns)).append('\n');
        for (Map<String, Object> row : rows) {
            List<String> cells = new ArrayList<>();
            for (String c : columns) {
                Object v = row.get(c);
                String s = v == null ? "" : v.toString();
                cells.add(s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s);
            }
            csv.append(String.join(",", cells)).append('\n');
        }
        AtomicFiles.writeString(dir.resolve("results.csv"), csv.toString());

        // Contact sheets: one per prompt × seed (× values of the third and later axes).
        List<String> sheets = new ArrayList<>();
        Experiment.Axis colAxis = exp.axes().isEmpty() ? null : exp.axes().get(0);
        Experiment.Axis rowAxis = exp.axes().size() < 2 ? null : exp.axes().get(1);
        Map<String, List<Row>> groups = new LinkedHashMap<>();
        if (exp.axes().isEmpty()) {
            // No axes: one sheet per prompt, the seeds side by side.
            int n = 0;
            for (String p : exp.prompts()) {
                List<RgbImage> imgs = new ArrayList<>();
                for (Row r : results) {
                    if (r.cell().prompt().equals(p)) {
                        imgs.add(image(dir, r.key()));
                    }
                }
                String name = "sheet-" + (++n) + ".png";
                PngFiles.write(dir.resolve(name), ContactSheet.draw("\"" + p + "\"", exp.seeds().stream()
                        .map(x -> "seed " + x).toList(), List.of(""), imgs, 192), Map.of());
                sheets.add(name);
            }
        }
        for (Row r : results) {
            if (exp.axes().isEmpty()) {
                break;
            }
            List<Integer> rest = r.cell().valueIndex().size() > 2 ? r.cell().valueIndex().subList(2,
                    r.cell().valueIndex().size()) : List.of();
            groups.computeIfAbsent(r.cell().prompt() + "\u0000" + r.cell().seed() + "\u0000" + rest,
                    k -> new ArrayList<>()).add(r);
        }
        int n = 0;
        for (List<Row> g : groups.values()) {
            List<String> cols = colAxis == null ? List.of("") : colAxis.values().stream()
                    .map(v -> colAxis.label() + " = " + v).toList();
            List<String> rowLabels = rowAxis == null ? List.of("") : rowAxis.values().stream()
                    .map(v -> rowAxis.label() + " = " + v).toList();
            List<RgbImage> imgs = new ArrayList<>(java.util.Collections.nCopies(cols.size() * rowLabels.size(),
                    (RgbImage) null));
            for (Row r : g) {
                int c = colAxis == null ? 0 : r.cell().valueIndex().get(0);
                int rr = rowAxis == null ? 0 : r.cell().valueIndex().get(1);
                imgs.set(rr * cols.size() + c, image(dir, r.key()));
            }
            Row first = g.get(0);
            String name = "sheet-" + (++n) + ".png";
            PngFiles.write(dir.resolve(name), ContactSheet.draw("\"" + first.cell().prompt() + "\"  seed "
                    + first.cell().seed(), cols, rowLabels, imgs, 192), Map.of());
            sheets.add(name);
        }
        AtomicFiles.writeString(dir.resolve("index.html"), ExperimentPage.html(exp, columns, rows, sheets, stats,
                audits));
    }
}
