package io.assay.framework.runtime;

import com.typesafe.config.Config;
import io.assay.framework.settings.ModelSettings;
import io.assay.framework.settings.OutputSettings;
import io.assay.framework.settings.RunSettings;
import io.assay.framework.settings.ValidatedConfig;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * One validated configuration: what one run (a command, a request, an experiment cell) asks for. Immutable, so
 * concurrent requests each hold their own.
 *
 * @param validated every section and stage, bound and checked
 * @param file the pipeline file it was read from, or null
 */
public record RunConfig(ValidatedConfig validated, Path file) {

    /** The resolved HOCON. */
    public Config config() {
        return validated.config();
    }

    /** The {@code run} section. */
    public RunSettings run() {
        return validated.section("run", RunSettings.class);
    }

    /** The {@code output} section. */
    public OutputSettings output() {
        return validated.section("output", OutputSettings.class);
    }

    /** The {@code model} section. */
    public ModelSettings model() {
        return validated.section("model", ModelSettings.class);
    }

    /** What relative paths in stage settings resolve against: the pipeline file's folder, else the working one. */
    public Path baseDir() {
        return file != null ? file.toAbsolutePath().getParent() : Paths.get("").toAbsolutePath();
    }
}
