package io.assay.plugins.curationio;

import io.assay.sdk.Setting;
import java.nio.file.Path;
import java.util.List;

/**
 * Settings of {@code webdataset} and {@code manifest} sources.
 *
 * @param paths the files or directories to read
 */
public record SourceSettings(
        @Setting(doc = "Files or directories to read (relative to the config file); a directory means every matching "
                + "file in it, sorted by name", defaultValue = "[]") List<Path> paths) {

    /** Requires a path. */
    public SourceSettings {
        if (paths.isEmpty()) {
            throw new IllegalArgumentException("'paths' must name at least one file or directory");
        }
    }
}
