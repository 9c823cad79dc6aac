package io.assay.framework.settings;

import io.assay.sdk.settings.ConfigErrorsException;
import io.assay.sdk.settings.ConfigProblem;
import io.assay.sdk.settings.ConfigReport;
import io.assay.sdk.settings.ModelConfigs;
import io.assay.sdk.settings.Names;
import io.assay.sdk.settings.SettingsBinder;

import io.assay.sdk.ModelConfig;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Validates a resolved configuration against the declared sections and the installed components, collecting every
 * problem: unknown sections and keys (with did-you-mean), wrong types and ranges, unknown component names (listing
 * the installed ones for that stage).
 */
public final class PipelineValidator {

    /** What the validator needs to know about installed components. */
    public interface Components {
        /** Installed components of a stage: name (and aliases) → info. */
        Map<String, Installed> installed(String stage);

        /** The SDK interface name of a stage for messages, e.g. {@code Denoiser}. */
        String stageTypeName(String stage);
    }

    /**
     * One installed component.
     *
     * @param name its canonical name
     * @param settingsType its settings record
     * @param plugin the plugin label, e.g. {@code onnx-sd 0.1.0}
     * @param keys the keys of {@code settingsType} it accepts ({@link io.assay.sdk.Component#keys()}; all of them
     *     for a component that names none)
     */
    public record Installed(String name, Class<? extends Record> settingsType, String plugin, Set<String> keys) {

        /** A component accepting every key of its settings record. */
        public Installed(String name, Class<? extends Record> settingsType, String plugin) {
            this(name, settingsType, plugin, new java.util.LinkedHashSet<>(SettingsBinder.keysInOrder(settingsType)));
        }

        /** Keeps {@code keys} in the record's declaration order (how messages list them). */
        public Installed {
            Set<String> given = Set.copyOf(keys);
            Set<String> ordered = new java.util.LinkedHashSet<>();
            for (String k : SettingsBinder.keysInOrder(settingsType)) {
                if (given.contains(k)) {
                    ordered.add(k);
                }
            }
            keys = java.util.Collections.unmodifiableSet(ordered);
        }
    }

    private final Map<String, Class<? extends Record>> sections;
    private final List<String> stages;

    /**
     * @param sections section name → settings record ({@code run}, {@code model}, …)
     * @param stages the stage keys ({@code text-encoder}, …)
     */
    public PipelineValidator(Map<String, Class<? extends Record>> sections, List<String> stages) {
        this.sections = Map.copyOf(sections);
        this.stages = List.copyOf(stages);
    }

    /**
     * Validates.
     *
     * @param config the resolved configuration
     * @param components what is installed
     * @param onlyStages the stages to check (null = all)
     * @param subject how the report names the configuration (a file name)
     * @throws ConfigErrorsException listing every problem
     */
    public ValidatedConfig validate(Config config, Components components, Set<String> onlyStages, String subject) {
        ConfigReport report = new ConfigReport();
        Set<String> known = new TreeSet<>(sections.keySet());
        known.addAll(stages);
        for (Map.Entry<String, ConfigValue> e : config.root().entrySet()) {
            if (!known.contains(e.getKey())) {
                String hint = Names.suggest(e.getKey(), known);
                report.error(ConfigProblem.at(e.getValue().origin(), e.getKey(), "unknown section"
                        + (hint != null ? "; did you mean '" + hint + "'?" : "; known sections: " + String.join(", ",
                                known))));
            }
        }
        Map<String, Record> boundSections = new LinkedHashMap<>();
        for (Map.Entry<String, Class<? extends Record>> s : sections.entrySet()) {
            Config block = block(config, s.getKey(), report);
            if (block == null) {
                continue;
            }
            Record r = SettingsBinder.bind(block, originOf(config, s.getKey()), s.getKey(), s.getValue(), Set.of(),
                    "section '" + s.getKey() + "'", Map.of(), report);
            if (r != null) {
                boundSections.put(s.getKey(), r);
            }
        }
        Map<String, ConfigValue> fallbacks = new LinkedHashMap<>();
        ModelConfig model = ModelConfig.NONE;
        if (config.hasPath("model.dir")) {
            ConfigValue dir = config.getValue("model.dir");
            if (dir.valueType() == ConfigValueType.STRING) {
                Path resolved = SettingsBinder.resolvePath((String) dir.unwrapped(), dir.origin());
                fallbacks.put("model-dir", ConfigValueFactory.fromAnyRef(resolved.toString(),
                        "model.dir (" + ConfigProblem.describe(dir.origin()) + ")"));
                model = modelConfig(resolved, dir, onlyStages, report);
            }
        }
        Map<String, ValidatedConfig.Selection> selections = new LinkedHashMap<>();
        for (String stage : stages) {
            if (onlyStages != null && !onlyStages.contains(stage)) {
                continue;
            }
            Config block = block(config, stage, report);
            if (block == null) {
                continue;
            }
            if (!block.hasPath("name")) {
                report.error(ConfigProblem.at(originOf(config, stage), stage + ".name",
                        "missing: which component runs this stage; installed: " + list(components, stage)));
                continue;
            }
            String name;
            try {
                name = block.getString("name");
            } catch (ConfigException.WrongType e) {
                report.error(ConfigProblem.at(block.getValue("name").origin(), stage + ".name",
                        "expected a component name (string)"));
                continue;
            }
            Installed c = components.installed(stage).get(name);
            if (c == null) {
                String hint = Names.suggest(name, components.installed(stage).keySet());
                report.error(ConfigProblem.at(block.getValue("name").origin(), stage + ".name", "no "
                        + components.stageTypeName(stage) + " named '" + name + "'"
                        + (hint != null ? "; did you mean '" + hint + "'?" : "") + "; installed: "
                        + list(components, stage)));
                continue;
            }
            if (!c.name().equals(name)) {
                report.warning(ConfigProblem.at(block.getValue("name").origin(), stage + ".name", "'" + name
                        + "' has been replaced; use '" + c.name() + "'"));
            }
            Record settings = SettingsBinder.bind(block, originOf(config, stage), stage, c.settingsType(), c.keys(),
                    Set.of("name"), "component '" + c.name() + "'", fallbacks, model, stage, report);
            if (settings != null) {
                selections.put(stage, new ValidatedConfig.Selection(stage, name, c.name(), settings, c.plugin()));
            }
        }
        if (report.hasErrors()) {
            throw new ConfigErrorsException(report, subject);
        }
        return new ValidatedConfig(config, boundSections, selections, model);
    }

    /**
     * The configuration files of the model directory (SDK 1.1: they fill unset {@code @Setting(diffusersKey)}
     * settings and reach stages as {@link io.assay.sdk.StageContext#model()}); none when the directory does not exist
     * (whatever loads the model says so) or no stage is validated. A malformed file is a problem at {@code model.dir}.
     */
    private static ModelConfig modelConfig(Path dir, ConfigValue origin, Set<String> onlyStages, ConfigReport report) {
        if (onlyStages != null && onlyStages.isEmpty() || !java.nio.file.Files.isDirectory(dir)) {
            return ModelConfig.NONE;
        }
        try {
            return ModelConfigs.read(dir);
        } catch (io.assay.sdk.StageException e) {
            report.error(ConfigProblem.at(origin.origin(), "model.dir", e.getMessage()));
            return ModelConfig.NONE;
        }
    }

    private static Config block(Config config, String key, ConfigReport report) {
        if (!config.hasPath(key)) {
            return ConfigFactory.empty();
        }
        ConfigValue v = config.getValue(key);
        if (!(v instanceof ConfigObject o)) {
            report.error(ConfigProblem.at(v.origin(), key, "expected an object { … }, found "
                    + v.valueType().name().toLowerCase(java.util.Locale.ROOT)));
            return null;
        }
        return o.toConfig();
    }

    private static com.typesafe.config.ConfigOrigin originOf(Config config, String key) {
        return config.hasPath(key) ? config.getValue(key).origin() : null;
    }

    private static String list(Components components, String stage) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, Installed> e : new java.util.TreeMap<>(components.installed(stage)).entrySet()) {
            if (e.getKey().equals(e.getValue().name())) {
                out.add(e.getKey() + " (plugin " + e.getValue().plugin() + ")");
            }
        }
        return out.isEmpty() ? "none" : String.join(", ", out);
    }
}
