package io.assay.framework.experiment;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import io.assay.framework.assembly.PipelineAssembler;
import io.assay.framework.io.Hashes;
import io.assay.framework.runtime.AssayRuntime;
import io.assay.framework.runtime.RunConfig;
import io.assay.framework.settings.ConfigLoader;
import io.assay.framework.settings.ValidatedConfig;
import io.assay.sdk.settings.ConfigErrorsException;
import io.assay.sdk.settings.ConfigReport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An experiment as shared work: every cell validated before anything runs (a broken one named by its axis and the
 * axis's file:line), then keyed three ways —
 * <ul>
 *   <li>the <b>cell key</b>: its resolved configuration and plugin versions (a cell whose files exist is reused);</li>
 *   <li>the <b>trajectory key</b>: the same without what only decoding and reporting read ({@code autoencoder},
 *       {@code output}, {@code metrics}), so cells that differ only there share one denoising loop and are
 *       decoded once each (an image-to-image cell keeps its autoencoder in the key: it encodes the init image);</li>
 *   <li>the text encodings, keyed by the text encoder and the texts at run time ({@link ExperimentRunner}).</li>
 * </ul>
 *
 * @param experiment the parsed experiment
 * @param file the experiment file
 * @param cells the cells in running order (grouped so a model loads once)
 */
public record ExperimentPlan(Experiment experiment, Path file, List<PlannedCell> cells) {

    /** Sections that do not change a trajectory (unless the run encodes an init image). */
    private static final List<String> DECODE_ONLY = List.of("autoencoder", "output", "metrics");

    /**
     * One cell, validated.
     *
     * @param cell the experiment's cell
     * @param config its configuration
     * @param key its identity (file names under {@code cells/})
     * @param trajectoryKey the identity of its denoising loop
     */
    public record PlannedCell(Experiment.Cell cell, RunConfig config, String key, String trajectoryKey) {
    }

    /**
     * Reads the experiment section of {@code file} and validates every cell.
     *
     * @param sets overrides for every cell (the server's request adds its own)
     * @throws ConfigErrorsException naming the axis value (and its file:line) that makes a cell invalid
     */
    public static ExperimentPlan of(AssayRuntime runtime, Path file, List<String> sets) {
        Config raw = runtime.raw(file);
        Experiment exp = Experiment.parse(raw, file.toString());
        List<PlannedCell> planned = new ArrayList<>();
        for (Experiment.Cell c : exp.orderedCells()) {
            List<String> cellSets = new ArrayList<>(sets);
            cellSets.addAll(c.overrides());
            cellSets.add("run.prompt=" + ConfigLoader.quote(c.text()));
            cellSets.add("run.seed=" + c.seed());
            RunConfig config;
            try {
                config = runtime.configure(file, cellSets, "experiment", null);
            } catch (ConfigErrorsException e) {
                throw blameAxis(exp, c, e, file);
            }
            planned.add(new PlannedCell(c, config, cellKey(config.validated()), trajectoryKey(config.validated())));
        }
        return new ExperimentPlan(exp, file, List.copyOf(planned));
    }

    /** The problems of a cell's own overrides, reported at the axis that set them. */
    private static ConfigErrorsException blameAxis(Experiment exp, Experiment.Cell c, ConfigErrorsException e,
            Path file) {
        ConfigReport r = new ConfigReport();
        for (Experiment.Axis a : exp.axes()) {
            for (int v = 0; v < a.values().size(); v++) {
                if (c.overrides().containsAll(a.overrides().get(v)) && !a.overrides().get(v).isEmpty()) {
                    ConfigLoader.reattribute(e, a.origin().file(), a.origin().line(), "axis '" + a.label()
                            + "' value '" + a.values().get(v) + "': ", r);
                }
            }
        }
        return r.hasErrors() ? new ConfigErrorsException(r, file.toString()) : e;
    }

    /** The cell's identity: its resolved config (prompt and seed included) and the plugin versions that run it. */
    static String cellKey(ValidatedConfig v) {
        return key(v.config().root().render(ConfigRenderOptions.concise()) + "|" + PipelineAssembler.components(v));
    }

    /** The cell's trajectory: the same without what only decoding and reporting read. */
    static String trajectoryKey(ValidatedConfig v) {
        Config c = v.config();
        boolean encodes = c.hasPath("run.init-image");
        for (String s : DECODE_ONLY) {
            if (c.hasPath(s) && !(encodes && s.equals("autoencoder"))) {
                c = c.withoutPath(s);
            }
        }
        Map<String, String> components = new LinkedHashMap<>(PipelineAssembler.components(v));
        if (!encodes) {
            components.remove("autoencoder");
        }
        return key(c.root().render(ConfigRenderOptions.concise()) + "|" + components);
    }

    private static String key(String identity) {
        return Hashes.sha256(identity.getBytes(StandardCharsets.UTF_8)).substring(0, 16);
    }

    /** How many autoencoder variants the decoder comparison ({@code vae-audit}) runs each image through. */
    public int autoencoderVariants() {
        return VaeAudits.variants(this).size();
    }

    /** The cells grouped by trajectory, groups in the order their first cell runs. */
    public List<List<PlannedCell>> byTrajectory(List<PlannedCell> subset) {
        Map<String, List<PlannedCell>> groups = new LinkedHashMap<>();
        for (PlannedCell c : subset) {
            groups.computeIfAbsent(c.trajectoryKey(), k -> new ArrayList<>()).add(c);
        }
        return List.copyOf(groups.values());
    }
}
