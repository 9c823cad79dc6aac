package io.assay.framework.experiment;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.typesafe.config.ConfigRenderOptions;
import io.assay.framework.assembly.Assembled;
import io.assay.framework.assembly.PipelineAssembler;
import io.assay.framework.engine.GenerationEngine;
import io.assay.framework.engine.GenerationRequest;
import io.assay.framework.engine.GenerationResult;
import io.assay.framework.engine.StepObserver;
import io.assay.framework.engine.StepObservers;
import io.assay.framework.io.AtomicFiles;
import io.assay.framework.io.Hashes;
import io.assay.framework.io.PngFiles;
import io.assay.framework.runtime.Workbench;
import io.assay.framework.settings.ConfigLoader;
import io.assay.lib.imagetext.ImageTextScorer;
import io.assay.sdk.settings.ConfigErrorsException;
import io.assay.sdk.settings.ConfigProblem;
import io.assay.sdk.settings.ConfigReport;
import io.assay.sdk.tensor.RgbImage;
import io.assay.sdk.tensor.Tensor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Runs every cell of an experiment (prompts × seeds × axis values) through one {@link Workbench} — one plugin host,
 * one session cache — and writes one PNG and one JSON per cell, then the report ({@link ExperimentReport}). Cells
 * with the same seed start from the same initial latents. Re-running recomputes only cells whose key (resolved
 * config, prompt, seed, plugin versions) has no result yet.
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
     */
    public record Summary(Path dir, int cells, int computed) {
    }

    /** What one cell produced. */
    record CellResult(int index, Experiment.Cell cell, String key, Map<String, Object> row, RgbImage image,
            List<Tensor> trajectory, List<Tensor> denoised) {
    }

    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private final Workbench bench;

    /** A runner on a workbench opened on the experiment file. */
    public ExperimentRunner(Workbench bench) {
        this.bench = bench;
    }

    /**
     * Validates every cell, runs the missing ones and writes the report.
     *
     * @param file the experiment file (for messages)
     * @param out the output directory, or null for {@code out/<experiment name>}
     * @param cancel polled between steps
     * @param progress told about every cell
     */
    public Summary run(Path file, Path out, BooleanSupplier cancel, Progress progress) throws Exception {
        Map<Path, ImageTextScorer> scorers = new LinkedHashMap<>();
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
        Path dir = out != null ? out : Path.of("out", exp.name());
        Path cellsDir = dir.resolve("cells");
        Files.createDirectories(cellsDir);
        List<CellResult> results = new ArrayList<>();
        int computed = 0;
        long denoiserCalls = 0;
        Assembled previous = null;
        try {
            for (int i = 0; i < cells.size(); i++) {
                Experiment.Cell c = cells.get(i);
                List<String> sets = new ArrayList<>(c.overrides());
                sets.add("run.prompt=" + ConfigLoader.quote(c.prompt()));
                sets.add("run.seed=" + c.seed());
                bench.reconfigure(base, sets, "experiment");
                var v = bench.validate(null);
                String key = key(v.config().root().render(ConfigRenderOptions.concise()),
                        PipelineAssembler.components(v));
                Path png = cellsDir.resolve(key + ".png");
                Path meta = cellsDir.resolve(key + ".json");
                if (Files.isRegularFile(png) && Files.isRegularFile(meta)) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> row = json.readValue(meta.toFile(), LinkedHashMap.class);
                    results.add(new CellResult(i, c, key, row, PngFiles.read(png), null, null));
                    progress.cell(i + 1, cells.size(), false);
                    continue;
                }
                // Assemble the next cell before closing the previous one: sessions on the same files are shared.
                Assembled a = bench.assemble();
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
                ImageTextScorer scorer = scorer(bench, v, scorers);
                row.put("imageTextSimilarity", scorer == null ? null : scorer.score(img, c.prompt()));
                row.put("finalLatentMean", r.finalLatents().mean());
                row.put("finalLatentStd", r.finalLatents().std());
                row.put("initialNoiseSha256", Hashes.sha256(r.initialNoise()));
                row.put("timingsMillis", r.timingsMillis());
                row.put("components", PipelineAssembler.components(v));
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
                progress.cell(i + 1, cells.size(), true);
            }
        } finally {
            if (previous != null) {
                previous.close();
            }
            scorers.values().forEach(ImageTextScorer::close);
        }
        // The report lists cells in the experiment's own order, whatever order they ran in.
        results.sort(java.util.Comparator.comparingInt(r -> cells0.indexOf(r.cell())));
        ExperimentReport.addComparisons(results);
        ExperimentReport.write(exp, results, dir, computed, denoiserCalls, bench.sessions().sessionsCreated());
        return new Summary(dir, cells.size(), computed);
    }

    /** The cell's identity: its resolved config (prompt and seed included) and the plugin versions that run it. */
    private static String key(String resolvedConfig, Map<String, String> components) {
        return Hashes.sha256((resolvedConfig + "|" + components).getBytes(StandardCharsets.UTF_8)).substring(0, 16);
    }

    private static Double mean(List<Double> xs) {
        return xs.isEmpty() ? null : xs.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    /** The image–text scorer for a cell's model ({@code metrics.image-text}), opened once per directory. */
    private static ImageTextScorer scorer(Workbench bench,
            io.assay.framework.settings.ValidatedConfig v, Map<Path, ImageTextScorer> open) {
        String setting = v.section("metrics", io.assay.framework.settings.MetricsSettings.class).imageText();
        Path dir;
        if (setting == null || setting.equals("none")) {
            return null;
        } else if (setting.equals("auto")) {
            Path model = v.section("model", io.assay.framework.settings.ModelSettings.class).dir();
            if (model == null || !ImageTextScorer.present(model)
                    || !Files.isRegularFile(model.resolve("image_encoder/model.onnx"))) {
                return null;
            }
            dir = model;
        } else {
            dir = Workbench.expandHome(setting);
        }
        return open.computeIfAbsent(dir.toAbsolutePath().normalize(),
                d -> ImageTextScorer.open(d, bench.sessions()));
    }
}
