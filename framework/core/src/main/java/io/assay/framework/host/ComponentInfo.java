package io.assay.framework.host;

import io.assay.sdk.Stage;
import java.util.List;

/**
 * One installed component: what a pipeline file can select.
 *
 * @param stage the SDK stage interface it implements
 * @param name its component name
 * @param aliases older names that still select it
 * @param description one line
 * @param settingsType its settings record
 * @param extensionClass the implementation class (loaded by the plugin's class loader)
 * @param pluginId the plugin that provides it
 * @param pluginVersion that plugin's version
 */
public record ComponentInfo(Class<? extends Stage> stage, String name, List<String> aliases, String description,
        Class<? extends Record> settingsType, Class<? extends Stage> extensionClass, String pluginId,
        String pluginVersion) {

    /** {@code id@version} of the providing plugin. */
    public String pluginLabel() {
        return pluginId + "@" + pluginVersion;
    }
}
