package io.assay.sdk.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.providers.OrtCUDAProviderOptions;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's ONNX Runtime service, one per JVM: creates sessions with the configured execution providers and caches
 * them by (canonical model file, its size and modification time), so every pipeline and experiment cell that opens
 * the same file shares one session. Sessions are reference-counted: each {@link #open} returns a handle whose
 * {@link OnnxModel#close()} releases one reference, and the session closes with the last one.
 *
 * <p>Models are always loaded by path, so external weights ({@code model.onnx_data}, {@code weights.pb}) resolve
 * relative to the model's folder.
 */
public final class OnnxSessions implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OnnxSessions.class);
    /** Providers probed once per JVM (a failed CUDA probe costs seconds): name → null if usable, else the reason. */
    private static final Map<String, String> PROBES = new ConcurrentHashMap<>();

    private final OnnxRuntimeSettings settings;
    private final OrtEnvironment env;
    private final Map<String, Shared> cache = new HashMap<>();
    private final AtomicInteger created = new AtomicInteger();

    /** A shared session and its holders. */
    static final class Shared {
        final String key;
        final OrtSession session;
        final String provider;
        int refs;

        Shared(String key, OrtSession session, String provider) {
            this.key = key;
            this.session = session;
            this.provider = provider;
        }
    }

    /** A service with the given settings. */
    public OnnxSessions(OnnxRuntimeSettings settings) {
        this.settings = settings;
        this.env = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, "assay");
    }

    /** The settings sessions are created with. */
    public OnnxRuntimeSettings settings() {
        return settings;
    }

    /** The ONNX Runtime version. */
    public String ortVersion() {
        return env.getVersion();
    }

    /** How many sessions this service created (a cache hit creates none). */
    public int sessionsCreated() {
        return created.get();
    }

    /** How many sessions are open now. */
    public synchronized int openSessions() {
        return cache.size();
    }

    /**
     * Opens (or shares) the session for a model file.
     *
     * @param file the {@code .onnx} file
     * @param component who asks, for messages, e.g. {@code onnx-unet}
     * @throws StageException {@code MODEL_MISSING} if the file does not exist, {@code MODEL_INVALID} if ONNX Runtime
     *     cannot load it, {@code RUNTIME_UNAVAILABLE} if no configured provider can be used
     */
    public synchronized OnnxModel open(Path file, String component) {
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
        Shared s = cache.get(key);
        if (s == null) {
            s = create(file, component, key);
            cache.put(key, s);
        }
        s.refs++;
        return new OnnxModel(this, s, file, component);
    }

    /** For provenance: each open session's model file and the execution provider it runs on. */
    public synchronized Map<String, String> openProviders() {
        Map<String, String> out = new java.util.TreeMap<>();
        for (Shared s : cache.values()) {
            String path = s.key.substring(0, s.key.lastIndexOf('|'));
            out.put(path.substring(0, path.lastIndexOf('|')), s.provider);
        }
        return out;
    }

    synchronized void release(Shared s) {
        if (--s.refs == 0) {
            cache.remove(s.key);
            try {
                s.session.close();
            } catch (OrtException e) {
                LOG.warn("Closing the session of '{}' failed: {}", s.key, e.getMessage());
            }
        }
    }

    private Shared create(Path file, String component, String key) {
        checkNotPointerOrEmpty(file, component);
        List<String> skipped = new ArrayList<>();
        for (String provider : settings.executionProviders()) {
            String unavailable = probe(provider);
            if (unavailable != null) {
                if (settings.fallback().equals("fail")) {
                    throw new StageException(ErrorCode.RUNTIME_UNAVAILABLE, "Execution provider '" + provider
                            + "' is not available (" + unavailable + "); onnx.fallback = fail");
                }
                skipped.add(provider + " (" + unavailable + ")");
                continue;
            }
            try (OrtSession.SessionOptions options = options(provider)) {
                OrtSession session = env.createSession(file.toString(), options);
                created.incrementAndGet();
                if (!skipped.isEmpty()) {
                    LOG.warn("'{}' runs on {}: skipped {}", file, provider, skipped);
                }
                return new Shared(key, session, provider);
            } catch (OrtException e) {
                throw new StageException(ErrorCode.MODEL_INVALID, "Component '" + component + "': ONNX Runtime "
                        + "cannot load '" + file + "': " + e.getMessage(), e);
            }
        }
        if (!settings.executionProviders().contains("cpu")) {
            if (settings.fallback().equals("cpu")) {
                LOG.warn("No configured execution provider is available ({}); falling back to cpu", skipped);
                try (OrtSession.SessionOptions options = options("cpu")) {
                    OrtSession session = env.createSession(file.toString(), options);
                    created.incrementAndGet();
                    return new Shared(key, session, "cpu");
                } catch (OrtException e) {
                    throw new StageException(ErrorCode.MODEL_INVALID, "Component '" + component + "': ONNX Runtime "
                            + "cannot load '" + file + "': " + e.getMessage(), e);
                }
            }
        }
        throw new StageException(ErrorCode.RUNTIME_UNAVAILABLE, "No configured execution provider is available: "
                + skipped);
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
            if (settings.intraOpThreads() > 0) {
                o.setIntraOpNumThreads(settings.intraOpThreads());
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
            addProvider(o, provider);
            return o;
        } catch (OrtException | RuntimeException e) {
            o.close();
            throw e;
        }
    }

    private void addProvider(OrtSession.SessionOptions o, String provider) throws OrtException {
        switch (provider) {
            case "cpu" -> {
            }
            case "cuda" -> {
                try (OrtCUDAProviderOptions cuda = new OrtCUDAProviderOptions(settings.cudaDeviceId())) {
                    if (settings.cudaMemoryLimit() > 0) {
                        cuda.add("gpu_mem_limit", Long.toString(settings.cudaMemoryLimit()));
                    }
                    o.addCUDA(cuda);
                }
            }
            case "tensorrt" -> o.addTensorrt(settings.cudaDeviceId());
            case "rocm" -> o.addROCM(settings.cudaDeviceId());
            case "dnnl" -> o.addDnnl(true);
            case "openvino" -> o.addOpenVINO("");
            case "coreml" -> o.addCoreML();
            case "xnnpack" -> o.addXnnpack(Map.of());
            default -> throw new IllegalArgumentException("unknown provider " + provider);
        }
    }

    /** Null if the provider can be added to session options here, else why not. Cached per JVM. */
    private String probe(String provider) {
        if (provider.equals("cpu")) {
            return null;
        }
        return PROBES.computeIfAbsent(provider, p -> {
            try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
                addProvider(o, p);
                return "";
            } catch (OrtException | RuntimeException | UnsatisfiedLinkError e) {
                return e.getMessage() == null ? e.toString() : e.getMessage();
            }
        }).transform(r -> r.isEmpty() ? null : r);
    }

    /** Closes every open session (the host does this at shutdown). */
    @Override
    public synchronized void close() {
        for (Shared s : cache.values()) {
            try {
                s.session.close();
            } catch (OrtException e) {
                LOG.warn("Closing the session of '{}' failed: {}", s.key, e.getMessage());
            }
        }
        cache.clear();
    }
}
