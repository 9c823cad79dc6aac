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
 */
public record CurationPlan(CurationSettings settings, CurationSourceSettings source, List<CurationPlan.Filter> filters,
        String hash) {

    /**
     * One filter of the chain.
     *
     * @param label its label (unique in the chain)
     * @param component the installed component
     * @param settings its bound settings
     */
    public record Filter(String label, ComponentInfo component, Record settings) {
    }

    /** Opens the plan's record source. */
    public RecordSource openSource() {
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
                Record r = SettingsBinder.bind(block, v.origin(), where, ci.settingsType(), Set.of("name", "label"),
                        "filter '" + ci.name() + "'", fallbacks, report);
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
        String hash = Hashes.sha256(id.toString().getBytes(StandardCharsets.UTF_8)).substring(0, 16);
        return new CurationPlan(settings, source, filters, hash);
    }
}
