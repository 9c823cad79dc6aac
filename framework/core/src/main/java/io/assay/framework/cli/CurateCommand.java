package io.assay.framework.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import io.assay.framework.assembly.RunStageContext;
import io.assay.framework.curation.CurationRun;
import io.assay.framework.curation.CurationSettings;
import io.assay.framework.curation.CurationSourceSettings;
import io.assay.framework.curation.ProceduralSource;
import io.assay.framework.host.ComponentInfo;
import io.assay.framework.host.Lease;
import io.assay.sdk.settings.ConfigErrorsException;
import io.assay.sdk.settings.ConfigProblem;
import io.assay.sdk.settings.ConfigReport;
import io.assay.sdk.settings.Names;
import io.assay.sdk.settings.SettingsBinder;
import io.assay.lib.websources.RecordSource;
import io.assay.lib.websources.RecordSources;
import io.assay.sdk.TraceSink;
import io.assay.sdk.curation.ScraperFilter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code assay curate CONFIG}: a source of web records through a chain of scraper filters into a kept dataset, a
 * ledger of every rejection, {@code summary.json} and {@code report.html}. Resumes from its checkpoint when re-run
 * on the same output directory.
 */
@Command(name = "curate", mixinStandardHelpOptions = true,
        description = "Curate web records into a training set, with a ledger of everything the filters discard.")
public final class CurateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common = new CommonOptions();

    @Parameters(index = "0", paramLabel = "CONFIG", description = "Curation file (HOCON with a curation section).")
    Path configFile;

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory (default: out/curate-<config name>).")
    Path out;

    @Option(names = "--fresh", description = "Discard a previous run's output in DIR instead of resuming it.")
    boolean fresh;

    /** The parsed {@code curation} section. */
    record Plan(CurationSettings settings, CurationSourceSettings source, List<FilterPlan> filters, String hash) {
    }

    /** One filter of the chain. */
    record FilterPlan(String label, ComponentInfo component, Record settings) {
    }

    @Override
    public Integer call() throws Exception {
        common.config = configFile;
        PrintWriter err = spec.commandLine().getErr();
        try (Workbench bench = Workbench.open(common, err)) {
            Path file = Workbench.resolveConfigFile(configFile);
            Plan plan = plan(bench, file);
            Path dir = out != null ? out : Path.of("out", "curate-" + file.getFileName().toString()
                    .replaceFirst("\\.conf$", ""));
            if (fresh) {
                clear(dir);
            }
            CurationRun.Options options = new CurationRun.Options(plan.settings().format(),
                    plan.settings().shardSize(), plan.settings().checkpointEvery(), plan.settings().maxPixels(),
                    plan.settings().examples(), plan.hash());
            CancelFlag cancel = CancelFlag.onInterrupt();
            List<CurationRun.NamedFilter> filters = new ArrayList<>();
            try (Lease lease = bench.host().lease(); RecordSource source = source(plan.source())) {
                try {
                    for (FilterPlan f : plan.filters()) {
                        ScraperFilter sf = bench.host().create(lease, ScraperFilter.class, f.component().name(),
                                f.settings(), new RunStageContext("curation.filters", f.component().name(),
                                        TraceSink.NONE, cancel, file.getParent()));
                        filters.add(new CurationRun.NamedFilter(f.label(), sf));
                    }
                    long t0 = System.nanoTime();
                    long[] last = {0};
                    CurationRun.Checkpoint cp = new CurationRun(filters, options, dir).run(source, n -> {
                        if (n - last[0] >= 500) {
                            last[0] = n;
                            double s = (System.nanoTime() - t0) / 1e9;
                            err.printf("curate: %d records (%.0f/s)%n", n, n / Math.max(s, 1e-9));
                            err.flush();
                        }
                    }, cancel);
                    Map<String, Object> about = new LinkedHashMap<>();
                    about.put("source", source.describe());
                    about.put("chain", filters.stream().map(CurationRun.NamedFilter::name).toList());
                    about.put("configHash", plan.hash());
                    about.put("keptDataset", dir.resolve("kept").toString());
                    about.put("format", plan.settings().format());
                    CurationRun.writeReports(cp, dir, about);
                    spec.commandLine().getOut().printf("read %d, kept %d, rejected %d, unreadable %d%s%n",
                            cp.summary.read, cp.summary.kept, cp.summary.rejected, cp.summary.unreadable,
                            cp.complete ? "" : " (stopped; re-run to resume)");
                    spec.commandLine().getOut().println(dir.resolve("summary.json"));
                    spec.commandLine().getOut().println(dir.resolve("report.html"));
                    return cp.complete ? ExitCodes.OK : ExitCodes.CANCELLED;
                } finally {
                    for (CurationRun.NamedFilter f : filters) {
                        f.filter().close();
                    }
                    cancel.close();
                }
            }
        }
    }

    private static void clear(Path dir) throws IOException {
        for (String name : List.of("checkpoint.json", "ledger.jsonl", "summary.json", "report.html")) {
            Files.deleteIfExists(dir.resolve(name));
        }
        Path kept = dir.resolve("kept");
        if (Files.exists(kept)) {
            try (Stream<Path> s = Files.walk(kept)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    private static RecordSource source(CurationSourceSettings s) {
        if (s.type().equals("procedural")) {
            return new ProceduralSource(s.seed(), s.records());
        }
        List<Path> paths = s.paths().stream().map(Path::of).toList();
        return RecordSources.open(s.type(), paths, new RecordSources.Options(s.countInboundLinks(), 5_000_000L));
    }

    /** Reads and validates the curation section, reporting every problem with file:line before anything runs. */
    static Plan plan(Workbench bench, Path file) {
        Config config = bench.config();
        ConfigReport report = new ConfigReport();
        String subject = file.toString();
        if (!config.hasPath("curation")) {
            report.error(new ConfigProblem(subject, -1, "curation", "missing: a curation file needs a curation { "
                    + "source, filters, … } section"));
            throw new ConfigErrorsException(report, subject);
        }
        Config c = config.getConfig("curation");
        CurationSettings settings = SettingsBinder.bind(c, config.getValue("curation").origin(), "curation",
                CurationSettings.class, Set.of("source", "filters"), "section 'curation'", Map.of(), report);
        Config sourceBlock = c.hasPath("source") ? c.getConfig("source") : ConfigFactory.empty();
        CurationSourceSettings source = SettingsBinder.bind(sourceBlock, c.hasPath("source")
                ? c.getValue("source").origin() : null, "curation.source", CurationSourceSettings.class, Set.of(),
                "curation.source", Map.of(), report);
        if (source != null && c.hasPath("source.paths")) {
            List<String> resolved = new ArrayList<>();
            ConfigList raw = c.getList("source.paths");
            for (ConfigValue v : raw) {
                Path p = SettingsBinder.resolvePath(String.valueOf(v.unwrapped()), v.origin());
                if (!Files.exists(p)) {
                    report.error(ConfigProblem.at(v.origin(), "curation.source.paths", "'" + p
                            + "' does not exist"));
                }
                resolved.add(p.toString());
            }
            source = new CurationSourceSettings(source.type(), resolved, source.seed(), source.records(),
                    source.countInboundLinks());
        }
        if (source != null && !source.type().equals("procedural") && source.paths().isEmpty()) {
            report.error(ConfigProblem.at(c.hasPath("source") ? c.getValue("source").origin()
                    : config.getValue("curation").origin(), "curation.source.paths", "a " + source.type()
                    + " source needs paths"));
        }
        List<ComponentInfo> installed = bench.host().catalog().components(ScraperFilter.class);
        Map<String, ComponentInfo> byName = new LinkedHashMap<>();
        for (ComponentInfo i : installed) {
            byName.put(i.name(), i);
            i.aliases().forEach(a -> byName.putIfAbsent(a, i));
        }
        List<FilterPlan> filters = new ArrayList<>();
        Set<String> labels = new java.util.HashSet<>();
        if (!c.hasPath("filters") || !(c.getValue("filters") instanceof ConfigList list)) {
            report.error(ConfigProblem.at(config.getValue("curation").origin(), "curation.filters",
                    "expected a list of filters, e.g. filters = [ { name = junk-caption } ]; installed: "
                            + String.join(", ", byName.keySet())));
        } else {
            for (int i = 0; i < list.size(); i++) {
                String where = "curation.filters[" + i + "]";
                ConfigValue v = list.get(i);
                if (!(v instanceof ConfigObject o) || !o.containsKey("name")) {
                    report.error(ConfigProblem.at(v.origin(), where, "expected { name = <filter>, … }; installed: "
                            + String.join(", ", byName.keySet())));
                    continue;
                }
                Config block = o.toConfig();
                String name = String.valueOf(o.get("name").unwrapped());
                ComponentInfo ci = byName.get(name);
                if (ci == null) {
                    String hint = Names.suggest(name, byName.keySet());
                    report.error(ConfigProblem.at(o.get("name").origin(), where + ".name", "no ScraperFilter named '"
                            + name + "'" + (hint != null ? "; did you mean '" + hint + "'?" : "") + "; installed: "
                            + String.join(", ", byName.keySet())));
                    continue;
                }
                String label = block.hasPath("label") ? block.getString("label") : ci.name();
                if (!labels.add(label)) {
                    report.error(ConfigProblem.at(v.origin(), where, "filter '" + label + "' appears twice; give "
                            + "one a label = \"…\""));
                }
                Map<String, ConfigValue> fallbacks = new LinkedHashMap<>();
                if (SettingsBinder.keys(ci.settingsType()).contains("model-dir") && !block.hasPath("model-dir")) {
                    Path model = bench.modelDir();
                    if (model != null) {
                        fallbacks.put("model-dir", ConfigValueFactory.fromAnyRef(model.toString(), "model.dir"));
                    }
                }
                Record r = SettingsBinder.bind(block, v.origin(), where, ci.settingsType(), Set.of("name", "label"),
                        "filter '" + ci.name() + "'", fallbacks, report);
                if (r != null) {
                    filters.add(new FilterPlan(label, ci, r));
                }
            }
        }
        if (report.hasErrors()) {
            throw new ConfigErrorsException(report, subject);
        }
        StringBuilder id = new StringBuilder(c.root().render(ConfigRenderOptions.concise()));
        for (FilterPlan f : filters) {
            id.append('|').append(f.component().pluginId()).append(' ').append(f.component().pluginVersion());
        }
        String hash = Hashes.sha256(id.toString().getBytes(StandardCharsets.UTF_8)).substring(0, 16);
        return new Plan(settings, source, filters, hash);
    }

}
