package io.assay.framework.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.assay.framework.engines.ScaleEngine;
import io.assay.framework.experiment.ExperimentPlan;
import io.assay.framework.experiment.ExperimentReports;
import io.assay.framework.experiment.ExperimentRunner;
import io.assay.framework.io.AtomicFiles;
import io.assay.framework.io.FileTrees;
import io.assay.framework.io.OutLock;
import io.assay.framework.runtime.AssayRuntime;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * {@code assay compare EXPERIMENT --engine spark}: the plan's groups of cells that share a trajectory (and so a
 * model) become Spark tasks. Each executor opens the runtime once, so its model sessions are loaded once and shared
 * by all the groups it runs (one group at a time per executor: the runtime is not shared between concurrent tasks).
 * A task writes its cells and trajectory files into its own attempt directory with the local runner; the driver moves
 * one successful attempt per group into {@code cells/} and {@code trajectories/}, then builds the report from those
 * files exactly as the local engine does (the report is made from the files, not from memory).
 */
final class SparkExperiments {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Map<JobSpec, ExperimentPlan> PLANS = new HashMap<>();

    /** What one group's task left. */
    record Written(int group, String dir) implements Serializable {
    }

    private SparkExperiments() {
    }

    static int run(ScaleEngine.Job job) throws Exception {
        JobSpec spec = JobSpec.of(job.configFile(), job.sets(), job.pluginsDir());
        long t0 = System.nanoTime();
        try (AssayRuntime rt = AssayRuntime.open(spec.config(), spec.sets(), spec.plugins(), true,
                msg -> job.stderr().println("assay: " + msg))) {
            Executors.register(spec, rt);
            try {
                ExperimentPlan plan = plan(spec);
                Path dir = job.out() != null ? job.out() : Path.of("out", plan.experiment().name());
                Files.createDirectories(dir);
                try (OutLock lock = OutLock.acquire(dir, "compare")) {
                    List<ExperimentPlan.PlannedCell> missing = new ArrayList<>();
                    for (ExperimentPlan.PlannedCell c : plan.cells()) {
                        boolean exists = Files.isRegularFile(dir.resolve("cells").resolve(c.key() + ".png"))
                                && Files.isRegularFile(dir.resolve("cells").resolve(c.key() + ".json"));
                        if (!exists && missing.stream().noneMatch(m -> m.key().equals(c.key()))) {
                            missing.add(c);
                        }
                    }
                    List<ArrayList<String>> groups = new ArrayList<>();
                    for (List<ExperimentPlan.PlannedCell> g : plan.byTrajectory(missing)) {
                        groups.add(new ArrayList<>(g.stream().map(ExperimentPlan.PlannedCell::key).toList()));
                    }
                    List<Written> written = List.of();
                    if (!groups.isEmpty()) {
                        SparkSession spark = SparkEngine.session(job, "assay compare "
                                + job.configFile().getFileName());
                        try {
                            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
                            List<Integer> ids = new ArrayList<>();
                            for (int i = 0; i < groups.size(); i++) {
                                ids.add(i);
                            }
                            String out = dir.toAbsolutePath().toString();
                            written = jsc.parallelize(ids, groups.size())
                                    .map(i -> runGroup(spec, out, i, groups.get(i))).collect();
                        } finally {
                            spark.stop();
                        }
                    }
                    commit(dir, written);
                    ExperimentReports.write(plan, dir);
                    Map<String, Object> run = new LinkedHashMap<>();
                    run.put("experiment", plan.experiment().name());
                    run.put("engine", "spark");
                    run.put("master", job.master());
                    run.put("cells", plan.cells().size());
                    run.put("computed", missing.size());
                    run.put("reused", plan.cells().size() - missing.size());
                    run.put("tasks", groups.size());
                    run.put("wallMillis", (System.nanoTime() - t0) / 1e6);
                    AtomicFiles.write(dir.resolve("run.json"), JSON.writeValueAsBytes(run));
                    job.stdout().println(dir.resolve("index.html"));
                    job.stdout().flush();
                    return 0;
                }
            } finally {
                Executors.forget(spec);
                synchronized (PLANS) {
                    PLANS.remove(spec);
                }
            }
        }
    }

    private static ExperimentPlan plan(JobSpec spec) {
        AssayRuntime rt = Executors.runtime(spec);
        synchronized (PLANS) {
            return PLANS.computeIfAbsent(spec, s -> ExperimentPlan.of(rt, rt.userFile(), List.of()));
        }
    }

    /** One group's task: the local runner on this group's cells, into a fresh attempt directory. */
    static Written runGroup(JobSpec spec, String out, int group, List<String> keys) throws IOException {
        AssayRuntime rt = Executors.runtime(spec);
        ExperimentPlan full = plan(spec);
        List<ExperimentPlan.PlannedCell> cells = full.cells().stream().filter(c -> keys.contains(c.key()))
                .toList();
        TaskContext tc = TaskContext.get();
        Path attempt = Path.of(out, "_temporary", String.format("group-%05d-attempt-%d", group,
                tc.taskAttemptId()));
        FileTrees.delete(attempt);
        Executors.enter();
        try {
            synchronized (rt) {
                new ExperimentRunner(rt).runCells(full, cells, attempt, () -> false);
            }
        } finally {
            Executors.exit();
        }
        return new Written(group, attempt.toString());
    }

    /** Moves each group's cells and trajectories into place; then removes every attempt directory. */
    private static void commit(Path dir, List<Written> written) throws IOException {
        for (String sub : List.of("cells", "trajectories")) {
            Files.createDirectories(dir.resolve(sub));
        }
        for (Written w : written) {
            for (String sub : List.of("cells", "trajectories")) {
                List<Path> files;
                try (Stream<Path> s = Files.list(Path.of(w.dir()).resolve(sub))) {
                    files = s.sorted().toList();
                }
                // PNGs and trajectories before the JSON that marks a cell done (as the local runner writes them).
                for (Path f : files.stream().sorted((a, b) -> Boolean.compare(a.toString().endsWith(".json"),
                        b.toString().endsWith(".json"))).toList()) {
                    Files.move(f, dir.resolve(sub).resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING,
                            StandardCopyOption.ATOMIC_MOVE);
                }
            }
        }
        FileTrees.delete(dir.resolve("_temporary"));
    }
}
