package io.assay.framework.spark;

import io.assay.framework.curation.CurationPlan;
import io.assay.framework.runtime.AssayRuntime;
import io.assay.lib.websources.PartitionedSource;
import io.assay.lib.websources.RecordSource;
import java.util.HashMap;
import java.util.Map;

/**
 * What an executor JVM opens once and keeps for every task it runs: the runtime (the plugin host, with the same class
 * loader isolation as the local engine), the curation plan and the record source (a WARC source's index is built once
 * per executor). In local mode the executors are the driver's JVM, so the driver's runtime is reused.
 */
final class Executors {

    private static final Map<JobSpec, AssayRuntime> RUNTIMES = new HashMap<>();
    private static final Map<JobSpec, Curation> CURATIONS = new HashMap<>();
    private static final Map<JobSpec, java.util.ArrayDeque<Chain>> CHAINS = new HashMap<>();

    /** The curation side of a runtime. */
    record Curation(AssayRuntime runtime, CurationPlan plan, PartitionedSource source) {
    }

    private Executors() {
    }

    /** Registers the driver's own runtime so local-mode tasks reuse it. */
    static synchronized void register(JobSpec spec, AssayRuntime runtime) {
        RUNTIMES.put(spec, runtime);
    }

    private static int inFlight;

    /** A task starts using the runtime (its models may be running native code). */
    static synchronized void enter() {
        inFlight++;
    }

    /** A task is done with the runtime. */
    static synchronized void exit() {
        inFlight--;
        Executors.class.notifyAll();
    }

    /**
     * Forgets (and closes what this class opened for) a job, at the driver's end. When a job fails, Spark does not wait
     * for its other running tasks; they may be inside ONNX Runtime, whose sessions the runtime's close frees, so in
     * local mode this first waits (up to two minutes) for every task to leave.
     */
    static synchronized void forget(JobSpec spec) {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (inFlight > 0 && System.nanoTime() < deadline) {
            try {
                Executors.class.wait(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        java.util.ArrayDeque<Chain> idle = CHAINS.remove(spec);
        if (idle != null) {
            idle.forEach(Chain::close);
        }
        Curation c = CURATIONS.remove(spec);
        if (c != null) {
            c.source().close();
        }
        RUNTIMES.remove(spec);
    }

    static synchronized AssayRuntime runtime(JobSpec spec) {
        return RUNTIMES.computeIfAbsent(spec, s -> AssayRuntime.open(s.config(), s.sets(), s.plugins(), false,
                msg -> System.err.println("assay: " + msg)));
    }

    static synchronized Curation curation(JobSpec spec) {
        Curation c = CURATIONS.get(spec);
        if (c == null) {
            AssayRuntime rt = runtime(spec);
            java.nio.file.Path file = rt.userFile();
            CurationPlan plan = CurationPlan.of(rt.raw(file), file, rt.host().catalog(), rt::modelDir);
            c = new Curation(rt, plan, partitioned(plan.openSource()));
            CURATIONS.put(spec, c);
        }
        return c;
    }

    /**
     * A filter chain for one task of the job: an idle one from an earlier task of this executor (its filters, and
     * the models they loaded, are reused), or a new one. States are the job's survey states, the same for all tasks.
     */
    static Chain borrow(JobSpec spec, Map<String, byte[]> states) {
        Curation c = curation(spec);
        Chain ch;
        synchronized (Executors.class) {
            ch = CHAINS.computeIfAbsent(spec, s -> new java.util.ArrayDeque<>()).poll();
        }
        if (ch == null) {
            ch = new Chain(c.runtime(), c.plan(), states);
        }
        ch.resetNanos();
        return ch;
    }

    /** Gives a chain back after a task that ended normally. */
    static synchronized void release(JobSpec spec, Chain ch) {
        java.util.ArrayDeque<Chain> idle = CHAINS.get(spec);
        if (idle == null) {
            ch.close(); // the job is over
        } else {
            idle.push(ch);
        }
    }

    /** A source read in parts; one that cannot be split is one part. */
    static PartitionedSource partitioned(RecordSource s) {
        if (s instanceof PartitionedSource p) {
            return p;
        }
        return new PartitionedSource() {
            @Override
            public int partitions() {
                return 1;
            }

            @Override
            public java.util.Iterator<io.assay.sdk.curation.WebRecord> records(int part) {
                return s.records();
            }

            @Override
            public java.util.Iterator<io.assay.sdk.curation.WebRecord> records() {
                return s.records();
            }

            @Override
            public String describe() {
                return s.describe();
            }

            @Override
            public void close() {
                try {
                    s.close();
                } catch (Exception e) {
                    // closing a source opened for reading
                }
            }
        };
    }
}
