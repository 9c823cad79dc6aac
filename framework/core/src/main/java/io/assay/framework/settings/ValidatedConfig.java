package io.assay.framework.settings;

import com.typesafe.config.Config;
import io.assay.sdk.ModelConfig;
import java.util.Map;

/**
 * A configuration that passed validation: every section bound to its settings record and, per stage, the selected
 * component and its bound settings.
 *
 * @param config the resolved HOCON (for {@code config show} and metadata)
 * @param sections section name → settings record (e.g. {@code run} → RunSettings)
 * @param stages stage key → selection
 * @param model the configuration files of {@code model.dir} ({@link ModelConfig#NONE} when unset or absent): what
 *     unset {@code @Setting(diffusersKey)} settings were filled from, and what stages get as
 *     {@link io.assay.sdk.StageContext#model()}
 */
public record ValidatedConfig(Config config, Map<String, Record> sections, Map<String, Selection> stages,
        ModelConfig model) {

    /** Validates. */
    public ValidatedConfig {
        java.util.Objects.requireNonNull(model, "model is null");
    }

    /** A configuration without model configuration files. */
    public ValidatedConfig(Config config, Map<String, Record> sections, Map<String, Selection> stages) {
        this(config, sections, stages, ModelConfig.NONE);
    }

    /**
     * The component chosen for one stage.
     *
     * @param stage the stage key, e.g. {@code denoiser}
     * @param name the component name as configured (an alias resolves to {@code canonicalName})
     * @param canonicalName the component's own name
     * @param settings the bound settings record
     * @param plugin the plugin label, e.g. {@code onnx-sd@0.1.0}
     */
    public record Selection(String stage, String name, String canonicalName, Record settings, String plugin) {
    }

    /** A section's settings. */
    public <R extends Record> R section(String name, Class<R> type) {
        return type.cast(sections.get(name));
    }
}
