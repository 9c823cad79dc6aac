package io.assay.plugins.onnxsd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import io.assay.sdk.diffusion.Conditioning;
import io.assay.sdk.diffusion.LatentSampling;
import io.assay.sdk.onnx.OnnxRuntimeSettings;
import io.assay.sdk.onnx.OnnxSessions;
import io.assay.sdk.tensor.Npy;
import io.assay.sdk.tensor.Tensor;
import io.assay.sdk.testkit.ModelDirectories;
import io.assay.sdk.testkit.References;
import io.assay.sdk.testkit.TestStageContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each model of {@code ../shared/reference/tiny-sd} through its stage, against the reference's exact inputs and
 * outputs (1e-5; float16 at 1e-2 × max|ref|), for the base export and every exporter variant; every corrupt overlay
 * refused when the stage is constructed.
 */
class TinySdModelTest {

    private static OnnxSessions sessions;

    @BeforeAll
    static void open() {
        sessions = new OnnxSessions(OnnxRuntimeSettings.cpu());
    }

    @AfterAll
    static void close() {
        sessions.close();
    }

    static Path overlay(String variant, Path into) throws IOException {
        return ModelDirectories.tinySd(variant, into);
    }

    static void delete(Path p) throws IOException {
        ModelDirectories.deleteTree(p);
    }

    static double maxDiff(Tensor a, Tensor b) {
        assertThat(a.shape()).isEqualTo(b.shape());
        double m = 0;
        for (int i = 0; i < a.size(); i++) {
            m = Math.max(m, Math.abs((double) a.data()[i] - b.data()[i]));
        }
        return m;
    }

    static double bound(String variant, Tensor ref) {
        if (!"fp16".equals(variant)) {
            return 1e-5;
        }
        double max = 0;
        for (float v : ref.data()) {
            max = Math.max(max, Math.abs(v));
        }
        return 1e-2 * Math.max(1, max);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"base", "ids-int64", "timestep-rank0-float", "timestep-float-batch",
        "vae-latent-parameters", "unet-external-data", "fp16"})
    void everyModelMatchesTheReference(String variant, @TempDir Path tmp) throws IOException {
        String v = variant.equals("base") ? null : variant;
        Path model = overlay(v, tmp.resolve("m"));
        Path cases = References.require("tiny-sd/cases");
        try (ClipTextEncoder te = new ClipTextEncoder(new ClipSettings(model, "truncate"),
                new TestStageContext("text-encoder", "clip"), sessions);
                OnnxUnetDenoiser unet = new OnnxUnetDenoiser(new UnetSettings(model, null, 0),
                        new TestStageContext("denoiser", "onnx-unet"), sessions);
                OnnxVaeAutoencoder vae = new OnnxVaeAutoencoder(new VaeSettings(model, null),
                        new TestStageContext("autoencoder", "onnx-vae"), sessions)) {
            assertThat(te.hiddenSize()).isEqualTo(32);
            assertThat(unet.latentChannels()).isEqualTo(4);
            assertThat(unet.crossAttentionDim()).isEqualTo(32);
            assertThat(vae.downsamplingFactor()).isEqualTo(8);
            for (String c : List.of("01_ddim_astronaut_g7.5_64x64", "05_pndm_negprompt_g7.5_96x64",
                    "06_img2img_ddim_s0.6_g7.5_64x64")) {
                Path dir = cases.resolve(c);
                com.fasterxml.jackson.databind.JsonNode cj = new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(dir.resolve("case.json").toFile());
                String neg = cj.get("negative_prompt").isNull() ? "" : cj.get("negative_prompt").asText();
                Conditioning cond = te.encode(List.of(neg, cj.get("prompt").asText()));
                Tensor emb = Npy.readTensor(dir.resolve("text_embeddings.npy"));
                assertThat(maxDiff(cond.hiddenStates(), emb)).isLessThanOrEqualTo(bound(v, emb));
                Tensor pooled = Npy.readTensor(dir.resolve("pooler_output.npy"));
                assertThat(maxDiff(cond.pooled(), pooled)).isLessThanOrEqualTo(bound(v, pooled));

                Tensor sample = Npy.readTensor(dir.resolve("unet_in_step0_sample.npy"));
                long t = Npy.read(dir.resolve("unet_in_step0_timestep.npy")).toLongs()[0];
                Tensor out = unet.predict(sample, t, emb);
                Tensor expected = Npy.readTensor(dir.resolve("unet_out_step0.npy"));
                assertThat(maxDiff(out, expected)).isLessThanOrEqualTo(bound(v, expected));

                Tensor fin = Npy.readTensor(dir.resolve("final_latents.npy"));
                Tensor image = vae.decode(fin);
                Tensor imageRef = Npy.readTensor(dir.resolve("image.npy"));
                assertThat(maxDiff(image, imageRef)).isLessThanOrEqualTo("fp16".equals(v) ? bound(v, imageRef)
                        : 5e-5);
                if (Files.exists(dir.resolve("encoder_latent_sample.npy"))) {
                    Tensor enc = vae.encode(Npy.readTensor(dir.resolve("input_image.npy")), LatentSampling.MEAN,
                            null);
                    Tensor mean = Npy.readTensor(dir.resolve("encoder_latent_sample.npy"));
                    float[] scaled = mean.data().clone();
                    for (int i = 0; i < scaled.length; i++) {
                        scaled[i] *= 0.18215f;
                    }
                    assertThat(maxDiff(enc, new Tensor(mean.shape(), scaled))).isLessThanOrEqualTo(bound(v, mean));
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"truncated-unet", "empty-text-encoder", "model-index-not-json", "unet-input-latent",
        "lfs-pointer-unet"})
    void corruptFilesAreRefusedAtConstructionNamingComponentAndFile(String corrupt, @TempDir Path tmp)
            throws IOException {
        Path model = overlay("corrupt/" + corrupt, tmp.resolve("m"));
        int before = sessions.stats().inUse();
        assertThatThrownBy(() -> {
            try (ClipTextEncoder te = new ClipTextEncoder(new ClipSettings(model, "truncate"),
                    new TestStageContext("text-encoder", "clip"), sessions);
                    OnnxUnetDenoiser unet = new OnnxUnetDenoiser(new UnetSettings(model, null, 0),
                            new TestStageContext("denoiser", "onnx-unet"), sessions)) {
                te.hiddenSize();
                unet.latentChannels();
            }
        }).isInstanceOf(StageException.class)
                .satisfies(e -> {
                    StageException se = (StageException) e;
                    assertThat(se.code()).isEqualTo(ErrorCode.MODEL_INVALID);
                    String m = se.getMessage();
                    switch (corrupt) {
                        case "truncated-unet" -> assertThat(m).contains("onnx-unet", "unet/model.onnx", "Protobuf");
                        case "empty-text-encoder" -> assertThat(m).contains("clip", "text_encoder/model.onnx",
                                "empty (0 bytes)");
                        case "model-index-not-json" -> assertThat(m).contains("model_index.json", "not valid JSON");
                        case "unet-input-latent" -> assertThat(m).contains("onnx-unet", "unet/model.onnx",
                                "has no input 'sample'", "latent");
                        case "lfs-pointer-unet" -> assertThat(m).contains("onnx-unet", "Git LFS pointer");
                        default -> throw new AssertionError(corrupt);
                    }
                });
        assertThat(sessions.stats().inUse()).as("no session left held").isEqualTo(before);
    }

    @Test
    void tiledDecodeMatchesTheWholeDecodeWhereTilesCoverItAndBlendsOtherwise(@TempDir Path tmp) throws IOException {
        Path model = overlay(null, tmp.resolve("m"));
        Tensor latents = Npy.readTensor(References.require(
                "tiny-sd/cases/05_pndm_negprompt_g7.5_96x64/final_latents.npy")); // [1, 4, 12, 8]
        try (OnnxVaeAutoencoder whole = new OnnxVaeAutoencoder(new VaeSettings(model, null),
                new TestStageContext("autoencoder", "onnx-vae"), sessions);
                OnnxVaeAutoencoder big = new OnnxVaeAutoencoder(new VaeSettings(model, null, true, 16, 4),
                        new TestStageContext("autoencoder", "onnx-vae"), sessions);
                OnnxVaeAutoencoder small = new OnnxVaeAutoencoder(new VaeSettings(model, null, true, 6, 2),
                        new TestStageContext("autoencoder", "onnx-vae"), sessions)) {
            Tensor full = whole.decode(latents);
            assertThat(big.decode(latents).data()).isEqualTo(full.data());
            Tensor tiled = small.decode(latents);
            assertThat(tiled.shape()).containsExactly(1, 3, 96, 64);
            double mae = 0;
            for (int i = 0; i < full.size(); i++) {
                mae += Math.abs(full.data()[i] - tiled.data()[i]);
            }
            mae /= full.size();
            System.out.printf("tiled decode (6x6 latent tiles, overlap 2) vs whole: mean |diff| %.4f%n", mae);
            assertThat(mae).isGreaterThan(0).isLessThan(0.25);
        }
        assertThatThrownBy(() -> new VaeSettings(model, null, true, 8, 8)).hasMessageContaining("tile-overlap");
    }

    /**
     * {@code max-batch = 1}: the denoiser declares it, the reference's two-row step (unconditional and conditional)
     * run as two one-row calls — as the engine splits it — gives the reference's output, and a call with more rows
     * than declared is refused with the limit named.
     */
    @Test
    void maxBatchIsDeclaredAndRowByRowCallsGiveTheReferenceOutput(@TempDir Path tmp) throws IOException {
        Path model = overlay(null, tmp.resolve("m"));
        Path dir = References.require("tiny-sd/cases").resolve("01_ddim_astronaut_g7.5_64x64");
        Tensor sample = Npy.readTensor(dir.resolve("unet_in_step0_sample.npy"));
        Tensor emb = Npy.readTensor(dir.resolve("text_embeddings.npy"));
        Tensor expected = Npy.readTensor(dir.resolve("unet_out_step0.npy"));
        long t = Npy.read(dir.resolve("unet_in_step0_timestep.npy")).toLongs()[0];
        int rows = (int) sample.dim(0);
        assertThat(rows).isEqualTo(2);
        try (OnnxUnetDenoiser whole = new OnnxUnetDenoiser(new UnetSettings(model, null, 0),
                new TestStageContext("denoiser", "onnx-unet"), sessions);
                OnnxUnetDenoiser one = new OnnxUnetDenoiser(new UnetSettings(model, null, 1),
                        new TestStageContext("denoiser", "onnx-unet"), sessions)) {
            assertThat(whole.maxBatch()).isZero();
            assertThat(one.maxBatch()).isEqualTo(1);
            List<Tensor> in = sample.splitBatch(rows);
            List<Tensor> hs = emb.splitBatch(rows);
            List<Tensor> outs = new java.util.ArrayList<>();
            for (int i = 0; i < rows; i++) {
                outs.add(one.predict(in.get(i), t, hs.get(i)));
            }
            Tensor split = Tensor.concatBatch(outs);
            assertThat(maxDiff(split, expected)).isLessThanOrEqualTo(1e-5);
            assertThat(maxDiff(split, whole.predict(sample, t, emb))).isLessThanOrEqualTo(1e-6);
            assertThatThrownBy(() -> one.predict(sample, t, emb))
                    .isInstanceOf(StageException.class)
                    .hasMessageContaining("this call has 2 batch rows, but max-batch is 1")
                    .satisfies(e -> assertThat(((StageException) e).code()).isEqualTo(ErrorCode.INVALID_INPUT));
        }
    }

    /**
     * A model bounding its latent positions per call (unet/config.json {@code max_latent_positions}, as the embedded
     * world does) refuses a call above it before ONNX Runtime runs, and names the {@code max-batch} that fits; with
     * that max-batch the rows go one call each and pass.
     */
    @Test
    void aCallOverTheModelsPositionBoundNamesTheMaxBatchThatFits(@TempDir Path tmp) throws IOException {
        Path model = overlay(null, tmp.resolve("m"));
        Path config = model.resolve("unet/config.json");
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode c = (com.fasterxml.jackson.databind.node.ObjectNode) json
                .readTree(config.toFile());
        c.put("max_latent_positions", 64);
        json.writeValue(config.toFile(), c);
        Tensor sample = Tensor.zeros(2, 4, 8, 8);
        Tensor hidden = Tensor.zeros(2, 77, 32);
        try (OnnxUnetDenoiser unbounded = new OnnxUnetDenoiser(new UnetSettings(model, null, 0),
                new TestStageContext("denoiser", "onnx-unet"), sessions);
                OnnxUnetDenoiser one = new OnnxUnetDenoiser(new UnetSettings(model, null, 1),
                        new TestStageContext("denoiser", "onnx-unet"), sessions)) {
            assertThatThrownBy(() -> unbounded.predict(sample, 500, hidden))
                    .isInstanceOf(StageException.class)
                    .hasMessageContaining("takes at most 64 latent positions per call")
                    .hasMessageContaining("2 × 8 × 8 = 128")
                    .hasMessageContaining("or set denoiser.max-batch = 1 (the engine then splits each step into "
                            + "calls of 1 row)");
            assertThat(one.predict(sample.splitBatch(2).get(0), 500, hidden.splitBatch(2).get(0)).shape())
                    .containsExactly(1, 4, 8, 8);
        }
    }

    @Test
    void aMissingPartNamesTheExpectedPath(@TempDir Path tmp) throws IOException {
        Path model = overlay(null, tmp.resolve("m"));
        delete(model.resolve("unet"));
        assertThatThrownBy(() -> new OnnxUnetDenoiser(new UnetSettings(model, null, 0),
                new TestStageContext("denoiser", "onnx-unet"), sessions))
                .isInstanceOf(StageException.class)
                .hasMessageContaining("has no 'unet/model.onnx'")
                .satisfies(e -> assertThat(((StageException) e).code()).isEqualTo(ErrorCode.MODEL_MISSING));
    }

    @Test
    void twoStagesOnOneFileShareOneSession(@TempDir Path tmp) throws IOException {
        Path model = overlay(null, tmp.resolve("m"));
        int created = sessions.sessionsCreated();
        OnnxUnetDenoiser a = new OnnxUnetDenoiser(new UnetSettings(model, null, 0),
                new TestStageContext("d", "onnx-unet"), sessions);
        OnnxUnetDenoiser b = new OnnxUnetDenoiser(new UnetSettings(model, null, 0),
                new TestStageContext("d", "onnx-unet"), sessions);
        assertThat(sessions.sessionsCreated() - created).isEqualTo(1);
        int held = sessions.stats().inUse();
        a.close();
        a.close();
        assertThat(sessions.stats().inUse()).isEqualTo(held);
        b.close();
        assertThat(sessions.stats().inUse()).isEqualTo(held - 1);
        assertThatThrownBy(() -> b.predict(Tensor.zeros(1, 4, 8, 8), 1, Tensor.zeros(1, 77, 32)))
                .isInstanceOf(StageException.class).hasMessageContaining("closed");
    }

    @Test
    void textToImageNeverOpensTheVaeEncoderAndTheFirstEncodeDoes(@TempDir Path tmp) throws IOException {
        Path model = overlay(null, tmp.resolve("m"));
        int created = sessions.sessionsCreated();
        try (OnnxVaeAutoencoder vae = new OnnxVaeAutoencoder(new VaeSettings(model, null),
                new TestStageContext("autoencoder", "onnx-vae"), sessions)) {
            vae.decode(Tensor.zeros(1, 4, 8, 8));
            assertThat(sessions.sessionsCreated() - created).as("the decoder only").isEqualTo(1);
            Tensor latents = vae.encode(Tensor.zeros(1, 3, 64, 64), io.assay.sdk.diffusion.LatentSampling.MEAN,
                    null);
            assertThat(latents.shape()).containsExactly(1, 4, 8, 8);
            assertThat(sessions.sessionsCreated() - created).as("and the encoder on first use").isEqualTo(2);
        }
    }

    @Test
    void theTokenizerIsParsedOncePerFilesAndAgainWhenTheyChange(@TempDir Path tmp) throws IOException {
        Path model = overlay(null, tmp.resolve("m"));
        Path dir = model.resolve("tokenizer");
        io.assay.lib.clip.ClipTokenizer first = Tokenizers.of(dir);
        assertThat(Tokenizers.of(dir)).isSameAs(first);
        Path merges = dir.resolve("merges.txt");
        Files.setLastModifiedTime(merges, java.nio.file.attribute.FileTime.fromMillis(
                Files.getLastModifiedTime(merges).toMillis() + 60_000));
        io.assay.lib.clip.ClipTokenizer reparsed = Tokenizers.of(dir);
        assertThat(reparsed).isNotSameAs(first);
        assertThat(reparsed.report("a red circle", io.assay.lib.clip.LongPromptPolicy.TRUNCATE, 77).ids())
                .isEqualTo(first.report("a red circle", io.assay.lib.clip.LongPromptPolicy.TRUNCATE, 77).ids());
    }
}
