package io.assay.framework.curation;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import io.assay.framework.host.ComponentCatalog;
import io.assay.framework.host.ComponentInfo;
import io.assay.framework.io.Hashes;
import io.assay.lib.websources.RecordSource;
import io.assay.lib.websources.RecordSources;
import io.assay.sdk.curation.ScraperFilter;
import io.assay.sdk.settings.ConfigErrorsException;
import io.assay.sdk.settings.ConfigProblem;
import io.assay.sdk.settings.ConfigReport;
import io.assay.sdk.settings.Names;
import io.assay.sdk.settings.ComponentKeys;
import io.assay.sdk.settings.SettingsBinder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A validated {@code curation} section: the run's settings, its source, the filter chain with bound settings, and a
 * hash identifying the chain (configuration and plugin versions) for checkpoints.
 *
 * @param settings the section's own settings
 * @param source where records come from
 * @param filters the chain, in order
 * @param hash the chain's identity
 * @param sourceStage the {@code RecordSource} component {@code curation.source.name} selected, or null for the
 *     built-in source {@code source.type()}
 * @param writerStage the {@code DatasetWriter} component {@code curation.writer.name} selected, or null for the
 *     built-in format {@code settings.format()}
 */
public record CurationPlan(CurationSettings settings, CurationSourceSettings source, List<CurationPlan.Filter> filters,
        String hash, CurationStages.Selected sourceStage, CurationStages.Selected writerStage) {

    /** A plan with the built-in source and writer. */
    public CurationPlan(CurationSettings settings, CurationSourceSettings source, List<Filter> filters, String hash) {
        this(settings, source, filters, hash, null, null);
    }

    /**
     * One filter of the chain.
     *
     * @param label its label (unique in the chain)
     * @param component the installed component
     * @param settings its bound settings
     */
    public record Filter(String label, ComponentInfo component, Record settings) {
    }

    /** Opens the plan's record source: the selected component (created under {@code lease}) or the built-in one. */
    public RecordSource openSource(io.assay.framework.host.PluginHost host, io.assay.framework.host.Lease lease,
            Path baseDir) {
        return sourceStage == null ? openSource() : CurationStages.openSource(host, lease, sourceStage, baseDir);
    }

    /** Opens where the kept dataset goes: the selected writer component (under {@code lease}) or the built-in one. */
    public CurationStages.Writers openWriters(io.assay.framework.host.PluginHost host,
            io.assay.framework.host.Lease lease, Path baseDir) {
        return writerStage == null ? CurationStages.builtIn(settings.format(), settings.shardSize())
                : CurationStages.component(host, lease, writerStage, baseDir);
    }

    /** Opens the plan's built-in record source ({@code curation.source.type}). */
    public RecordSource openSource() {
        if (sourceStage != null) {
            throw new IllegalStateException("curation.source names the component '" + sourceStage.component().name()
                    + "'; open it with openSource(host, lease, baseDir)");
        }
        CurationSourceSettings s = source;
        if (s.type().equals("procedural")) {
            return new ProceduralSource(s.seed(), s.records());
        }
        List<Path> paths = s.paths().stream().map(Path::of).toList();
        return RecordSources.open(s.type(), paths, new RecordSources.Options(s.countInboundLinks(), 5_000_000L));
    }

    /** Reads and validates the curation section, reporting every problem with file:line before anything runs. */
    public static CurationPlan of(Config config, Path file, ComponentCatalog catalog, Supplier<Path> modelDir) {
        ConfigReport report = new ConfigReport();
        String subject = file.toString();
        if (!config.hasPath("curation")) {
            report.error(new ConfigProblem(subject, -1, "curation", "missing: a curation file needs a curation { "
                    + "source, filters, … } section"));
            throw new ConfigErrorsException(report, subject);
        }
        Config c = config.getConfig("curation");
        CurationSettings settings = SettingsBinder.bind(c, config.getValue("curation").origin(), "curation",
                CurationSettings.class, Set.of("source", "filters", "writer"), "section 'curation'", Map.of(), report);
        Config sourceBlock = c.hasPath("source") ? c.getConfig("source") : ConfigFactory.empty();
        CurationStages.Selected sourceStage = null;
        CurationStages.Selected writerStage = null;
        List<String> builtInSources = List.of("procedural", "warc", "webdataset", "manifest");
        if (sourceBlock.hasPath("name") && catalog.find(io.assay.sdk.curation.RecordSource.class,
                sourceBlock.getString("name")).isPresent()) {
            if (sourceBlock.hasPath("type")) {
                report.error(ConfigProblem.at(sourceBlock.getValue("type").origin(), "curation.source.type",
                        "give either name (a RecordSource component) or type (a built-in source), not both"));
            }
            sourceStage = CurationStages.select(sourceBlock, c.getValue("source").origin(), "curation.source",
                    io.assay.sdk.curation.RecordSource.class, catalog, builtInSources, report);
            sourceBlock = ConfigFactory.empty();
        } else if (sourceBlock.hasPath("name")) {
            String name = sourceBlock.getString("name");
            if (!builtInSources.contains(name)) {
                CurationStages.select(sourceBlock, c.getValue("source").origin(), "curation.source",
                        io.assay.sdk.curation.RecordSource.class, catalog, builtInSources, report);
                sourceBlock = ConfigFactory.empty();
            } else {
                // A built-in source by name: the same as type = <name>.
                sourceBlock = sourceBlock.withoutPath("name").withValue("type", sourceBlock.getValue("name"));
            }
        }
        if (c.hasPath("writer")) {
            if (!(c.getValue("writer") instanceof ConfigObject w) || !w.containsKey("name")) {
                report.error(ConfigProblem.at(c.getValue("writer").origin(), "curation.writer", "expected { name = "
                        + "<DatasetWriter>, … }; installed: "
                        + catalog.names(io.assay.sdk.curation.DatasetWriter.class)));
            } else {
                writerStage = CurationStages.select(w.toConfig(), w.origin(), "curation.writer",
                        io.assay.sdk.curation.DatasetWriter.class, catalog, List.of(), report);
            }
        }
        CurationSourceSettings source = SettingsBinder.bind(sourceBlock, c.hasPath("source")
                ? c.getValue("source").origin() : null, "curation.source", CurationSourceSettings.class, Set.of(),
                "curation.source", Map.of(), report);
        if (source != null && sourceStage == null && c.hasPath("source.paths")) {
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
        if (source != null && sourceStage == null && !source.type().equals("procedural")
                && source.paths().isEmpty()) {
            report.error(ConfigProblem.at(c.hasPath("source") ? c.getValue("source").origin()
                    : config.getValue("curation").origin(), "curation.source.paths", "a " + source.type()
                    + " source needs paths"));
        }
        List<ComponentInfo> installed = catalog.components(ScraperFilter.class);
        Map<String, ComponentInfo> byName = new LinkedHashMap<>();
        for (ComponentInfo i : installed) {
            byName.put(i.name(), i);
            i.aliases().forEach(a -> byName.putIfAbsent(a, i));
        }
        List<Filter> filters = new ArrayList<>();
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
                    Path model = modelDir.get();
                    if (model != null) {
                        fallbacks.put("model-dir", ConfigValueFactory.fromAnyRef(model.toString(), "model.dir"));
                    }
                }
                Record r = SettingsBinder.bind(block, v.origin(), where, ci.settingsType(),
                        ComponentKeys.accepted(ci.extensionClass()), Set.of("name", "label"), "filter '" + ci.name()
                        + "'", fallbacks, io.assay.sdk.ModelConfig.NONE, "filters", report);
                if (r != null) {
                    filters.add(new Filter(label, ci, r));
                }
            }
        }
        if (report.hasErrors()) {
            throw new ConfigErrorsException(report, subject);
        }
        StringBuilder id = new StringBuilder(c.root().render(ConfigRenderOptions.concise()));
        for (Filter f : filters) {
            id.append('|').append(f.component().pluginId()).append(' ').append(f.component().pluginVersion());
        }
        CurationStages.versions(sourceStage, writerStage).forEach(v -> id.append('|').append(v));
        String hash = Hashes.sha256(id.toString().getBytes(StandardCharsets.UTF_8)).substring(0, 16);
        return new CurationPlan(settings, source, filters, hash, sourceStage, writerStage);
    }
}
