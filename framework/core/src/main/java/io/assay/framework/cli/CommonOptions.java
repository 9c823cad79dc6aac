package io.assay.framework.cli;

import io.assay.framework.runtime.AssayRuntime;
import io.assay.framework.settings.ConfigLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Options every command that reads a pipeline takes. */
public final class CommonOptions {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "Pipeline file (HOCON). A bare name such as 'sd15' means configs/sd15.conf.")
    Path config;

    @Option(names = "--set", paramLabel = "PATH=VALUE",
            description = "Override one config value (repeatable), e.g. --set guidance.scale=12")
    List<String> sets = new ArrayList<>();

    @Option(names = "--plugins-dir", paramLabel = "DIR", description = "Plugins directory (default: the distribution's).")
    Path pluginsDir;

    /** Adds an override that a dedicated flag stands for; {@code value} is HOCON (quote strings). */
    void set(String path, String hoconValue) {
        sets.add(path + "=" + hoconValue);
    }

    /** Adds an override that the flag {@code flag} stands for; problems with it name the flag. */
    void set(String flag, String path, String hoconValue) {
        sets.add(ConfigLoader.fromFlag(flag, path, hoconValue));
    }

    /** Quotes a string as a HOCON value. */
    static String quote(String s) {
        return ConfigLoader.quote(s);
    }

    /**
     * The runtime over the configuration and plugins these options name, loading only the plugins the configuration
     * selects; progress notes go to {@code err}.
     */
    AssayRuntime open(java.io.PrintWriter err) {
        return AssayRuntime.open(config, sets, pluginsDir, true, msg -> err.println("assay: " + msg));
    }

    /** Like {@link #open}, with every plugin loaded (for commands that list or serve them all). */
    AssayRuntime openAll(java.io.PrintWriter err) {
        return AssayRuntime.open(config, sets, pluginsDir, false, msg -> err.println("assay: " + msg));
    }
}
