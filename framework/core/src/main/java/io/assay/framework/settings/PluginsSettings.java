package io.assay.framework.settings;

import io.assay.sdk.Setting;
import java.nio.file.Path;

/** The {@code plugins} section. */
public record PluginsSettings(
        @Setting(doc = "The plugins directory; unset = plugins/ of the distribution.") Path dir,
        @Setting(doc = "Watch the directory and load new or replaced plugins while the host runs.",
                defaultValue = "false") boolean watch) {
}
