package io.assay.framework.cli;

import io.assay.framework.assembly.RunStageContext;
import io.assay.framework.curation.CurationPlan;
import io.assay.framework.curation.CurationRun;
import io.assay.framework.curation.CurationStages;
import io.assay.framework.host.Lease;
import io.assay.framework.io.FileTrees;
import io.assay.framework.runtime.AssayRuntime;
import io.assay.lib.websources.RecordSource;
import io.assay.sdk.TraceSink;
import io.assay.sdk.curation.ScraperFilter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code assay curate CONFIG}: a source of web records through a chain of scraper filters into a kept dataset, a
 * ledger of every rejection, {@code summary.json} and {@code report.html}. Resumes from its checkpoint when re-run
 * on the same output directory.
 */
@Command(name = "curate", mixinStandardHelpOptions = true,
        description = "Curate web records into a training set, with a ledger of everything the filters discard.")
public final class CurateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common = new CommonOptions();

    @Parameters(index = "0", paramLabel = "CONFIG", description = "Curation file (HOCON with a curation section).")
    Path configFile;

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory (default: out/curate-<config name>).")
    Path out;

    @Option(names = "--fresh", description = "Discard a previous run's output in DIR instead of resuming it.")
    boolean fresh;

    @Override
    public Integer call() throws Exception {
        common.config = configFile;
        PrintWriter err = spec.commandLine().getErr();
        try (AssayRuntime runtime = common.openAll(err)) {
            Path file = runtime.userFile();
            CurationPlan plan = CurationPlan.of(runtime.raw(file), file, runtime.host().catalog(), runtime::modelDir);
            Path dir = out != null ? out : Path.of("out", "curate-" + file.getFileName().toString()
                    .replaceFirst("\\.conf$", ""));
            try (io.assay.framework.io.OutLock lock = io.assay.framework.io.OutLock.acquire(dir, "curate")) {
                if (fresh) {
                    clear(dir);
                }
                CurationRun.Options options = new CurationRun.Options(plan.settings().format(),
                        plan.settings().shardSize(), plan.settings().checkpointEvery(), plan.settings().maxPixels(),
                        plan.settings().examples(), plan.hash());
                CancelFlag cancel = CancelFlag.onInterrupt();
                List<CurationRun.NamedFilter> filters = new ArrayList<>();
                try (Lease lease = runtime.host().lease();
                        RecordSource source = plan.openSource(runtime.host(), lease, file.getParent());
                        CurationStages.Writers writers = plan.openWriters(runtime.host(), lease, file.getParent())) {
                    try {
                        for (CurationPlan.Filter f : plan.filters()) {
                            ScraperFilter sf = runtime.host().create(lease, ScraperFilter.class, f.component().name(),
                                    f.settings(), new RunStageContext("curation.filters", f.component().name(),
                                            TraceSink.NONE, cancel, file.getParent()));
                            filters.add(new CurationRun.NamedFilter(f.label(), sf));
                        }
                        long t0 = System.nanoTime();
                        long[] last = {0};
                        CurationRun.Checkpoint cp = new CurationRun(filters, options, dir, writers).run(source, n -> {
                            if (n - last[0] >= 500) {
                                last[0] = n;
                                double s = (System.nanoTime() - t0) / 1e9;
                                err.printf("curate: %d records (%.0f/s)%n", n, n / Math.max(s, 1e-9));
                                err.flush();
                            }
                        }, cancel);
                        Map<String, Object> about = new LinkedHashMap<>();
                        about.put("source", source.describe());
                        about.put("chain", filters.stream().map(CurationRun.NamedFilter::name).toList());
                        about.put("configHash", plan.hash());
                        about.put("keptDataset", dir.resolve("kept").toString());
                        about.put("format", writers.describe());
                        CurationRun.writeReports(cp, dir, about);
                        spec.commandLine().getOut().printf("read %d, kept %d, rejected %d, unreadable %d%s%n",
                                cp.summary.read, cp.summary.kept, cp.summary.rejected, cp.summary.unreadable,
                                cp.complete ? "" : " (stopped; re-run to resume)");
                        spec.commandLine().getOut().println(dir.resolve("summary.json"));
                        spec.commandLine().getOut().println(dir.resolve("report.html"));
                        return cp.complete ? ExitCodes.OK : ExitCodes.CANCELLED;
                    } finally {
                        for (CurationRun.NamedFilter f : filters) {
                            f.filter().close();
                        }
                        cancel.close();
                    }
                }
            }
        }
    }

    private static void clear(Path dir) throws IOException {
        for (String name : List.of("checkpoint.json", "ledger.jsonl", "summary.json", "report.html")) {
            Files.deleteIfExists(dir.resolve(name));
        }
        FileTrees.delete(dir.resolve("kept"));
    }
}
