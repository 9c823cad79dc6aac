package io.assay.sdk.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.providers.OrtCUDAProviderOptions;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's model cache: creates ONNX Runtime sessions with the configured execution providers and shares them by
 * (canonical model file, its size and modification time), so every pipeline, request and experiment cell that opens
 * the same file uses one session.
 *
 * <p><b>Policy</b> ({@link OnnxRuntimeSettings}): a session stays loaded while a pipeline holds it (each
 * {@link #open} returns a handle; {@link OnnxModel#close()} releases it), then for {@code session-idle-seconds} more
 * so the next run finds it loaded; beyond {@code session-memory-mb} of loaded models, the least recently used ones no
 * pipeline holds are unloaded first. A model is loaded outside any global lock: concurrent opens of the same file
 * wait for one load; opens of other files proceed.
 *
 * <p><b>Threads</b>: one process-wide intra-op pool of {@code threads} threads (default: one per core), shared by
 * every session, so N concurrent runs share the cores instead of each asking for all of them; {@code
 * intra-op-threads > 0} gives each session its own pool instead.
 *
 * <p><b>Providers</b>: each configured provider is probed once per JVM and per options (device id, memory limit); a
 * session that cannot be created on a non-CPU provider falls back to the next provider (and finally the CPU) when
 * {@code fallback = cpu}, and says so. Models are always loaded by path, so external weights ({@code
 * model.onnx_data}, {@code weights.pb}) resolve relative to the model's folder.
 */
public final class OnnxSessions implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OnnxSessions.class);
    /** Provider probes per JVM (a failed CUDA probe costs seconds): provider and options → "" if usable, else why. */
    private static final Map<String, String> PROBES = new ConcurrentHashMap<>();
    /** The size of the process-wide pool this class created the environment with; 0 = the environment has none. */
    private static int globalPoolThreads;

    private final OnnxRuntimeSettings settings;
    private final Provisioner provisioner;
    private final OrtEnvironment env;
    private final boolean sharedPool;
    private final int threads;
    private final long budgetBytes;
    private final LongSupplier clock;
    /** Loaded and loading sessions, in access order (least recently used first). Guarded by this. */
    private final LinkedHashMap<String, Shared> cache = new LinkedHashMap<>(16, 0.75f, true);
    private int created;
    private int hits;
    private int evicted;
    private ScheduledExecutorService sweeper;

    /** How sessions come to be: adding a provider to options and creating a session (a seam for fault tests). */
    interface Provisioner {
        /** Adds {@code provider} to the options; throws when it cannot be added here. */
        void addProvider(OrtSession.SessionOptions options, String provider, OnnxRuntimeSettings settings)
                throws OrtException;

        /** Creates a session on {@code file} with options that carry {@code provider}. */
        OrtSession createSession(OrtEnvironment env, Path file, String provider, OrtSession.SessionOptions options)
                throws OrtException;
    }

    /** A shared session, its holders and when it was last released. */
    static final class Shared {
        final String key;
        final Path file;
        final CompletableFuture<Shared> loaded = new CompletableFuture<>();
        OrtSession session;
        String provider;
        long bytes;
        int refs;
        long idleSince;

        Shared(String key, Path file) {
            this.key = key;
            this.file = file;
        }

        boolean ready() {
            return loaded.isDone() && !loaded.isCompletedExceptionally();
        }
    }

    /**
     * What the cache holds and did.
     *
     * @param loaded sessions loaded now
     * @param inUse of those, the ones a pipeline holds
     * @param loadedBytes their files' total size
     * @param budgetBytes the memory budget
     * @param idleSeconds how long an unused session stays loaded
     * @param created sessions created since start
     * @param hits opens served by a loaded (or loading) session
     * @param evicted sessions unloaded by the policy (idle time or budget)
     * @param threads the thread budget
     * @param threadPool {@code global} (one pool shared by every session) or {@code per-session}
     */
    public record Stats(int loaded, int inUse, long loadedBytes, long budgetBytes, long idleSeconds, int created,
            int hits, int evicted, int threads, String threadPool) {
    }

    /** A cache with the given settings. */
    public OnnxSessions(OnnxRuntimeSettings settings) {
        this(settings, REAL, System::nanoTime);
    }

    OnnxSessions(OnnxRuntimeSettings settings, Provisioner provisioner, LongSupplier clock) {
        this.settings = settings;
        this.provisioner = provisioner;
        this.clock = clock;
        this.threads = settings.threads() > 0 ? settings.threads() : Runtime.getRuntime().availableProcessors();
        this.env = environment(threads);
        this.sharedPool = settings.intraOpThreads() == 0 && globalPoolThreads > 0;
        this.budgetBytes = settings.sessionMemoryMb() > 0 ? settings.sessionMemoryMb() << 20 : physicalMemory() / 2;
    }

    /**
     * The process's ONNX Runtime environment, created with a global intra-op pool of {@code threads} when this is
     * the first use of ONNX Runtime in the JVM (the pool is fixed for the life of the process; a later budget only
     * applies to per-session pools).
     */
    private static synchronized OrtEnvironment environment(int threads) {
        if (globalPoolThreads > 0) {
            return OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, "assay");
        }
        try (OrtEnvironment.ThreadingOptions t = new OrtEnvironment.ThreadingOptions()) {
            t.setGlobalIntraOpNumThreads(threads);
            t.setGlobalInterOpNumThreads(1);
            OrtEnvironment e = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, "assay", t);
            globalPoolThreads = threads;
            return e;
        } catch (IllegalStateException | OrtException e) {
            // ONNX Runtime was used before without a global pool: each session gets its own.
            LOG.debug("No global ONNX Runtime thread pool ({}); sessions use their own", e.getMessage());
            return OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, "assay");
        }
    }

    private static long physicalMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return 8L << 30;
    }

    /** The settings sessions are created with. */
    public OnnxRuntimeSettings settings() {
        return settings;
    }

    /** The ONNX Runtime version. */
    public String ortVersion() {
        return env.getVersion();
    }

    /** How many sessions this cache created (a hit creates none). */
    public synchronized int sessionsCreated() {
        return created;
    }

    /** How many sessions are loaded now (in use or idle). */
    public synchronized int openSessions() {
        return (int) cache.values().stream().filter(Shared::ready).count();
    }

    /** What the cache holds and did, for status pages. */
    public synchronized Stats stats() {
        int loaded = 0;
        int inUse = 0;
        long bytes = 0;
        for (Shared s : cache.values()) {
            if (s.ready()) {
                loaded++;
                bytes += s.bytes;
                inUse += s.refs > 0 ? 1 : 0;
            }
        }
        return new Stats(loaded, inUse, bytes, budgetBytes, settings.sessionIdleSeconds(), created, hits, evicted,
                threads, sharedPool ? "global" : "per-session");
    }

    /**
     * Opens (or shares) the session for a model file.
     *
     * @param file the {@code .onnx} file
     * @param component who asks, for messages, e.g. {@code onnx-unet}
     * @throws StageException {@code MODEL_MISSING} if the file does not exist, {@code MODEL_INVALID} if ONNX Runtime
     *     cannot load it, {@code RUNTIME_UNAVAILABLE} if no configured provider can be used
     */
    public OnnxModel open(Path file, String component) {
        if (!Files.isRegularFile(file)) {
            throw new StageException(ErrorCode.MODEL_MISSING, "Component '" + component + "' needs model file '"
                    + file + "', which does not exist");
        }
        String key;
        try {
            Path real = file.toRealPath();
            key = real + "|" + Files.size(real) + "|" + Files.getLastModifiedTime(real).toMillis();
        } catch (IOException e) {
            throw new StageException(ErrorCode.MODEL_MISSING, "Component '" + component + "' cannot read '" + file
                    + "': " + e.getMessage(), e);
        }
        Shared s;
        boolean load;
        synchronized (this) {
            s = cache.get(key);
            load = s == null;
            if (load) {
                s = new Shared(key, file);
                cache.put(key, s);
            } else {
                hits++;
            }
            s.refs++;
        }
        if (load) {
            load(s, component);
        }
        try {
            s.loaded.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            release(s);
            throw new StageException(ErrorCode.CANCELLED, "interrupted while '" + file + "' was loading");
        } catch (ExecutionException e) {
            release(s);
            throw e.getCause() instanceof StageException se ? se : new StageException(ErrorCode.INTERNAL,
                    "loading '" + file + "' failed: " + e.getCause(), e.getCause());
        }
        return new OnnxModel(this, s, file, component);
    }

    /** Loads outside the lock; a failure reaches every waiter and leaves no entry behind. */
    private void load(Shared s, String component) {
        try {
            checkNotPointerOrEmpty(s.file, component);
            create(s, component);
            long bytes = footprint(s.file);
            synchronized (this) {
                s.bytes = bytes;
                created++;
            }
            s.loaded.complete(s);
            synchronized (this) {
                evict();
            }
        } catch (RuntimeException e) {
            synchronized (this) {
                cache.remove(s.key, s);
            }
            s.loaded.completeExceptionally(e);
        }
    }

    /** The model's size on disk: its file and, since external weights sit beside it, the rest of its folder. */
    private static long footprint(Path file) {
        try (Stream<Path> s = Files.list(file.toAbsolutePath().getParent())) {
            return s.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        } catch (IOException e) {
            return 0;
        }
    }

    /** For provenance: each loaded session's model file and the execution provider it runs on. */
    public synchronized Map<String, String> openProviders() {
        Map<String, String> out = new TreeMap<>();
        for (Shared s : cache.values()) {
            if (s.ready()) {
                out.put(s.file.toAbsolutePath().normalize().toString(), s.provider);
            }
        }
        return out;
    }

    synchronized void release(Shared s) {
        if (--s.refs > 0) {
            return;
        }
        s.idleSince = clock.getAsLong();
        evict();
        if (s.refs == 0 && cache.get(s.key) == s && settings.sessionIdleSeconds() > 0 && sweeper == null) {
            sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "assay-session-sweeper");
                t.setDaemon(true);
                return t;
            });
            long period = Math.max(1, Math.min(60, settings.sessionIdleSeconds() / 2));
            sweeper.scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.SECONDS);
        }
    }

    synchronized void sweep() {
        evict();
    }

    /** Applies the policy: unloads idle sessions past their time, then least recently used idle ones over budget. */
    private void evict() {
        long now = clock.getAsLong();
        long ttl = TimeUnit.SECONDS.toNanos(settings.sessionIdleSeconds());
        long bytes = 0;
        for (Shared s : cache.values()) {
            bytes += s.ready() ? s.bytes : 0;
        }
        for (Iterator<Shared> it = cache.values().iterator(); it.hasNext(); ) {
            Shared s = it.next();
            if (!s.ready() || s.refs > 0) {
                continue;
            }
            if (now - s.idleSince >= ttl || bytes > budgetBytes) {
                it.remove();
                bytes -= s.bytes;
                evicted++;
                closeQuietly(s);
            }
        }
    }

    private void create(Shared s, String component) {
        List<String> skipped = new ArrayList<>();
        List<String> providers = new ArrayList<>(settings.executionProviders());
        if (!providers.contains("cpu") && settings.fallback().equals("cpu")) {
            providers.add("cpu");
        }
        for (String provider : providers) {
            boolean configured = settings.executionProviders().contains(provider);
            String unavailable = probe(provider);
            if (unavailable != null) {
                failOrSkip(provider, "is not available (" + unavailable + ")", skipped);
                continue;
            }
            try (OrtSession.SessionOptions options = options(provider)) {
                s.session = provisioner.createSession(env, s.file, provider, options);
                s.provider = provider;
                if (!skipped.isEmpty() || !configured) {
                    LOG.warn("'{}' runs on {}: skipped {}", s.file, provider, skipped);
                }
                return;
            } catch (OrtException e) {
                if (provider.equals("cpu")) {
                    throw new StageException(ErrorCode.MODEL_INVALID, "Component '" + component + "': ONNX Runtime "
                            + "cannot load '" + s.file + "': " + e.getMessage(), e);
                }
                failOrSkip(provider, "cannot create a session for '" + s.file + "' (" + e.getMessage() + ")",
                        skipped);
            }
        }
        throw new StageException(ErrorCode.RUNTIME_UNAVAILABLE, "No configured execution provider is available: "
                + skipped);
    }

    private void failOrSkip(String provider, String problem, List<String> skipped) {
        if (settings.fallback().equals("fail")) {
            throw new StageException(ErrorCode.RUNTIME_UNAVAILABLE, "Execution provider '" + provider + "' "
                    + problem + "; onnx.fallback = fail");
        }
        skipped.add(provider + " (" + problem + ")");
    }

    /** ONNX Runtime's own message for these is "Protobuf parsing failed"; say what the file really is. */
    private static void checkNotPointerOrEmpty(Path file, String component) {
        try {
            long size = Files.size(file);
            if (size == 0) {
                throw new StageException(ErrorCode.MODEL_INVALID, "Component '" + component + "': model file '"
                        + file + "' is empty (0 bytes): an interrupted copy or download?");
            }
            if (size < 1024) {
                String head = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                if (head.startsWith("version https://git-lfs.github.com/spec/")) {
                    throw new StageException(ErrorCode.MODEL_INVALID, "Component '" + component + "': model file '"
                            + file + "' is a Git LFS pointer (" + size + " bytes), not the model: fetch it with "
                            + "'git lfs pull'");
                }
            }
        } catch (IOException e) {
            throw new StageException(ErrorCode.MODEL_MISSING, "Component '" + component + "' cannot read '" + file
                    + "': " + e.getMessage(), e);
        }
    }

    private OrtSession.SessionOptions options(String provider) throws OrtException {
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        try {
            if (sharedPool) {
                o.disablePerSessionThreads();
            } else {
                o.setIntraOpNumThreads(settings.intraOpThreads() > 0 ? settings.intraOpThreads() : threads);
            }
            if (settings.interOpThreads() > 0) {
                o.setInterOpNumThreads(settings.interOpThreads());
            }
            o.setOptimizationLevel(switch (settings.optimizationLevel()) {
                case "disable" -> OrtSession.SessionOptions.OptLevel.NO_OPT;
                case "basic" -> OrtSession.SessionOptions.OptLevel.BASIC_OPT;
                case "extended" -> OrtSession.SessionOptions.OptLevel.EXTENDED_OPT;
                default -> OrtSession.SessionOptions.OptLevel.ALL_OPT;
            });
            if (settings.deterministic()) {
                o.setDeterministicCompute(true);
            }
            applyMemory(o, settings.memory());
            provisioner.addProvider(o, provider, settings);
            return o;
        } catch (OrtException | RuntimeException e) {
            o.close();
            throw e;
        }
    }

    /**
     * Applies {@code onnx.memory} to session options: {@code lean} turns off the CPU memory arena (freed tensors go
     * back to the system instead of staying reserved) and memory-pattern planning (no pre-sized blocks per input
     * shape), and allocates initializers with the device allocator rather than the arena; {@code minimal} also
     * turns off weight pre-packing (kernels keep no re-laid-out copy of each weight); {@code default} changes
     * nothing. Public so a raw ONNX Runtime program can mirror the host's options exactly.
     */
    public static void applyMemory(OrtSession.SessionOptions o, String memory) throws OrtException {
        if ("lean".equals(memory) || "minimal".equals(memory)) {
            o.setCPUArenaAllocator(false);
            o.setMemoryPatternOptimization(false);
            o.addConfigEntry("session.use_device_allocator_for_initializers", "1");
        }
        if ("minimal".equals(memory)) {
            o.addConfigEntry("session.disable_prepacking", "1");
        }
    }

    /** Null if the provider can be added to session options here, else why not. Cached per JVM and options. */
    private String probe(String provider) {
        if (provider.equals("cpu")) {
            return null;
        }
        String key = provider + "|device " + settings.cudaDeviceId() + "|limit " + settings.cudaMemoryLimit() + "|"
                + provisioner.getClass().getName();
        return PROBES.computeIfAbsent(key, k -> {
            try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
                provisioner.addProvider(o, provider, settings);
                return "";
            } catch (OrtException | RuntimeException | UnsatisfiedLinkError e) {
                return e.getMessage() == null ? e.toString() : e.getMessage();
            }
        }).transform(r -> r.isEmpty() ? null : r);
    }

    /** ONNX Runtime itself. */
    private static final Provisioner REAL = new Provisioner() {
        @Override
        public void addProvider(OrtSession.SessionOptions o, String provider, OnnxRuntimeSettings s)
                throws OrtException {
            switch (provider) {
                case "cpu" -> {
                }
                case "cuda" -> {
                    try (OrtCUDAProviderOptions cuda = new OrtCUDAProviderOptions(s.cudaDeviceId())) {
                        if (s.cudaMemoryLimit() > 0) {
                            cuda.add("gpu_mem_limit", Long.toString(s.cudaMemoryLimit()));
                        }
                        o.addCUDA(cuda);
                    }
                }
                case "tensorrt" -> o.addTensorrt(s.cudaDeviceId());
                case "rocm" -> o.addROCM(s.cudaDeviceId());
                case "dnnl" -> o.addDnnl(true);
                case "openvino" -> o.addOpenVINO("");
                case "coreml" -> o.addCoreML();
                case "xnnpack" -> o.addXnnpack(Map.of());
                default -> throw new IllegalArgumentException("unknown provider " + provider);
            }
        }

        @Override
        public OrtSession createSession(OrtEnvironment env, Path file, String provider,
                OrtSession.SessionOptions options) throws OrtException {
            return env.createSession(file.toString(), options);
        }
    };

    private static void closeQuietly(Shared s) {
        try {
            s.session.close();
        } catch (OrtException e) {
            LOG.warn("Closing the session of '{}' failed: {}", s.file, e.getMessage());
        }
    }

    /** Unloads every session (the host does this at shutdown). */
    @Override
    public synchronized void close() {
        if (sweeper != null) {
            sweeper.shutdownNow();
            sweeper = null;
        }
        for (Shared s : cache.values()) {
            if (s.ready()) {
                closeQuietly(s);
            }
        }
        cache.clear();
    }
}
