package io.assay.framework.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import io.assay.framework.assembly.SingleStage;
import io.assay.framework.assembly.StageKey;
import io.assay.framework.curation.CurationPlan;
import io.assay.framework.experiment.ExperimentPlan;
import io.assay.framework.runtime.AssayRuntime;
import io.assay.framework.runtime.RunConfig;
import io.assay.framework.host.ComponentCatalog;
import io.assay.framework.host.ComponentInfo;
import io.assay.framework.settings.MetricsSettings;
import io.assay.framework.settings.ModelSettings;
import io.assay.framework.settings.ValidatedConfig;
import io.assay.sdk.StageException;
import io.assay.sdk.diffusion.RecommendedRanges;
import io.assay.sdk.diffusion.Scheduler;
import io.assay.sdk.metrics.SimilarityMetric;
import io.assay.sdk.settings.ConfigErrorsException;
import io.assay.sdk.settings.ConfigProblem;
import io.assay.sdk.settings.ConfigReport;
import io.assay.sdk.settings.Names;
import io.assay.sdk.settings.SettingsBinder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What {@code assay config check} checks, for the three kinds of file: a pipeline, an experiment (every cell, each a
 * pipeline) and a curation chain. Beyond the schema (sections, keys, types, ranges, component names), a pipeline's
 * cheap stages (scheduler, guidance, noise) are built from their settings — so a component's own rules, such as a
 * scheduler refusing a setting it does not use, fire here rather than at run time — without loading or running a
 * model; a key the chosen component does not accept ({@link io.assay.sdk.Component#keys()}) is refused where the
 * configuration is bound; {@code metrics.similarity} must name an installed metric; steps and guidance outside a
 * scheduler's recommended ranges are warnings; and a file that names a model directory that is unset or missing is a
 * problem, not a silent fall back to the embedded world.
 */
final class ConfigChecker {

    /** The stages built by the check: pure Java, no model files loaded. */
    static final List<StageKey> BUILT = List.of(StageKey.SCHEDULER, StageKey.GUIDANCE, StageKey.NOISE);

    /**
     * The outcome.
     *
     * @param summary what the file is, for the OK line (e.g. {@code experiment 'x': 8 cells …})
     * @param problems each problem as one or more lines, file:line first; empty = valid
     * @param warnings what is valid but likely not meant
     */
    record Result(String summary, List<String> problems, List<String> warnings) {
    }

    private final AssayRuntime runtime;

    ConfigChecker(AssayRuntime runtime) {
        this.runtime = runtime;
    }

    Result check(Path file) {
        Set<String> problems = new LinkedHashSet<>();
        Set<String> warnings = new LinkedHashSet<>();
        String summary;
        try {
            Config raw = runtime.raw(file);
            if (file != null && raw.hasPath("experiment")) {
                ExperimentPlan plan = ExperimentPlan.of(runtime, file, List.of());
                for (ExperimentPlan.PlannedCell c : plan.cells()) {
                    pipeline(c.config(), file, problems, warnings);
                }
                summary = "experiment '" + plan.experiment().name() + "': " + plan.cells().size() + " cells ("
                        + plan.experiment().prompts().size() + " prompt(s) × " + plan.experiment().seeds().size()
                        + " seed(s) × " + plan.experiment().axes().size() + " axis/axes), each a valid pipeline "
                        + "for the installed plugins" + (plan.experiment().vaeAuditImages().isEmpty() ? ""
                        : "; decoder comparison: " + plan.experiment().vaeAuditImages().size() + " image(s) × "
                        + plan.autoencoderVariants() + " autoencoder variant(s)");
            } else if (file != null && raw.hasPath("curation")) {
                CurationPlan plan = CurationPlan.of(raw, file, runtime.host().catalog(), runtime::modelDir);
                summary = "curation chain: source " + plan.source().type() + ", " + plan.filters().size()
                        + " filter(s): " + String.join(", ", plan.filters().stream().map(f -> f.component().name())
                        .toList());
            } else {
                pipeline(runtime.configure(List.of()), file, problems, warnings);
                summary = "pipeline for the installed plugins";
            }
        } catch (ConfigErrorsException e) {
            problems.add(e.getMessage());
            summary = "";
        }
        return new Result(summary, List.copyOf(problems), List.copyOf(warnings));
    }

    /** One pipeline's checks beyond the schema. */
    private void pipeline(RunConfig c, Path file, Set<String> problems, Set<String> warnings) {
        model(c, file, problems);
        ValidatedConfig v = c.validated();
        similarity(v, problems);
        for (StageKey k : BUILT) {
            ValidatedConfig.Selection s = v.stages().get(k.key());
            if (s == null) {
                continue;
            }
            try (SingleStage<?> built = runtime.single(c, k, k.type())) {
                if (k == StageKey.SCHEDULER) {
                    Double scale = v.config().hasPath("guidance.scale") ? v.config().getDouble("guidance.scale")
                            : null;
                    runtime.host().catalog().find(Scheduler.class, s.canonicalName()).ifPresent(info ->
                            warnings.addAll(RecommendedRanges.warnings(info.extensionClass(), "scheduler '"
                                    + s.canonicalName() + "'", c.run().steps(), scale)));
                }
            } catch (StageException e) {
                ConfigValue block = v.config().hasPath(k.key()) ? v.config().getValue(k.key()) : null;
                problems.add(ConfigProblem.at(block == null ? null : block.origin(), k.key(), "component '"
                        + s.canonicalName() + "' refuses these settings: " + e.getMessage()).render());
            }
        }
    }

    /**
     * {@code metrics.similarity}, which only {@code assay compare} uses: it must name an installed
     * {@link SimilarityMetric} whose declared defaults bind (it runs with them), as the run would require.
     */
    private void similarity(ValidatedConfig v, Set<String> problems) {
        String name = v.section("metrics", MetricsSettings.class).similarity();
        if (name == null) {
            return;
        }
        ConfigValue given = v.config().getValue("metrics.similarity");
        runtime.host().require(SimilarityMetric.class, name);
        ComponentCatalog catalog = runtime.host().catalog();
        Optional<ComponentInfo> c = catalog.find(SimilarityMetric.class, name);
        if (c.isEmpty()) {
            List<String> installed = catalog.names(SimilarityMetric.class);
            String hint = Names.suggest(name, installed);
            problems.add(ConfigProblem.at(given.origin(), "metrics.similarity", "no SimilarityMetric named '" + name
                    + "'" + (hint != null ? "; did you mean '" + hint + "'?" : "") + "; installed: "
                    + (installed.isEmpty() ? "none" : String.join(", ", installed))).render());
            return;
        }
        // As compare runs it: its declared defaults, the pipeline's model.dir as its model-dir.
        Path modelDir = v.section("model", ModelSettings.class).dir();
        Map<String, ConfigValue> fallbacks = modelDir == null ? Map.of()
                : Map.of("model-dir", ConfigValueFactory.fromAnyRef(modelDir.toString(), "model.dir"));
        ConfigReport report = new ConfigReport();
        SettingsBinder.bind(ConfigFactory.empty(), given.origin(), "metrics.similarity", c.get().settingsType(),
                Set.of(), "SimilarityMetric '" + name + "'", fallbacks, report);
        if (report.hasErrors()) {
            problems.add(ConfigProblem.at(given.origin(), "metrics.similarity", "'" + name + "' cannot run with its "
                    + "declared defaults, which compare uses: " + report.errors().get(0).render()).render());
        }
    }

    /**
     * A model directory the file asks for but does not get: {@code model.dir} declared (e.g.
     * {@code ${?ASSAY_MODEL_DIR}}) yet unset, so the run would fall back to the embedded world; or set to a
     * directory that does not exist.
     */
    private static void model(RunConfig c, Path file, Set<String> problems) {
        Config v = c.validated().config();
        boolean embedded = v.hasPath("model.dir") && ConfigProblem.describe(v.getValue("model.dir").origin())
                .startsWith("embedded world");
        if (embedded) {
            ConfigValue declared = declaredModelDir(file);
            if (declared != null) {
                problems.add(ConfigProblem.at(declared.origin(), "model.dir", "this pipeline names a model "
                        + "directory, but the value is unset (" + declared.render() + "): give one with --model DIR, "
                        + "--set model.dir=DIR or the environment variable it reads; without it the run would use "
                        + "the embedded world instead").render());
            }
            return;
        }
        Path dir = c.model().dir();
        if (dir != null && !Files.isDirectory(dir)) {
            ConfigValue given = v.getValue("model.dir");
            problems.add(ConfigProblem.at(given.origin(), "model.dir", "'" + dir + "' is not a directory; this "
                    + "pipeline needs a model directory in the SD ONNX layout").render());
        } else if (dir != null && !Files.isRegularFile(dir.resolve("model_index.json"))) {
            ConfigValue given = v.getValue("model.dir");
            problems.add(ConfigProblem.at(given.origin(), "model.dir", "'" + dir + "' has no model_index.json: "
                    + "not a model directory in the SD ONNX layout").render());
        }
    }

    /** The user file's own {@code model.dir} entry, unresolved, or null when it declares none. */
    private static ConfigValue declaredModelDir(Path file) {
        if (file == null || !Files.isRegularFile(file)) {
            return null;
        }
        Config parsed = ConfigFactory.parseFile(file.toFile());
        ConfigValue model = parsed.root().get("model");
        if (model instanceof ConfigObject o) {
            return o.get("dir");
        }
        return null;
    }

    /** The problems as lines (for tests). */
    static List<String> lines(Result r) {
        List<String> out = new ArrayList<>();
        r.problems().forEach(p -> out.addAll(List.of(p.split("\n"))));
        return out;
    }
}
