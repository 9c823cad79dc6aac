package io.assay.lib.forge;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OrtException;
import io.assay.sdk.testkit.References;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The I/O contract of every preset's models (names, element types, ranks, fixed sizes and symbolic dims) equals the
 * reference tiny-sd export's — base model for fp32, {@code variants/fp16} for fp16 — with the hidden size (32 there)
 * replaced by the preset's, with attention slicing too. Read from the written graph proto, without generating any
 * weights.
 */
class ContractTest {

    @ParameterizedTest
    @CsvSource({"mid,FP32,1", "mid,FP16,1", "sd15,FP32,1", "sd15,FP16,1", "sd21,FP32,1", "sd21,FP16,1", "tiny,FP16,1",
        "sd15,FP32,8", "sd21,FP16,7", "tiny,FP16,3"})
    void ioContractEqualsTheReference(String preset, Dtype dtype, int attentionSlices) throws OrtException {
        Preset p = Preset.of(preset);
        String variant = dtype == Dtype.FP32 ? "model" : "variants/fp16";
        String hidden = Integer.toString(p.text().width());
        for (Component c : Forge.components(p, dtype, 0, attentionSlices)) {
            Ports ref = Ports.of(Ort.ENV, References.require("tiny-sd/" + variant + "/" + c.folder() + "/model.onnx"));
            Ports forged = Ports.of(c.graph().skeleton());
            assertThat(forged).as(preset + " " + c.folder() + " in " + attentionSlices + " slices")
                    .isEqualTo(ref.withDim("32", hidden));
        }
        assertThat(p.unet().crossAttention()).isEqualTo(p.text().width());
    }
}
