package io.assay.framework.spark;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What an executor needs to open the same runtime as the driver: the configuration file, the overrides and the plugins
 * directory (paths every node sees the same way: a shared file system or the same layout on every machine).
 */
record JobSpec(String configFile, ArrayList<String> sets, String pluginsDir) implements Serializable {

    static JobSpec of(Path configFile, List<String> sets, Path pluginsDir) {
        return new JobSpec(configFile.toAbsolutePath().toString(), new ArrayList<>(sets),
                pluginsDir == null ? null : pluginsDir.toAbsolutePath().toString());
    }

    Path config() {
        return Path.of(configFile);
    }

    Path plugins() {
        return pluginsDir == null ? null : Path.of(pluginsDir);
    }
}
