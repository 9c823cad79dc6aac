package io.assay.lib.forge;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OrtException;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SD 2.x variants of the architectures (which the tiny preset does not exercise) at tiny sizes, run in ONNX
 * Runtime: a GELU text encoder, and a U-Net with linear projections and a different head count per block.
 */
class ArchitectureVariantsTest {

    @TempDir
    Path tmp;

    @Test
    void geluTextEncoderRuns() throws IOException, OrtException {
        Component c = ClipTextModel.build(new TextSpec(64, 2, 4, 256, false, "!"), Dtype.FP32, 3);
        Path model = tmp.resolve("text.onnx");
        c.graph().write(model);
        int[] ids = new int[77];
        java.util.Arrays.fill(ids, 0); // SD 2.x pads with "!" (id 0): the pooled row is still the end-of-text token's
        ids[0] = 49406;
        ids[1] = 320;
        ids[2] = 49407;
        try (Ort o = new Ort(model, false)) {
            var out = o.ints("input_ids", ids, 1, 77).run();
            assertThat(out.get("last_hidden_state").shape()).containsExactly(1, 77, 64);
            float[] last = out.get("last_hidden_state").data();
            assertThat(out.get("pooler_output").data()).containsExactly(java.util.Arrays.copyOfRange(last, 2 * 64,
                    3 * 64));
            assertThat(out.get("last_hidden_state").finite()).isTrue();
        }
    }

    @Test
    void linearProjectionUnetWithPerBlockHeadsRuns() throws IOException, OrtException {
        UnetSpec spec = new UnetSpec(new int[] {32, 64, 64}, 1, new int[] {2, 4, 4}, 48, true, 8);
        Component c = UnetModel.build(spec, Dtype.FP16, 5);
        Path model = tmp.resolve("unet.onnx");
        c.graph().write(model);
        try (Ort o = new Ort(model, true)) {
            Ort.Tensor eps = o.floats("sample", ForgeTinyTest.gaussian(3 * 4 * 16 * 8, 1), 3, 4, 16, 8)
                    .longs("timestep", new long[] {999, 500, 1}, 3)
                    .floats("encoder_hidden_states", ForgeTinyTest.gaussian(3 * 77 * 48, 2), 3, 77, 48).run()
                    .get("out_sample");
            assertThat(eps.shape()).containsExactly(3, 4, 16, 8);
            assertThat(eps.finite()).isTrue();
            assertThat(eps.std()).isBetween(0.01, 10.0);
        }
        // proj_in / proj_out are Linear layers here ([in, out] MatMul weights), not 1×1 convolutions.
        assertThat(c.graph().skeleton().getGraph().getInitializerList()).filteredOn(t -> t.getName()
                .equals("down_blocks.0.attentions.0.proj_in.weight")).singleElement()
                .satisfies(t -> assertThat(t.getDimsList()).containsExactly(32L, 32L));
    }
}
