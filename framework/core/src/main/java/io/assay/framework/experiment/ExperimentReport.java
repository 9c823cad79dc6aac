package io.assay.framework.experiment;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.assay.framework.experiment.ExperimentRunner.CellResult;
import io.assay.framework.io.AtomicFiles;
import io.assay.framework.io.PngFiles;
import io.assay.sdk.tensor.RgbImage;
import io.assay.sdk.tensor.Tensor;
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

    /** Pixel distance to each group's baseline (the cell with every axis at its first value) and per-step drift. */
    static void addComparisons(List<CellResult> results) {
        Map<String, CellResult> baselines = new LinkedHashMap<>();
        for (CellResult r : results) {
            if (r.cell().valueIndex().stream().allMatch(i -> i == 0)) {
                baselines.put(r.cell().prompt() + "|" + r.cell().seed(), r);
            }
        }
        for (CellResult r : results) {
            CellResult b = baselines.get(r.cell().prompt() + "|" + r.cell().seed());
            if (b == null) {
                continue;
            }
            r.row().put("maeToBaseline", ImageMetrics.mae(r.image(), b.image()));
            r.row().put("ssimToBaseline", ImageMetrics.ssim(r.image(), b.image()));
            if (r.trajectory() != null && b.trajectory() != null
                    && r.trajectory().size() == b.trajectory().size()) {
                List<double[]> drift = new ArrayList<>();
                List<double[]> x0 = new ArrayList<>();
                for (int s = 0; s < r.trajectory().size(); s++) {
                    drift.add(distance(r.trajectory().get(s), b.trajectory().get(s)));
                    x0.add(distance(r.denoised().get(s), b.denoised().get(s)));
                }
                r.row().put("stepL2ToBaseline", drift.stream().map(d -> d[0]).toList());
                r.row().put("stepCosineToBaseline", drift.stream().map(d -> d[1]).toList());
                r.row().put("stepX0L2ToBaseline", x0.stream().map(d -> d[0]).toList());
                r.row().put("stepX0CosineToBaseline", x0.stream().map(d -> d[1]).toList());
                // The first step where the arms' predicted clean images are measurably apart (1% of the final gap).
                double last = x0.get(x0.size() - 1)[0];
                int first = -1;
                for (int s = 0; s < x0.size(); s++) {
                    if (x0.get(s)[0] > 0.01 * Math.max(last, 1e-12) && x0.get(s)[0] > 1e-6) {
                        first = s + 1;
                        break;
                    }
                }
                r.row().put("firstDivergentStep", first < 0 ? null : first);
            }
        }
    }

    private static double[] distance(Tensor a, Tensor b) {
        double l2 = 0;
        double ab = 0;
        double aa = 0;
        double bb = 0;
        for (int i = 0; i < a.size(); i++) {
            double x = a.data()[i];
            double y = b.data()[i];
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
    static List<Map<String, Object>> axisStats(Experiment exp, List<CellResult> results) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (int k = 0; k < exp.axes().size(); k++) {
            Experiment.Axis a = exp.axes().get(k);
            for (int v = 0; v < a.values().size(); v++) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("axis", a.label());
                m.put("value", a.values().get(v));
                int n = 0;
                Map<String, List<Double>> xs = new LinkedHashMap<>();
                for (CellResult r : results) {
                    if (r.cell().valueIndex().get(k) != v) {
                        continue;
                    }
                    n++;
                    for (String metric : SUMMARISED) {
                        if (r.row().get(metric) instanceof Number num) {
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

    static void write(Experiment exp, List<CellResult> results, Path dir, int computed, long denoiserCalls,
            int sessions) throws Exception {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("experiment", exp.name());
        root.put("cells", results.size());
        root.put("computed", computed);
        root.put("reused", results.size() - computed);
        root.put("denoiserCallsThisRun", denoiserCalls);
        // Model loads: sessions are shared by every cell using the same file, so a sweep over one model loads it once.
        root.put("onnxSessionsCreated", sessions);
        List<Map<String, Object>> rows = new ArrayList<>();
        results.forEach(r -> rows.add(r.row()));
        List<Map<String, Object>> stats = axisStats(exp, results);
        root.put("axisStats", stats);
        root.put("results", rows);
        AtomicFiles.write(dir.resolve("results.json"), JSON.writeValueAsBytes(root));

        List<String> columns = new ArrayList<>(List.of("prompt", "seed"));
        exp.axes().forEach(a -> columns.add(a.label()));
        columns.addAll(List.of("image", "guidance", "denoiserCalls", "meanGuidanceDeltaNorm",
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
        Map<String, List<CellResult>> groups = new LinkedHashMap<>();
        if (exp.axes().isEmpty()) {
            // No axes: one sheet per prompt, the seeds side by side.
            int n = 0;
            for (String p : exp.prompts()) {
                List<RgbImage> imgs = new ArrayList<>();
                for (CellResult r : results) {
                    if (r.cell().prompt().equals(p)) {
                        imgs.add(r.image());
                    }
                }
                String name = "sheet-" + (++n) + ".png";
                PngFiles.write(dir.resolve(name), ContactSheet.draw("\"" + p + "\"", exp.seeds().stream()
                        .map(x -> "seed " + x).toList(), List.of(""), imgs, 192), Map.of());
                sheets.add(name);
            }
        }
        for (CellResult r : results) {
            if (exp.axes().isEmpty()) {
                break;
            }
            List<Integer> rest = r.cell().valueIndex().size() > 2 ? r.cell().valueIndex().subList(2,
                    r.cell().valueIndex().size()) : List.of();
            groups.computeIfAbsent(r.cell().prompt() + "\u0000" + r.cell().seed() + "\u0000" + rest,
                    k -> new ArrayList<>()).add(r);
        }
        int n = 0;
        for (List<CellResult> g : groups.values()) {
            List<String> cols = colAxis == null ? List.of("") : colAxis.values().stream()
                    .map(v -> colAxis.label() + " = " + v).toList();
            List<String> rowLabels = rowAxis == null ? List.of("") : rowAxis.values().stream()
                    .map(v -> rowAxis.label() + " = " + v).toList();
            List<RgbImage> imgs = new ArrayList<>(java.util.Collections.nCopies(cols.size() * rowLabels.size(),
                    (RgbImage) null));
            for (CellResult r : g) {
                int c = colAxis == null ? 0 : r.cell().valueIndex().get(0);
                int rr = rowAxis == null ? 0 : r.cell().valueIndex().get(1);
                imgs.set(rr * cols.size() + c, r.image());
            }
            CellResult first = g.get(0);
            String name = "sheet-" + (++n) + ".png";
            PngFiles.write(dir.resolve(name), ContactSheet.draw("\"" + first.cell().prompt() + "\"  seed "
                    + first.cell().seed(), cols, rowLabels, imgs, 192), Map.of());
            sheets.add(name);
        }
        AtomicFiles.writeString(dir.resolve("index.html"), ExperimentPage.html(exp, columns, rows, sheets, stats));
    }
}
