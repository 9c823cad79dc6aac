package io.assay.framework.experiment;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.assay.framework.assembly.Assembled;
import io.assay.framework.assembly.PipelineAssembler;
import io.assay.framework.engine.GenerationEngine;
import io.assay.framework.engine.GenerationRequest;
import io.assay.framework.engine.GenerationResult;
import io.assay.framework.engine.StepObserver;
import io.assay.framework.engine.StepObservers;
import io.assay.framework.experiment.ExperimentPlan.PlannedCell;
import io.assay.framework.inspect.Influence;
import io.assay.framework.inspect.InfluenceReport;
import io.assay.framework.io.AtomicFiles;
import io.assay.framework.io.Hashes;
import io.assay.framework.io.PngFiles;
import io.assay.framework.runtime.AssayRuntime;
import io.assay.framework.runtime.RunConfig;
import io.assay.framework.settings.MetricsSettings;
import io.assay.framework.settings.ModelSettings;
import io.assay.lib.imagetext.ImageTextScorer;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import io.assay.sdk.diffusion.Autoencoder;
import io.assay.sdk.diffusion.ConditioningKey;
import io.assay.sdk.tensor.RgbImage;
import io.assay.sdk.tensor.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Runs an {@link ExperimentPlan} on a runtime (its plugin host, its model cache): each distinct text encoding once,
 * each distinct trajectory once (its steps written to {@code trajectories/}), then one decode per cell that shares
 * it; every cell is written to {@code cells/} (PNG, JSON, optional trace) as soon as it is done, and the report is
 * built from those files ({@link ExperimentReport}), so a resumed run writes the same report as an uninterrupted one.
 * What this run did (cells computed and reused, loops, decodes, encodings, sessions) goes to {@code run.json}.
 */
public final class ExperimentRunner {

    /** Receives progress: cells done of the total, and whether the last one was computed or reused. */
    public interface Progress {
        /** One more cell is done. */
        void cell(int done, int total, boolean computed);
    }

    /**
     * What a run did.
     *
     * @param dir the output directory
     * @param cells cells in the experiment
     * @param computed cells computed by this run (the rest were reused)
     * @param trajectories denoising loops run
     * @param decodes autoencoder decodes run
     * @param encodings text-encoder calls made
     * @param denoiserCalls batched denoiser calls made
     */
    public record Summary(Path dir, int cells, int computed, int trajectories, int decodes, int encodings,
            long denoiserCalls) {
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final int KEPT_ENCODINGS = 64;

    private final AssayRuntime runtime;
    private final GenerationEngine engine = new GenerationEngine();
    /** Text encodings by encoder and texts; the most recently used few (cells of one prompt run together). */
    private final Map<String, Map<ConditioningKey, Tensor>> encodings = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Map<ConditioningKey, Tensor>> eldest) {
            return size() > KEPT_ENCODINGS;
        }
    };
    /** The text encoder's trace events for each kept encoding, replayed into the traces of runs that reuse it. */
    private final Map<String, List<Map<String, Object>>> encodingReports = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, List<Map<String, Object>>> eldest) {
            return size() > KEPT_ENCODINGS;
        }
    };
    private final Map<Path, ImageTextScorer> scorers = new LinkedHashMap<>();
    /** {@code metrics.similarity} components by name and model directory, with the lease they were created under. */
    private final Map<String, SimilarityMetrics.Opened> metrics = new LinkedHashMap<>();
    private int trajectories;
    private int decodes;
    private int encodingCalls;
    private long denoiserCalls;

    /** A runner on a runtime; it keeps encodings for one {@link #run}. */
    public ExperimentRunner(AssayRuntime runtime) {
        this.runtime = runtime;
    }

    /**
     * Runs the missing cells and writes the report.
     *
     * @param out the output directory, or null for {@code out/<experiment name>}
     * @param cancel polled between steps
     * @param progress told about every cell
     */
    public Summary run(ExperimentPlan plan, Path out, BooleanSupplier cancel, Progress progress) throws IOException {
        long t0 = System.nanoTime();
        int sessionsBefore = runtime.sessions().sessionsCreated();
        Path dir = out != null ? out : Path.of("out", plan.experiment().name());
        Path cellsDir = Files.createDirectories(dir.resolve("cells"));
        Files.createDirectories(dir.resolve("trajectories"));
        List<PlannedCell> missing = new ArrayList<>();
        int done = 0;
        for (PlannedCell c : plan.cells()) {
            boolean exists = Files.isRegularFile(cellsDir.resolve(c.key() + ".png"))
                    && Files.isRegularFile(cellsDir.resolve(c.key() + ".json"));
            if (exists || missing.stream().anyMatch(m -> m.key().equals(c.key()))) {
                progress.cell(++done, plan.cells().size(), false);
            } else {
                missing.add(c);
            }
        }
        try {
            for (List<PlannedCell> group : plan.byTrajectory(missing)) {
                runGroup(plan, group, dir, cancel);
                for (int i = 0; i < group.size(); i++) {
                    progress.cell(++done, plan.cells().size(), true);
                }
            }
        } finally {
            scorers.values().forEach(ImageTextScorer::close);
            scorers.clear();
            metrics.values().forEach(SimilarityMetrics.Opened::close);
            metrics.clear();
            encodings.clear();
            encodingReports.clear();
        }
        int audits = VaeAudits.run(runtime, plan, dir);
        ExperimentReport.write(plan, dir);
        Summary s = new Summary(dir, plan.cells().size(), missing.size(), trajectories, decodes, encodingCalls,
                denoiserCalls);
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("experiment", plan.experiment().name());
        run.put("cells", s.cells());
        run.put("computed", s.computed());
        run.put("reused", s.cells() - s.computed());
        run.put("trajectories", s.trajectories());
        run.put("decodes", s.decodes());
        run.put("textEncodings", s.encodings());
        run.put("denoiserCalls", s.denoiserCalls());
        run.put("vaeAudits", audits);
        // Model loads: every cell using a model file shares its session, so a sweep over one model loads it once.
        run.put("onnxSessionsCreated", runtime.sessions().sessionsCreated() - sessionsBefore);
        run.put("wallMillis", (System.nanoTime() - t0) / 1e6);
        AtomicFiles.write(dir.resolve("run.json"), JSON.writeValueAsBytes(run));
        return s;
    }

    /**
     * Runs some of a plan's cells into {@code dir} ({@code cells/}, {@code trajectories/}) without writing the report:
     * for engines that run groups of cells on many machines and build the report once from all the files.
     */
    public void runCells(ExperimentPlan plan, List<PlannedCell> cells, Path dir, BooleanSupplier cancel)
            throws IOException {
        Files.createDirectories(dir.resolve("cells"));
        Files.createDirectories(dir.resolve("trajectories"));
        try {
            for (List<PlannedCell> group : plan.byTrajectory(cells)) {
                runGroup(plan, group, dir, cancel);
            }
        } finally {
            scorers.values().forEach(ImageTextScorer::close);
            scorers.clear();
            encodings.clear();
            encodingReports.clear();
        }
    }

    /** One trajectory: denoised once, written, then decoded for every cell of the group. */
    private void runGroup(ExperimentPlan plan, List<PlannedCell> group, Path dir, BooleanSupplier cancel)
            throws IOException {
        PlannedCell first = group.get(0);
        long t0 = System.nanoTime();
        try (Assembled a = runtime.assemble(first.config())) {
            GenerationRequest request = runtime.request(first.config(), a);
            GenerationEngine.Plan run = engine.plan(a.pipeline(), request);
            Map<String, Double> timings = new LinkedHashMap<>();
            String encodingKey = encodingKey(first.config(), run.texts());
            Map<ConditioningKey, Tensor> embeddings = encodings.get(encodingKey);
            if (embeddings == null) {
                embeddings = engine.encode(a.pipeline().textEncoder(), run, timings);
                encodings.put(encodingKey, embeddings);
                encodingReports.put(encodingKey, a.trace() == null ? List.of() : a.trace().events("text-encoder"));
                encodingCalls++;
            } else if (a.trace() != null) {
                // The encoder did not run for this trajectory; its report (tokens, truncation) still belongs in
                // this cell's trace, marked as reused.
                a.trace().replay(encodingReports.getOrDefault(encodingKey, List.of()));
            }
            Steps steps = new Steps();
            StepObserver observer = a.trace() == null ? steps : StepObservers.all(List.of(steps, a.trace()));
            GenerationEngine.Trajectory t = engine.denoise(a.pipeline(), run, embeddings, null, observer, cancel,
                    timings);
            trajectories++;
            denoiserCalls += t.denoiserCalls();
            TrajectoryFiles.write(dir, first.trajectoryKey(), steps.latents, steps.denoised);
            // Cells of one trajectory differ only in decoding: one influence run serves them all (its maps are
            // measured on the latents; each cell's page draws them over its own image).
            Influence.Result influence = null;
            if (plan.experiment().influence()) {
                influence = Influence.run(a.pipeline(), request, new Influence.Options(Influence.Unit.WORD, 0, false),
                        cancel);
                denoiserCalls += influence.denoiserCalls();
            }
            for (PlannedCell c : group) {
                if (c == first) {
                    writeCell(plan, c, a, a.pipeline().autoencoder(), request, t, steps, dir, t0, influence);
                } else {
                    try (Assembled own = runtime.assemble(c.config())) {
                        requireSameLatents(a.pipeline().autoencoder(), own.pipeline().autoencoder(), c);
                        writeCell(plan, c, a, own.pipeline().autoencoder(), request, t, steps, dir,
                                System.nanoTime(), influence);
                    }
                }
            }
        }
    }

    /** Cells that share a trajectory differ only in decoding, so their autoencoders must read the same latents. */
    private static void requireSameLatents(Autoencoder shared, Autoencoder own, PlannedCell c) {
        if (shared.latentChannels() != own.latentChannels()
                || shared.downsamplingFactor() != own.downsamplingFactor()) {
            throw new StageException(ErrorCode.INCOMPATIBLE, "cell " + c.key() + " (prompt '" + c.cell().prompt()
                    + "'): its autoencoder takes " + own.latentChannels() + "-channel latents at factor "
                    + own.downsamplingFactor() + " but the cells it shares a trajectory with take "
                    + shared.latentChannels() + " at factor " + shared.downsamplingFactor()
                    + "; an autoencoder axis may only vary how latents are decoded");
        }
    }

    /** The text encoder, its settings and plugin version, and the texts: what makes an encoding the same. */
    private static String encodingKey(RunConfig c, Map<ConditioningKey, String> texts) {
        var s = c.validated().stages().get("text-encoder");
        String onnx = String.valueOf(c.validated().sections().get("onnx"));
        return Hashes.sha256((s.canonicalName() + "|" + s.plugin() + "|" + s.settings() + "|" + onnx + "|" + texts)
                .getBytes(StandardCharsets.UTF_8));
    }

    /** Decodes one cell's image from the shared trajectory and writes its PNG, JSON and trace. */
    private void writeCell(ExperimentPlan plan, PlannedCell c, Assembled traced, Autoencoder autoencoder,
            GenerationRequest request, GenerationEngine.Trajectory t, Steps steps, Path dir, long t0,
            Influence.Result influence) throws IOException {
        GenerationResult r = engine.decode(autoencoder, t, t0);
        decodes++;
        Experiment exp = plan.experiment();
        RgbImage img = r.images().get(0);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("prompt", c.cell().prompt());
        if (!c.cell().text().equals(c.cell().prompt())) {
            row.put("promptRun", c.cell().text());
        }
        row.put("seed", c.cell().seed());
        for (int k = 0; k < exp.axes().size(); k++) {
            row.put(exp.axes().get(k).label(), exp.axes().get(k).values().get(c.cell().valueIndex().get(k)));
        }
        row.put("image", "cells/" + c.key() + ".png");
        row.put("trajectory", TrajectoryFiles.name(c.trajectoryKey()));
        row.put("guidance", r.guidance());
        row.put("denoiserCalls", r.denoiserCalls());
        row.put("meanGuidanceDeltaNorm", mean(steps.deltas));
        row.put("meanAppliedGuidanceNorm", mean(steps.applied));
        row.put("guidanceDeltaNorms", steps.deltas);
        row.put("appliedGuidanceNorms", steps.applied);
        String metric = c.config().validated().section("metrics", MetricsSettings.class).similarity();
        if (metric != null) {
            Path model = c.config().validated().section("model", ModelSettings.class).dir();
            SimilarityMetrics.Opened m = metrics.computeIfAbsent(metric + "|" + model,
                    k -> SimilarityMetrics.open(runtime.host(), metric, model));
            row.put("imageTextSimilarity", m.score(img, c.cell().text()));
            row.put("similarityMetric", m.describe());
        } else {
            ImageTextScorer scorer = scorer(c.config());
            row.put("imageTextSimilarity", scorer == null ? null : scorer.score(img, c.cell().text()));
        }
        row.put("finalLatentMean", r.finalLatents().mean());
        row.put("finalLatentStd", r.finalLatents().std());
        row.put("initialNoiseSha256", Hashes.sha256(r.initialNoise()));
        row.put("timingsMillis", r.timingsMillis());
        row.put("components", PipelineAssembler.components(c.config().validated()));
        Map<String, String> pngText = runtime.metadata(c.config(), request, r, 0);
        row.put("parameters", pngText.get("parameters"));
        row.put("provenance", JSON.readValue(pngText.get("assay"), LinkedHashMap.class));
        Path cellsDir = dir.resolve("cells");
        if (traced.trace() != null && c.config().output().trace()) {
            traced.trace().put("components", PipelineAssembler.components(c.config().validated()));
            traced.trace().write(cellsDir.resolve(c.key() + ".trace.json"), r, c.key() + ".png");
            row.put("trace", "cells/" + c.key() + ".trace.html");
        }
        if (influence != null) {
            Influence.Result inf = influence.onImage(img);
            Map<String, Object> totals = new LinkedHashMap<>();
            for (int j = 0; j < inf.ablations().size(); j++) {
                String word = inf.ablations().get(j).label();
                String k = word;
                for (int n = 2; totals.containsKey(k); n++) {
                    k = word + " (" + n + ")";
                }
                totals.put(k, inf.total(j));
            }
            // The maps belong to the trajectory: every cell that shares it has the same ones.
            InfluenceReport.write(inf, dir.resolve("influence").resolve(c.key()), Map.of("trajectory",
                    TrajectoryFiles.name(c.trajectoryKey())));
            row.put("influence", totals);
            row.put("influencePage", "influence/" + c.key() + "/index.html");
        }
        PngFiles.write(cellsDir.resolve(c.key() + ".png"), img, pngText);
        // The JSON last: a cell counts as done only when its PNG is complete.
        AtomicFiles.write(cellsDir.resolve(c.key() + ".json"), JSON.writeValueAsBytes(row));
    }

    /** The image–text scorer for a cell's model ({@code metrics.image-text}), opened once per directory. */
    private ImageTextScorer scorer(RunConfig c) {
        String setting = c.validated().section("metrics", MetricsSettings.class).imageText();
        Path dir;
        if (setting == null || setting.equals("none")) {
            return null;
        } else if (setting.equals("auto")) {
            Path model = c.validated().section("model", ModelSettings.class).dir();
            if (model == null || !ImageTextScorer.present(model)
                    || !Files.isRegularFile(model.resolve("image_encoder/model.onnx"))) {
                return null;
            }
            dir = model;
        } else {
            dir = AssayRuntime.expandHome(setting);
        }
        return scorers.computeIfAbsent(dir.toAbsolutePath().normalize(),
                d -> ImageTextScorer.open(d, runtime.sessions()));
    }

    private static Double mean(List<Double> xs) {
        return xs.isEmpty() ? null : xs.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    /** One trajectory's steps: latents and predicted clean latents (for drift), and the guidance norms. */
    private static final class Steps implements StepObserver {
        final List<Tensor> latents = new ArrayList<>();
        final List<Tensor> denoised = new ArrayList<>();
        final List<Double> deltas = new ArrayList<>();
        final List<Double> applied = new ArrayList<>();

        @Override
        public void stepped(StepRecord s) {
            latents.add(s.latents());
            denoised.add(s.denoised() != null ? s.denoised() : s.latents());
            if (!Double.isNaN(s.guidanceDeltaNorm())) {
                deltas.add(s.guidanceDeltaNorm());
            }
            if (!Double.isNaN(s.appliedGuidanceNorm())) {
                applied.add(s.appliedGuidanceNorm());
            }
        }
    }
}
