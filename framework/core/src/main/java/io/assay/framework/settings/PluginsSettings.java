package io.assay.framework.settings;

import io.assay.sdk.Setting;
import java.nio.file.Path;

/** The {@code plugins} section. */
public record PluginsSettings(
        @Setting(doc = "The plugins directory; unset = plugins/ of the distribution.") Path dir,
        @Setting(doc = "Watch the directory and load new or replaced plugins while the host runs.",
                defaultValue = "false") boolean watch,
        @Setting(doc = "Most entries a plugin archive may hold (zip bombs).", defaultValue = "20000", min = 1)
        int maxArchiveEntries,
        @Setting(doc = "Most bytes a plugin archive may unpack to, all entries together (zip bombs).",
                defaultValue = "1073741824", min = 1) long maxArchiveBytes,
        @Setting(doc = "Most unpacked bytes per archive byte, for archives unpacking to more than 64 MiB (zip "
                + "bombs).", defaultValue = "100", min = 1) int maxArchiveRatio) {
}
