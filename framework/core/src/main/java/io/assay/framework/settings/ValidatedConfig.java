package io.assay.framework.settings;

import com.typesafe.config.Config;
import java.util.Map;

/**
 * A configuration that passed validation: every section bound to its settings record and, per stage, the selected
 * component and its bound settings.
 *
 * @param config the resolved HOCON (for {@code config show} and metadata)
 * @param sections section name → settings record (e.g. {@code run} → RunSettings)
 * @param stages stage key → selection
 */
public record ValidatedConfig(Config config, Map<String, Record> sections, Map<String, Selection> stages) {

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
