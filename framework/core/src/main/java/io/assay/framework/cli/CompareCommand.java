package io.assay.framework.cli;

import io.assay.framework.experiment.ExperimentRunner;
import io.assay.framework.experiment.ExperimentPlan;
import io.assay.framework.runtime.AssayRuntime;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code assay compare EXPERIMENT}: runs every cell of an experiment ({@link ExperimentRunner}) and prints where the
 * report is; progress per cell on standard error.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Run an experiment's cells and write images, contact sheets, results and a report.")
public final class CompareCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common = new CommonOptions();

    @Parameters(index = "0", paramLabel = "EXPERIMENT", description = "Experiment file (HOCON with an experiment "
            + "section), or its bare name: 'gaussian-noise' means configs/experiments/gaussian-noise.conf.")
    Path experimentFile;

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory (default: out/<experiment name>).")
    Path out;

    @Option(names = "--trace", description = "Write each cell's trace (cells/<key>.trace.json and .trace.html), "
            + "linked from the report.")
    boolean trace;

    /** A bare name (no such file) → {@code configs/experiments/NAME.conf} ({@code $ASSAY_CONFIGS/experiments} first). */
    static Path experimentFile(Path given) {
        if (java.nio.file.Files.exists(given) || given.getNameCount() != 1) {
            return given;
        }
        String name = given.toString().endsWith(".conf") ? given.toString() : given + ".conf";
        String env = System.getenv("ASSAY_CONFIGS");
        for (Path base : new Path[] {env == null ? null : Path.of(env, "experiments"), Path.of("configs", "experiments")}) {
            if (base != null && java.nio.file.Files.isRegularFile(base.resolve(name))) {
                return base.resolve(name);
            }
        }
        return given;
    }

    @Override
    public Integer call() throws Exception {
        common.config = experimentFile(experimentFile);
        if (trace) {
            common.set("output.trace", "true");
        }
        PrintWriter err = spec.commandLine().getErr();
        long t0 = System.nanoTime();
        try (AssayRuntime runtime = common.open(err); CancelFlag cancel = CancelFlag.onInterrupt()) {
            ExperimentPlan plan = ExperimentPlan.of(runtime, runtime.userFile(), List.of());
            Path dir = out != null ? out : Path.of("out", plan.experiment().name());
            try (io.assay.framework.io.OutLock lock = io.assay.framework.io.OutLock.acquire(dir, "compare")) {
                ExperimentRunner.Summary s = new ExperimentRunner(runtime).run(plan, dir, cancel,
                        (done, total, computed) -> {
                            double elapsed = (System.nanoTime() - t0) / 1e9;
                            double left = done == 0 ? 0 : elapsed / done * (total - done);
                            err.printf("compare: cell %d/%d %s (%.1f s elapsed, ~%.0f s left)%n", done, total,
                                    computed ? "computed" : "reused", elapsed, left);
                            err.flush();
                        });
                spec.commandLine().getOut().println(s.dir().resolve("index.html"));
                return ExitCodes.OK;
            }
        }
    }
}
