package io.assay.sdk.onnx;

import io.assay.sdk.Setting;
import java.util.List;

/** The {@code onnx} section: how ONNX Runtime sessions are created. */
public record OnnxRuntimeSettings(
        @Setting(doc = "Execution providers in order of preference: cpu, cuda, tensorrt, rocm, dnnl, openvino, "
                + "coreml, xnnpack.", defaultValue = "[cpu]") List<String> executionProviders,
        @Setting(doc = "When a preferred provider is unavailable: 'cpu' falls back to the next one and says so, "
                + "'fail' refuses.", defaultValue = "cpu", oneOf = {"cpu", "fail"}) String fallback,
        @Setting(doc = "CUDA device id.", defaultValue = "0", min = 0) int cudaDeviceId,
        @Setting(doc = "CUDA memory limit in bytes (gpu_mem_limit); 0 = unlimited.", defaultValue = "0", min = 0)
        long cudaMemoryLimit,
        @Setting(doc = "Threads within one operator; 0 = ONNX Runtime's default.", defaultValue = "0", min = 0)
        int intraOpThreads,
        @Setting(doc = "Threads across operators; 0 = ONNX Runtime's default.", defaultValue = "0", min = 0)
        int interOpThreads,
        @Setting(doc = "Graph optimization level.", defaultValue = "all",
                oneOf = {"disable", "basic", "extended", "all"}) String optimizationLevel,
        @Setting(doc = "Ask providers for deterministic kernels (setDeterministicCompute).", defaultValue = "false")
        boolean deterministic) {

    /** The providers ONNX Runtime Java can add, by config name. */
    public static final List<String> KNOWN_PROVIDERS = List.of("cpu", "cuda", "tensorrt", "rocm", "dnnl", "openvino",
            "coreml", "xnnpack");

    /** Validates. */
    public OnnxRuntimeSettings {
        executionProviders = List.copyOf(executionProviders);
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

    /** CPU only, ONNX Runtime's defaults. */
    public static OnnxRuntimeSettings cpu() {
        return new OnnxRuntimeSettings(List.of("cpu"), "cpu", 0, 0, 0, 0, "all", false);
    }
}
