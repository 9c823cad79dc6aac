package io.assay.sdk.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import io.assay.sdk.testkit.References;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Execution-provider policy on a machine without a usable CUDA device (the CPU runtime, whose CUDA provider is absent,
 * or the GPU runtime of {@code -Pcuda} without a device or CUDA libraries): with {@code fallback = cpu} a CUDA-first
 * configuration runs on the CPU and says which provider runs; with {@code fallback = fail} it is refused with a
 * message naming the provider. {@link CudaSessionTest} runs where a device is.
 */
class ExecutionProviderTest {

    private static Path unet() {
        return References.require("tiny-sd/model/unet/model.onnx");
    }

    @Test
    void cudaFirstFallsBackToCpuAndSaysSo() {
        OnnxRuntimeSettings s = OnnxRuntimeSettings.cpu().withProviders(List.of("cuda", "cpu"), "cpu");
        try (OnnxSessions sessions = new OnnxSessions(s); OnnxModel m = sessions.open(unet(), "onnx-unet")) {
            assertThat(m.executionProvider()).isEqualTo("cpu");
            assertThat(m.inputs()).containsKeys("sample", "timestep", "encoder_hidden_states");
        }
    }

    @Test
    void cudaWithFallbackFailIsRefusedNamingTheProvider() {
        OnnxRuntimeSettings s = OnnxRuntimeSettings.cpu().withProviders(List.of("cuda"), "fail");
        try (OnnxSessions sessions = new OnnxSessions(s)) {
            assertThatThrownBy(() -> sessions.open(unet(), "onnx-unet"))
                    .isInstanceOf(StageException.class)
                    .hasMessageContaining("Execution provider 'cuda' ")
                    .satisfies(e -> assertThat(((StageException) e).code()).isEqualTo(ErrorCode.RUNTIME_UNAVAILABLE));
        }
    }

    @Test
    void unknownProvidersAndMissingFilesAreNamed() {
        assertThatThrownBy(() -> OnnxRuntimeSettings.cpu().withProviders(List.of("tpu"), "cpu"))
                .hasMessageContaining("unknown provider 'tpu'");
        try (OnnxSessions sessions = new OnnxSessions(OnnxRuntimeSettings.cpu())) {
            assertThatThrownBy(() -> sessions.open(Path.of("/nonexistent/unet/model.onnx"), "onnx-unet"))
                    .isInstanceOf(StageException.class)
                    .hasMessageContaining("'/nonexistent/unet/model.onnx', which does not exist");
        }
    }
}
