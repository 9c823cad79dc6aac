package io.assay.sdk.onnx;

import io.assay.sdk.Setting;
import java.util.List;

/** The {@code onnx} section: how ONNX Runtime sessions are created, shared, kept and threaded. */
public record OnnxRuntimeSettings(
        @Setting(doc = "Execution providers in order of preference: cpu, cuda, tensorrt, rocm, dnnl, openvino, "
                + "coreml, xnnpack.", defaultValue = "[cpu]") List<String> executionProviders,
        @Setting(doc = "When a preferred provider is unavailable or a session cannot be created on it (no device, "
                + "out of memory, library mismatch): 'cpu' falls back to the next provider (and to cpu) and says "
                + "so, 'fail' refuses.", defaultValue = "cpu", oneOf = {"cpu", "fail"}) String fallback,
        @Setting(doc = "CUDA device id.", defaultValue = "0", min = 0) int cudaDeviceId,
        @Setting(doc = "CUDA memory limit in bytes (gpu_mem_limit); 0 = unlimited.", defaultValue = "0", min = 0)
        long cudaMemoryLimit,
        @Setting(doc = "Threads within one operator for each session's own pool; 0 = no per-session pools: every "
                + "session shares the process-wide pool of onnx.threads.", defaultValue = "0", min = 0)
        int intraOpThreads,
        @Setting(doc = "Threads across operators; 0 = ONNX Runtime's default.", defaultValue = "0", min = 0)
        int interOpThreads,
        @Setting(doc = "Graph optimization level.", defaultValue = "all",
                oneOf = {"disable", "basic", "extended", "all"}) String optimizationLevel,
        @Setting(doc = "Ask providers for deterministic kernels (setDeterministicCompute).", defaultValue = "false")
        boolean deterministic,
        @Setting(doc = "The thread budget: one ONNX Runtime intra-op pool of this many threads, shared by every "
                + "session and every concurrent run (serve --workers); 0 = one thread per core.", defaultValue = "0",
                min = 0) int threads,
        @Setting(doc = "Seconds a loaded model no pipeline uses stays loaded for the next run; 0 = unload as soon "
                + "as the last pipeline using it closes.", defaultValue = "600", min = 0) long sessionIdleSeconds,
        @Setting(doc = "Memory budget of loaded models in MiB (their files' sizes); beyond it the least recently "
                + "used models no pipeline uses are unloaded; 0 = half of the physical memory.", defaultValue = "0",
                min = 0) long sessionMemoryMb,
        @Setting(doc = "CPU memory of a session: 'default' keeps ONNX Runtime's arena and memory patterns (fastest "
                + "repeated runs); 'lean' disables the CPU arena and memory patterns and allocates initializers "
                + "outside the arena; 'minimal' is lean without pre-packed weight copies (the least resident "
                + "memory once loaded; convolutions and matrix products may run slower).", defaultValue =
                "default", oneOf = {"default", "lean", "minimal"}) String memory) {

    /** The providers ONNX Runtime Java can add, by config name. */
    public static final List<String> KNOWN_PROVIDERS = List.of("cpu", "cuda", "tensorrt", "rocm", "dnnl", "openvino",
            "coreml", "xnnpack");

    /** The values of {@code memory}. */
    public static final List<String> MEMORY = List.of("default", "lean", "minimal");

    /** Validates. */
    public OnnxRuntimeSettings {
        executionProviders = List.copyOf(executionProviders);
        if (memory == null) {
            memory = "default";
        } else if (!MEMORY.contains(memory)) {
            throw new IllegalArgumentException("memory: unknown value '" + memory + "'; expected "
                    + String.join(", ", MEMORY));
        }
        if (executionProviders.isEmpty()) {
            throw new IllegalArgumentException("execution-providers must name at least one provider, e.g. [cpu]");
        }
        for (String p : executionProviders) {
            if (!KNOWN_PROVIDERS.contains(p)) {
                throw new IllegalArgumentException("execution-providers: unknown provider '" + p + "'; known: "
                        + String.join(", ", KNOWN_PROVIDERS));
            }
        }
    }

    /** The settings as SDK 1.1 declared them (before {@code memory}): {@code memory = default}. */
    public OnnxRuntimeSettings(List<String> executionProviders, String fallback, int cudaDeviceId, long cudaMemoryLimit,
            int intraOpThreads, int interOpThreads, String optimizationLevel, boolean deterministic, int threads,
            long sessionIdleSeconds, long sessionMemoryMb) {
        this(executionProviders, fallback, cudaDeviceId, cudaMemoryLimit, intraOpThreads, interOpThreads,
                optimizationLevel, deterministic, threads, sessionIdleSeconds, sessionMemoryMb, "default");
    }

    /** CPU only, every other setting at its default. */
    public static OnnxRuntimeSettings cpu() {
        return new OnnxRuntimeSettings(List.of("cpu"), "cpu", 0, 0, 0, 0, "all", false, 0, 600, 0, "default");
    }

    /** These settings with other providers and fallback. */
    public OnnxRuntimeSettings withProviders(List<String> providers, String fallbackPolicy) {
        return new OnnxRuntimeSettings(providers, fallbackPolicy, cudaDeviceId, cudaMemoryLimit, intraOpThreads,
                interOpThreads, optimizationLevel, deterministic, threads, sessionIdleSeconds, sessionMemoryMb,
                memory);
    }

    /** These settings with another cache policy. */
    public OnnxRuntimeSettings withCache(long idleSeconds, long memoryMb) {
        return new OnnxRuntimeSettings(executionProviders, fallback, cudaDeviceId, cudaMemoryLimit, intraOpThreads,
                interOpThreads, optimizationLevel, deterministic, threads, idleSeconds, memoryMb, memory);
    }
}
