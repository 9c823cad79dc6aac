package io.assay.framework.engines;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** An engine that runs curation and experiments on many cores or machines (implementations: the Spark engine). */
public interface ScaleEngine {

    /** The name given to {@code --engine}. */
    String name();

    /**
     * What every job carries: the command's configuration (so each executor can open the same runtime), where it
     * writes, and the engine's own settings.
     *
     * @param configFile the user's configuration file (curation or experiment)
     * @param sets {@code --set} overrides, in order
     * @param pluginsDir {@code --plugins-dir}, or null for the distribution's
     * @param out output directory
     * @param master the cluster manager URL ({@code local[*]}, {@code spark://host:7077}, {@code yarn}, ...)
     * @param conf engine settings passed through ({@code --conf k=v})
     * @param stdout where the command's results go
     * @param stderr where progress goes
     */
    record Job(Path configFile, List<String> sets, Path pluginsDir, Path out, String master, Map<String, String> conf,
            PrintWriter stdout, PrintWriter stderr) {
    }

    /**
     * {@code assay curate CONFIG --engine NAME}: the same outputs as the local engine (kept shards, ledger,
     * summary.json, report.html), from scratch.
     *
     * @param fresh whether to discard earlier output in the directory
     * @return the exit code
     */
    int curate(Job job, boolean fresh) throws Exception;

    /** {@code assay compare EXPERIMENT --engine NAME}: the same results and report as the local engine. */
    int compare(Job job) throws Exception;
}
