package io.assay.framework.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code --engine}, {@code --master} and {@code --conf} for commands that can run on Spark (curate, compare). */
public final class EngineOptions {

    @Option(names = "--engine", paramLabel = "local|spark", defaultValue = "local",
            description = "Where to run: this process (local, the default) or Apache Spark (spark; needs lib/spark).")
    String engine = "local";

    @Option(names = "--master", paramLabel = "URL", defaultValue = "local[*]",
            description = "Spark master with --engine spark (default local[*]: embedded, all cores).")
    String master = "local[*]";

    @Option(names = "--conf", paramLabel = "KEY=VALUE", description = "A Spark setting passed through (repeatable).")
    Map<String, String> conf = new LinkedHashMap<>();

    /** Whether the local engine runs. */
    boolean local() {
        if (!engine.equals("local") && !engine.equals("spark")) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(new Object()),
                    "--engine must be local or spark, not '" + engine + "'");
        }
        return engine.equals("local");
    }
}
