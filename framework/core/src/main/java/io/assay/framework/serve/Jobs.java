package io.assay.framework.serve;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The server's job queue: a fixed number of workers and a bounded queue. A submission when the queue is full is
 * refused at once ({@link Busy}) rather than piling up; every job can be cancelled and has a deadline, after which it
 * is cancelled between steps. Finished jobs are remembered (the most recent {@value #REMEMBERED}) for polling.
 *
 * <p>A watchdog covers stages that never return (a plugin stuck in a loop or a native call): each run works on a
 * thread of its own while the worker waits; {@value #GRACE_MILLIS} ms past the deadline the worker gives up, reports
 * the job failed (504) and takes the next job. The stuck thread is interrupted and abandoned (a JVM cannot stop it
 * safely); {@code /api/status} counts such threads.
 */
final class Jobs implements AutoCloseable {

    static final int REMEMBERED = 256;
    /** How long past its deadline a run may take to stop between steps before the watchdog abandons it. */
    static final long GRACE_MILLIS = 2000;

    /** The queue is full. */
    /** One client holds all its slots (429). */
    static final class ClientBusy extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ClientBusy(String message) {
            super(message);
        }
    }

    static final class Busy extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Busy(String message) {
            super(message);
        }
    }

    /** Work a job does; reports progress into the job. */
    interface Work {
        Map<String, Object> run(Job job) throws Exception;
    }

    /** One job: its state, progress and result. Fields are read by pollers while the worker writes them. */
    static final class Job {
        final String id = UUID.randomUUID().toString();
        final String kind;
        final long created = System.currentTimeMillis();
        final long deadline;
        volatile String state = "queued";
        volatile int step;
        volatile int steps;
        volatile String preview;
        volatile String pluginVersions;
        volatile Map<String, Object> result;
        volatile String error;
        volatile int errorStatus;
        /** The error's code in the API's error shape (kebab-case), when the job failed or was cancelled. */
        volatile String errorCode;
        volatile boolean cancelRequested;
        volatile long started;
        volatile long finished;
        /** Whether the job holds a running count (it started). */
        private boolean counted;
        private boolean settled;
        /** Gives back what the job holds (its running count, its client's slot); run once, by {@link #settle}. */
        private Runnable release = () -> { };

        /**
         * Records the outcome once: the first of the run and the watchdog wins. What the job holds is given back
         * before the new state is published, so a client that sees the answer and asks {@code /api/status}, or
         * sends its next request, never finds the job still counted.
         */
        synchronized boolean settle(String state, Map<String, Object> result, String error, int status, String code) {
            return settle(state, result, error, status, code, null);
        }

        /** As {@link #settle(String, Map, String, int, String)}, running {@code also} before the state is published. */
        synchronized boolean settle(String state, Map<String, Object> result, String error, int status, String code,
                Runnable also) {
            if (settled) {
                return false;
            }
            settled = true;
            this.errorCode = code;
            this.result = result;
            this.error = error;
            this.errorStatus = status;
            this.finished = System.currentTimeMillis();
            release.run();
            if (also != null) {
                also.run();
            }
            this.state = state;
            return true;
        }

        Job(String kind, long timeoutMillis) {
            this.kind = kind;
            this.deadline = created + timeoutMillis;
        }

        /** Whether the job should stop: cancelled or past its deadline. */
        boolean shouldStop() {
            return cancelRequested || System.currentTimeMillis() > deadline;
        }

        Map<String, Object> view(boolean withResult) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", id);
            m.put("kind", kind);
            m.put("state", state);
            m.put("step", step);
            m.put("steps", steps);
            m.put("progress", steps == 0 ? 0.0 : Math.min(1.0, step / (double) steps));
            m.put("preview", preview);
            if (pluginVersions != null) {
                m.put("components", pluginVersions);
            }
            m.put("created", java.time.Instant.ofEpochMilli(created).toString());
            if (error != null) {
                m.put("error", error);
                m.put("errorCode", errorCode);
            }
            if (withResult && result != null) {
                m.put("result", result);
            }
            m.put("elapsedMillis", (finished > 0 ? finished : System.currentTimeMillis())
                    - (started > 0 ? started : created));
            return m;
        }
    }

    private final ThreadPoolExecutor pool;
    private final Map<String, Job> jobs = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Job> eldest) {
            return size() > REMEMBERED && !eldest.getValue().state.equals("running")
                    && !eldest.getValue().state.equals("queued");
        }
    };
    private final int capacity;
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger abandoned = new AtomicInteger();

    /** Jobs one client (remote address) may have queued or running at once; 0 = no per-client limit. */
    private final int clientSlots;
    private final java.util.concurrent.ConcurrentHashMap<String, AtomicInteger> perClient =
            new java.util.concurrent.ConcurrentHashMap<>();

    Jobs(int workers, int queue) {
        this(workers, queue, 0);
    }

    Jobs(int workers, int queue, int clientSlots) {
        this.clientSlots = Math.max(0, clientSlots);
        this.capacity = queue;
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(workers, workers, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(Math.max(1, queue)), r -> {
                    Thread t = new Thread(r, "assay-job-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
    }

    /** Queues a job; throws {@link Busy} when the queue is full. */
    Job submit(String kind, long timeoutMillis, Work work) {
        return submit(kind, null, timeoutMillis, work);
    }

    /**
     * Queues a job for {@code client} (the remote address); throws {@link ClientBusy} when that client already has
     * {@link #clientSlots} jobs queued or running, {@link Busy} when the queue is full. A slot is given back when
     * its job is answered (done, failed, cancelled or abandoned by the watchdog).
     */
    Job submit(String kind, String client, long timeoutMillis, Work work) {
        AtomicInteger open = null;
        if (clientSlots > 0 && client != null) {
            open = perClient.computeIfAbsent(client, k -> new AtomicInteger());
            if (open.incrementAndGet() > clientSlots) {
                release(client, open);
                throw new ClientBusy("too many requests from " + client + ": " + clientSlots + " job(s) queued or "
                        + "running at once per client (--client-slots); retry when one is answered");
            }
        }
        AtomicInteger slot = open;
        Job job = new Job(kind, timeoutMillis);
        job.release = () -> {
            if (job.counted) {
                running.decrementAndGet();
            }
            if (slot != null) {
                release(client, slot);
            }
        };
        synchronized (jobs) {
            jobs.put(job.id, job);
        }
        try {
            pool.execute(() -> {
                try {
                    execute(job, work);
                } finally {
                    // Every path through execute settles the job; this only guards against one that threw first.
                    job.settle("failed", null, "internal error: the job ended without an outcome", 500,
                            "internal-error");
                }
            });
        } catch (RejectedExecutionException e) {
            synchronized (jobs) {
                jobs.remove(job.id);
            }
            if (slot != null) {
                release(client, slot);
            }
            throw new Busy("busy: " + running.get() + " running and " + pool.getQueue().size() + " queued (limit "
                    + capacity + "); retry later");
        }
        return job;
    }

    private void release(String client, AtomicInteger open) {
        if (open.decrementAndGet() <= 0) {
            perClient.remove(client, open);
        }
    }

    /** Jobs {@code client} has queued or running now (0 when client slots are off). */
    int open(String client) {
        AtomicInteger n = perClient.get(client);
        return n == null ? 0 : Math.max(0, n.get());
    }

    private void execute(Job job, Work work) {
        if (job.shouldStop()) {
            job.settle("cancelled", null, job.cancelRequested ? "cancelled before it started"
                    : "timed out in the queue", 0, job.cancelRequested ? "cancelled" : "timeout");
            return;
        }
        synchronized (job) {
            // Counted before anything can settle the job, so its release always finds the count to give back.
            job.counted = true;
            running.incrementAndGet();
        }
        job.started = System.currentTimeMillis();
        job.state = "running";
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        Thread runner = new Thread(() -> {
            try {
                Map<String, Object> r = work.run(job);
                job.settle("done", r, null, 0, null);
            } catch (Throwable t) {
                boolean cancelled = job.shouldStop();
                int status = 0;
                String code = "internal-error";
                if (t instanceof io.assay.sdk.StageException se) {
                    status = Server.status(se.code());
                    code = Server.code(se.code());
                } else if (t instanceof io.assay.sdk.settings.ConfigErrorsException) {
                    status = 400;
                    code = "invalid-config";
                } else if (t instanceof IllegalArgumentException) {
                    status = 400;
                    code = "invalid-request";
                }
                job.settle(cancelled ? "cancelled" : "failed", null, cancelled && !job.cancelRequested
                        ? "timed out: " + t.getMessage() : String.valueOf(t.getMessage()), status,
                        !cancelled ? code : job.cancelRequested ? "cancelled" : "timeout");
            } finally {
                done.countDown();
            }
        }, Thread.currentThread().getName() + "-run");
        runner.setDaemon(true);
        try {
            runner.start();
            long wait = Math.max(0, job.deadline - System.currentTimeMillis()) + GRACE_MILLIS;
            if (!done.await(wait, TimeUnit.MILLISECONDS)) {
                // Counted as abandoned before the 504 is visible, so /api/status read after it agrees.
                if (job.settle("failed", null, "timed out: a stage did not return within the job's time limit "
                        + "(--timeout); the run was abandoned and its worker freed", 504, "timeout",
                        abandoned::incrementAndGet)) {
                    runner.interrupt();
                }
            }
        } catch (InterruptedException e) {
            job.settle("cancelled", null, "the server is stopping", 503, "cancelled");
            runner.interrupt();
            Thread.currentThread().interrupt();
        }
    }

    /** Runs the watchdog gave up on (their threads never returned). */
    int abandoned() {
        return abandoned.get();
    }

    Job get(String id) {
        synchronized (jobs) {
            return jobs.get(id);
        }
    }

    /** The running job, if any (for A1111's single-progress endpoint: the most recently started). */
    Job current() {
        synchronized (jobs) {
            Job best = null;
            for (Job j : jobs.values()) {
                if (j.state.equals("running") && (best == null || j.started > best.started)) {
                    best = j;
                }
            }
            return best;
        }
    }

    /** Every remembered job, oldest first. */
    List<Job> list() {
        synchronized (jobs) {
            return new ArrayList<>(jobs.values());
        }
    }

    /** Jobs waiting. */
    int queued() {
        return pool.getQueue().size();
    }

    /** Jobs running. */
    int running() {
        return running.get();
    }

    /** Cancels every running and queued job. */
    void cancelAll() {
        synchronized (jobs) {
            jobs.values().forEach(j -> j.cancelRequested = true);
        }
    }

    @Override
    public void close() {
        cancelAll();
        pool.shutdown();
        try {
            pool.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
