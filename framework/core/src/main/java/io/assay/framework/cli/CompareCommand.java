package io.assay.framework.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.typesafe.config.ConfigRenderOptions;
import io.assay.framework.compare.ContactSheet;
import io.assay.framework.compare.Experiment;
import io.assay.framework.compare.ImageMetrics;
import io.assay.framework.engine.GenerationEngine;
import io.assay.framework.engine.GenerationRequest;
import io.assay.framework.engine.GenerationResult;
import io.assay.framework.engine.StepObserver;
import io.assay.framework.io.AtomicFiles;
import io.assay.framework.io.PngFiles;
import io.assay.sdk.settings.ConfigErrorsException;
import io.assay.sdk.settings.ConfigProblem;
import io.assay.sdk.settings.ConfigReport;
import io.assay.sdk.tensor.RgbImage;
import io.assay.sdk.tensor.Tensor;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code assay compare EXPERIMENT}: runs every cell of an experiment (prompts × seeds × axis values) through one
 * plugin host and one session cache, and writes one PNG per cell, contact sheets, {@code results.json},
 * {@code results.csv} and {@code index.html}. Cells with the same seed start from the same initial latents.
 * Re-running recomputes only cells whose key (resolved config, prompt, seed, plugin versions) has no result yet.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Run an experiment's cells and write images, contact sheets, results and a report.")
public final class CompareCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common = new CommonOptions();

    @Parameters(index = "0", paramLabel = "EXPERIMENT", description = "Experiment file (HOCON with an experiment section).")
    Path experimentFile;

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory (default: out/<experiment name>).")
    Path out;

    @Option(names = "--trace", description = "Write each cell's trace (cells/<key>.trace.json and .trace.html), "
            + "linked from the report.")
    boolean trace;

    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** What one cell produced. */
    record CellResult(int index, Experiment.Cell cell, String key, Map<String, Object> row, RgbImage image,
            List<Tensor> trajectory, List<Tensor> denoised) {
    }

    @Override
    public Integer call() throws Exception {
        common.config = experimentFile;
        if (trace) {
            common.set("output.trace", "true");
        }
        PrintWriter err = spec.commandLine().getErr();
        Map<Path, io.assay.lib.imagetext.ImageTextScorer> scorers = new LinkedHashMap<>();
        try (Workbench bench = Workbench.open(common, err)) {
            Path file = Workbench.resolveConfigFile(experimentFile);
            Experiment exp = Experiment.parse(bench.config(), file.toString());
            List<Experiment.Cell> cells = exp.orderedCells();
            List<String> base = bench.sets();
            // Validate every cell before any runs, naming the axis that broke it.
            for (Experiment.Cell c : cells) {
                bench.reconfigure(base, c.overrides(), "experiment");
                try {
                    bench.validate(null);
                } catch (ConfigErrorsException e) {
                    ConfigReport r = new ConfigReport();
                    for (Experiment.Axis a : exp.axes()) {
                        for (int v = 0; v < a.values().size(); v++) {
                            if (c.overrides().containsAll(a.overrides().get(v)) && !a.overrides().get(v).isEmpty()) {
                                for (ConfigProblem p : e.report().errors()) {
                                    if (p.file().equals(io.assay.framework.settings.ConfigLoader.SET_ORIGIN)
                                            || p.file().isEmpty()) {
                                        r.error(new ConfigProblem(a.origin().file(), a.origin().line(), p.key(),
                                                "axis '" + a.label() + "' value '" + a.values().get(v) + "': "
                                                        + p.message()));
                                    }
                                }
                            }
                        }
                    }
                    if (!r.hasErrors()) {
                        throw e;
                    }
                    throw new ConfigErrorsException(r, file.toString());
                }
            }
            List<Experiment.Cell> cells0 = exp.cells();
            CancelFlag cancel = CancelFlag.onInterrupt();
            Path dir = out != null ? out : Path.of("out", exp.name());
            Path cellsDir = dir.resolve("cells");
            Files.createDirectories(cellsDir);
            List<CellResult> results = new ArrayList<>();
            int computed = 0;
            long denoiserCalls = 0;
            Workbench.Assembled previous = null;
            long t0 = System.nanoTime();
            try {
                for (int i = 0; i < cells.size(); i++) {
                    Experiment.Cell c = cells.get(i);
                    List<String> sets = new ArrayList<>(c.overrides());
                    sets.add("run.prompt=" + CommonOptions.quote(c.prompt()));
                    sets.add("run.seed=" + c.seed());
                    bench.reconfigure(base, sets, "experiment");
                    var v = bench.validate(null);
                    String key = key(v.config().root().render(ConfigRenderOptions.concise()),
                            Workbench.components(v));
                    Path png = cellsDir.resolve(key + ".png");
                    Path meta = cellsDir.resolve(key + ".json");
                    if (Files.isRegularFile(png) && Files.isRegularFile(meta)) {
                        @SuppressWarnings("unchecked")
                        Map<String, Object> row = json.readValue(meta.toFile(), LinkedHashMap.class);
                        results.add(new CellResult(i, c, key, row, PngFiles.read(png), null, null));
                        progress(err, i + 1, cells.size(), t0, "reused");
                        continue;
                    }
                    // Assemble the next cell before closing the previous one: sessions on the same files are shared.
                    Workbench.Assembled a = bench.assemble();
                    if (previous != null) {
                        previous.close();
                    }
                    previous = a;
                    GenerationRequest request = bench.request(a);
                    List<Tensor> trajectory = new ArrayList<>();
                    List<Tensor> denoised = new ArrayList<>();
                    List<Double> deltas = new ArrayList<>();
                    List<Double> applied = new ArrayList<>();
                    StepObserver collect = new StepObserver() {
                        @Override
                        public void stepped(StepRecord s) {
                            trajectory.add(s.latents());
                            denoised.add(s.denoised() != null ? s.denoised() : s.latents());
                            if (!Double.isNaN(s.guidanceDeltaNorm())) {
                                deltas.add(s.guidanceDeltaNorm());
                                applied.add(s.appliedGuidanceNorm());
                            }
                        }
                    };
                    GenerationResult r = new GenerationEngine().generate(a.pipeline(), request, null,
                            a.trace() == null ? collect : StepObservers.all(List.of(collect, a.trace())), cancel);
                    computed++;
                    denoiserCalls += r.denoiserCalls();
                    RgbImage img = r.images().get(0);
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("prompt", c.prompt());
                    row.put("seed", c.seed());
                    for (int k = 0; k < exp.axes().size(); k++) {
                        row.put(exp.axes().get(k).label(), exp.axes().get(k).values().get(c.valueIndex().get(k)));
                    }
                    row.put("image", "cells/" + key + ".png");
                    row.put("guidance", r.guidance());
                    row.put("denoiserCalls", r.denoiserCalls());
                    row.put("meanGuidanceDeltaNorm", mean(deltas));
                    row.put("meanAppliedGuidanceNorm", mean(applied));
                    row.put("guidanceDeltaNorms", deltas);
                    row.put("appliedGuidanceNorms", applied);
                    io.assay.lib.imagetext.ImageTextScorer scorer = scorer(bench, v, scorers);
                    row.put("imageTextSimilarity", scorer == null ? null : scorer.score(img, c.prompt()));
                    row.put("finalLatentMean", r.finalLatents().mean());
                    row.put("finalLatentStd", r.finalLatents().std());
                    row.put("initialNoiseSha256", Hashes.sha256(r.initialNoise()));
                    row.put("timingsMillis", r.timingsMillis());
                    row.put("components", Workbench.components(v));
                    Map<String, String> pngText = bench.metadata(a, request, r, 0);
                    row.put("parameters", pngText.get("parameters"));
                    row.put("provenance", json.readValue(pngText.get("assay"), LinkedHashMap.class));
                    if (a.trace() != null) {
                        a.trace().write(cellsDir.resolve(key + ".trace.json"), r, key + ".png");
                        row.put("trace", "cells/" + key + ".trace.html");
                    }
                    PngFiles.write(png, img, pngText);
                    AtomicFiles.write(meta, json.writeValueAsBytes(row));
                    results.add(new CellResult(i, c, key, row, img, trajectory, denoised));
                    progress(err, i + 1, cells.size(), t0, "computed");
                }
            } finally {
                if (previous != null) {
                    previous.close();
                }
                cancel.close();
                scorers.values().forEach(io.assay.lib.imagetext.ImageTextScorer::close);
            }
            // The report lists cells in the experiment's own order, whatever order they ran in.
            results.sort(java.util.Comparator.comparingInt(r -> cells0.indexOf(r.cell())));
            addComparisons(results);
            writeReports(exp, results, dir, computed, denoiserCalls, bench.sessions().sessionsCreated());
            spec.commandLine().getOut().println(dir.resolve("index.html"));
            return ExitCodes.OK;
        }
    }

    /** The cell's identity: its resolved config (prompt and seed included) and the plugin versions that run it. */
    private static String key(String resolvedConfig, Map<String, String> components) {
        return Hashes.sha256((resolvedConfig + "|" + components).getBytes(StandardCharsets.UTF_8)).substring(0, 16);
    }

    private static Double mean(List<Double> xs) {
        return xs.isEmpty() ? null : xs.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    /** The image–text scorer for a cell's model ({@code metrics.image-text}), opened once per directory. */
    private static io.assay.lib.imagetext.ImageTextScorer scorer(Workbench bench,
            io.assay.framework.settings.ValidatedConfig v, Map<Path, io.assay.lib.imagetext.ImageTextScorer> open) {
        String setting = v.section("metrics", io.assay.framework.settings.MetricsSettings.class).imageText();
        Path dir;
        if (setting == null || setting.equals("none")) {
            return null;
        } else if (setting.equals("auto")) {
            Path model = v.section("model", io.assay.framework.settings.ModelSettings.class).dir();
            if (model == null || !io.assay.lib.imagetext.ImageTextScorer.present(model)
                    || !Files.isRegularFile(model.resolve("image_encoder/model.onnx"))) {
                return null;
            }
            dir = model;
        } else {
            dir = Workbench.expandHome(setting);
        }
        return open.computeIfAbsent(dir.toAbsolutePath().normalize(),
                d -> io.assay.lib.imagetext.ImageTextScorer.open(d, bench.sessions()));
    }

    private static void progress(PrintWriter err, int done, int total, long t0, String what) {
        double elapsed = (System.nanoTime() - t0) / 1e9;
        double left = done == 0 ? 0 : elapsed / done * (total - done);
        err.printf("compare: cell %d/%d %s (%.1f s elapsed, ~%.0f s left)%n", done, total, what, elapsed, left);
        err.flush();
    }

    /** Pixel distance to each group's baseline (the cell with every axis at its first value) and per-step drift. */
    private static void addComparisons(List<CellResult> results) {
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

    private void writeReports(Experiment exp, List<CellResult> results, Path dir, int computed, long denoiserCalls,
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
        AtomicFiles.write(dir.resolve("results.json"), json.writeValueAsBytes(root));

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
        AtomicFiles.writeString(dir.resolve("index.html"), Report.html(exp, columns, rows, sheets, stats));
    }

    /** Used by tests: the rows of a written results.json. */
    static JsonNode readResults(Path dir) throws Exception {
        return new ObjectMapper().readTree(dir.resolve("results.json").toFile());
    }
}
