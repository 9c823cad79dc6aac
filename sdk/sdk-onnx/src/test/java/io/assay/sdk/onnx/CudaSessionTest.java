package io.assay.sdk.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import io.assay.sdk.tensor.Tensor;
import io.assay.sdk.testkit.References;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Needs a CUDA device (build with {@code -Pcuda}, CUDA 12 and cuDNN 9 on the library path): the tiny U-Net on CUDA
 * gives the CPU's numbers within float tolerance, through the reusable native buffers. Skipped, saying why, where no
 * device can be used.
 */
@Tag("cuda")
class CudaSessionTest {

    @Test
    void theUnetOnCudaMatchesTheCpu() throws Exception {
        Path unet = References.require("tiny-sd/model/unet/model.onnx");
        OnnxRuntimeSettings cuda = OnnxRuntimeSettings.cpu().withProviders(List.of("cuda"), "fail");
        try (OnnxSessions gpu = new OnnxSessions(cuda); OnnxSessions cpu = new OnnxSessions(OnnxRuntimeSettings.cpu())) {
            OnnxModel onGpu;
            try {
                onGpu = gpu.open(unet, "onnx-unet");
            } catch (StageException e) {
                Assumptions.assumeTrue(e.code() != ErrorCode.RUNTIME_UNAVAILABLE,
                        "no usable CUDA device here: " + e.getMessage());
                throw e;
            }
            try (OnnxModel g = onGpu; OnnxModel c = cpu.open(unet, "onnx-unet"); OnnxModel.Binding b = g.binding()) {
                assertThat(g.executionProvider()).isEqualTo("cuda");
                long d = c.inputs().get("encoder_hidden_states").shape()[2];
                Tensor sample = Tensor.filled(0.5f, 1, 4, 8, 8);
                Tensor hidden = Tensor.filled(0.25f, 1, 77, d);
                long[] ts = c.inputs().get("timestep").rank() == 0 ? new long[0] : new long[] {1};
                b.input("sample", sample);
                b.number("timestep", new double[] {500}, ts);
                b.constant("encoder_hidden_states", hidden);
                Tensor out = b.run("out_sample", sample.shape());
                Map<String, OnnxTensor> in = new LinkedHashMap<>();
                in.put("sample", c.floatInput("sample", sample));
                in.put("timestep", c.numberInput("timestep", new double[] {500}, ts));
                in.put("encoder_hidden_states", c.floatInput("encoder_hidden_states", hidden));
                Tensor ref = c.run(in, Set.of("out_sample")).get("out_sample");
                for (int i = 0; i < ref.size(); i++) {
                    assertThat(out.data()[i]).isCloseTo(ref.data()[i], org.assertj.core.data.Offset.offset(1e-3f));
                }
            }
        }
    }
}
