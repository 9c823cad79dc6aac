package io.assay.lib.forge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OrtException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Forge.Options#attentionSlices()}: a U-Net whose self-attention scores are computed in head groups gives the
 * unsliced U-Net's output (same seed, same inputs), its slices are emitted as consecutive MatMul–Softmax–MatMul
 * nodes, the choice is recorded in model_index.json, out-of-range counts are refused, and the default forge is
 * byte for byte what it was before the option existed.
 */
class AttentionSlicingTest {

    private static final long SEED = 42;
    /** tiny's U-Net: down block 0, the mid block and up block 1 (2 layers) have transformers, 2 attentions each. */
    private static final int TINY_ATTENTIONS = 8;
    /** Of which self-attentions, the ones sliced (cross-attention's 77 keys are not). */
    private static final int TINY_SELF_ATTENTIONS = 4;

    @TempDir
    Path tmp;

    /** 8 heads in 2 and 8 slices (dividing) and in 3 (not dividing: groups of 3, 3, 2). */
    @ParameterizedTest
    @ValueSource(ints = {2, 3, 8})
    void slicedUnetComputesWhatTheUnslicedOneDoes(int slices) throws IOException, OrtException {
        UnetSpec spec = Preset.TINY.unet();
        Ort.Tensor plain = runUnet(spec, 1, "plain");
        Ort.Tensor sliced = runUnet(spec, slices, "sliced");
        assertThat(sliced.shape()).containsExactly(plain.shape());
        assertThat(plain.std()).isGreaterThan(0.01); // a real output, not zeros that would trivially agree
        assertThat(maxDifference(plain, sliced)).isLessThanOrEqualTo(1e-5);
        assertThat(count(unet(spec, 1), "Softmax")).isEqualTo(TINY_ATTENTIONS);
        assertThat(count(unet(spec, slices), "Softmax")).isEqualTo(TINY_SELF_ATTENTIONS * slices
                + TINY_ATTENTIONS - TINY_SELF_ATTENTIONS);
        // q, k and v split per self-attention, beside the GEGLU feed-forwards' own Splits
        assertThat(count(unet(spec, slices), "Split") - count(unet(spec, 1), "Split"))
                .isEqualTo(TINY_SELF_ATTENTIONS * 3);
    }

    /**
     * Blocks of 2 and 4 heads (linear projections) in 3 slices: the 2-head blocks are sliced per head, the 4-head
     * blocks into 2, 1, 1 heads.
     */
    @Test
    void blocksWithFewerHeadsThanSlicesAreSlicedPerHead() throws IOException, OrtException {
        UnetSpec spec = new UnetSpec(new int[] {32, 64, 64}, 1, new int[] {2, 4, 4}, 48, true, 8);
        Ort.Tensor plain = runUnet(spec, 1, "plain");
        Ort.Tensor sliced = runUnet(spec, 3, "sliced");
        assertThat(plain.std()).isGreaterThan(0.01);
        assertThat(maxDifference(plain, sliced)).isLessThanOrEqualTo(1e-5);
        // 2-head transformers: down 0 and up 2 (2 layers) = 3, self-attention in 2 groups; 4-head: down 1, mid and
        // up 1 (2 layers) = 4, self-attention in 3 groups; plus one unsliced cross-attention each.
        assertThat(count(unet(spec, 3), "Softmax")).isEqualTo(3 * 2 + 4 * 3 + 7);
    }

    /**
     * Each slice's scores, probabilities and output are three consecutive nodes, the slices one after another, so a
     * sequential executor that runs nodes in this order can free one slice's scores before the next's exist.
     */
    @Test
    void eachSliceIsThreeConsecutiveNodes() {
        List<OnnxMl.NodeProto> nodes = unet(Preset.TINY.unet(), 8).skeleton().getGraph().getNodeList();
        Map<String, String> producer = new java.util.HashMap<>();
        nodes.forEach(n -> n.getOutputList().forEach(o -> producer.put(o, n.getOpType())));
        int sliced = 0;
        int whole = 0;
        for (int i = 0; i < nodes.size(); i++) {
            OnnxMl.NodeProto n = nodes.get(i);
            if (!n.getOpType().equals("Softmax")) {
                continue;
            }
            OnnxMl.NodeProto scores = nodes.get(i - 1);
            OnnxMl.NodeProto times = nodes.get(i + 1);
            assertThat(scores.getOpType()).isEqualTo("MatMul");
            assertThat(n.getInput(0)).isEqualTo(scores.getOutput(0));
            assertThat(times.getOpType()).isEqualTo("MatMul");
            assertThat(times.getInput(0)).isEqualTo(n.getOutput(0));
            if (!"Split".equals(producer.get(scores.getInput(0)))) {
                whole++; // a cross-attention: all heads at once
                continue;
            }
            sliced++;
            // the next node starts the next slice (its scores MatMul) or, after the last slice, is their Concat
            OnnxMl.NodeProto next = nodes.get(i + 2);
            assertThat(next.getOpType()).isIn("MatMul", "Concat");
            if (next.getOpType().equals("Concat")) {
                assertThat(next.getInputList()).hasSize(8).endsWith(times.getOutput(0));
            }
        }
        assertThat(sliced).isEqualTo(TINY_SELF_ATTENTIONS * 8);
        assertThat(whole).isEqualTo(TINY_ATTENTIONS - TINY_SELF_ATTENTIONS);
    }

    /**
     * The default forge (and {@code attentionSlices = 1} given explicitly) writes the files the forge wrote before
     * the option existed: SHA-256 of tiny at seed 42 as written by commit 1a78ee2 (main before slicing).
     */
    @Test
    void defaultForgeIsByteIdenticalToBeforeTheOption() throws IOException {
        Map<String, String> before = Map.of(
                "model_index.json", "28661b0d9ff396c5857ba004efda13b902c2f000b1864ef26d2c6e0dcc35bac7",
                "unet/model.onnx", "153fb16773ab02d986578d774ee074f01c4ccb9a0508aaa601459699ac0b48e3",
                "unet/config.json", "ae3345c36a80ba45bb854517ec7ac25c6e2eff0d3e7d2d27acf1ca1c81f108a0",
                "text_encoder/model.onnx", "7d52c48bc0cdd4c136834229556597f2daf36a9d640e9a1165d3a73feb5817f5",
                "vae_decoder/model.onnx", "5c397abc700fa7cd1b8228315569f499c32d061986605b7e9b57efc78555e1be");
        Path plain = Forge.write(Preset.TINY, tmp.resolve("default"), SEED, Dtype.FP32, Forge.Progress.NONE).dir();
        Path one = Forge.write(Preset.TINY, tmp.resolve("one"), SEED, Dtype.FP32,
                new Forge.Options(null, false, 1, 1), Forge.Progress.NONE).dir();
        for (Map.Entry<String, String> e : before.entrySet()) {
            assertThat(sha256(plain.resolve(e.getKey()))).as(e.getKey()).isEqualTo(e.getValue());
            assertThat(sha256(one.resolve(e.getKey()))).as(e.getKey()).isEqualTo(e.getValue());
        }
    }

    @Test
    void slicesAreRecordedInTheModelIndex() throws IOException {
        Path sliced = Forge.write(Preset.TINY, tmp.resolve("sliced"), SEED, Dtype.FP32,
                new Forge.Options(null, false, 1, 4), Forge.Progress.NONE).dir();
        ObjectMapper json = new ObjectMapper();
        JsonNode forge = json.readTree(sliced.resolve("model_index.json").toFile()).path("_assay_forge");
        assertThat(forge.path("attention_slices").asInt()).isEqualTo(4);
        assertThat(forge.path("preset").asText()).isEqualTo("tiny");
        Path plain = Forge.write(Preset.TINY, tmp.resolve("plain"), SEED, Dtype.FP32, Forge.Progress.NONE).dir();
        assertThat(json.readTree(plain.resolve("model_index.json").toFile()).path("_assay_forge")
                .has("attention_slices")).isFalse();
        // the same weights: only the graph differs
        assertThat(Files.size(sliced.resolve("unet/model.onnx"))).isGreaterThan(
                Files.size(plain.resolve("unet/model.onnx")));
        assertThat(sha256(sliced.resolve("text_encoder/model.onnx"))).isEqualTo(
                sha256(plain.resolve("text_encoder/model.onnx")));
    }

    @Test
    void outOfRangeSliceCountsAreRefusedBeforeAnythingIsWritten() {
        Path out = tmp.resolve("too-many");
        assertThatThrownBy(() -> Forge.write(Preset.TINY, out, SEED, Dtype.FP32,
                new Forge.Options(null, false, 1, 9), Forge.Progress.NONE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("attention slices must be between 1 and 8 (the U-Net's largest head count), not 9");
        assertThat(out).doesNotExist();
        assertThat(tmp).isEmptyDirectory();
        assertThatThrownBy(() -> new Forge.Options(null, false, 1, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("attention slices must be at least 1, not 0");
        assertThatThrownBy(() -> UnetModel.build(Preset.SD21.unet(), Dtype.FP32, 0, 21))
                .hasMessageContaining("between 1 and 20");
    }

    private static io.assay.lib.onnxgraph.OnnxGraph unet(UnetSpec spec, int slices) {
        return UnetModel.build(spec, Dtype.FP32, Weights.key(SEED, "unet"), slices).graph();
    }

    /** One U-Net call, batch 2 at a 16×12 latent with two timesteps. */
    private Ort.Tensor runUnet(UnetSpec spec, int slices, String name) throws IOException, OrtException {
        Path model = tmp.resolve(name + ".onnx");
        unet(spec, slices).write(model);
        int cross = spec.crossAttention();
        try (Ort o = new Ort(model, false)) {
            return o.floats("sample", ForgeTinyTest.gaussian(2 * 4 * 16 * 12, 11), 2, 4, 16, 12)
                    .longs("timestep", new long[] {981, 1}, 2)
                    .floats("encoder_hidden_states", ForgeTinyTest.gaussian(2 * 77 * cross, 12), 2, 77, cross)
                    .run().get("out_sample");
        }
    }

    private static double maxDifference(Ort.Tensor a, Ort.Tensor b) {
        double m = 0;
        for (int i = 0; i < a.data().length; i++) {
            m = Math.max(m, Math.abs(a.data()[i] - b.data()[i]));
        }
        return m;
    }

    private static long count(io.assay.lib.onnxgraph.OnnxGraph g, String op) {
        return g.skeleton().getGraph().getNodeList().stream().filter(n -> n.getOpType().equals(op)).count();
    }

    private static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
