package io.assay.plugins.curationio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.assay.lib.onnxgraph.OnnxGraph;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import io.assay.sdk.curation.Images;
import io.assay.sdk.metrics.SimilarityMetric;
import io.assay.sdk.onnx.OnnxRuntimeSettings;
import io.assay.sdk.onnx.OnnxSessions;
import io.assay.sdk.tensor.RgbImage;
import io.assay.sdk.testkit.ModelDirectories;
import io.assay.sdk.testkit.References;
import io.assay.sdk.testkit.WebRecords;
import io.assay.sdk.testkit.contract.SimilarityMetricContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code clip-score} over the tiny-sd reference model's tokenizer and text encoder plus an image encoder written here
 * ({@code image_embeds = mean RGB of the image · W}, into the text encoder's 32-wide pooled space): the kit's contract,
 * and scores equal to the library scorer's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClipScoreTest {

    private OnnxSessions sessions;
    private Path model;

    @BeforeAll
    void model() throws IOException {
        Path tiny = References.require("tiny-sd/model");
        model = Files.createTempDirectory("clip-score-");
        ModelDirectories.copyTree(tiny.resolve("tokenizer"), model.resolve("tokenizer"));
        ModelDirectories.copyTree(tiny.resolve("text_encoder"), model.resolve("text_encoder"));
        ModelDirectories.copyTree(tiny.resolve("unet"), model.resolve("unet"));
        OnnxGraph g = new OnnxGraph("image-encoder").opset(17).irVersion(8);
        g.input("sample", OnnxGraph.FLOAT, new long[] {-1, 3, -1, -1}, "batch", "height", "width");
        String mean = g.op("ReduceMean", new String[] {"sample"}, OnnxGraph.ints("axes", 2, 3),
                OnnxGraph.intAttr("keepdims", 0));
        float[] w = new float[3 * 32];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) Math.sin(1.7 * i + 0.3);
        }
        g.op("MatMul", new String[] {mean, g.floats("w", new long[] {3, 32}, w)}, "image_embeds");
        g.output("image_embeds", OnnxGraph.FLOAT, new long[] {-1, 32}, "batch");
        Files.createDirectories(model.resolve("image_encoder"));
        g.write(model.resolve("image_encoder/model.onnx"));
        sessions = new OnnxSessions(OnnxRuntimeSettings.cpu());
    }

    @AfterAll
    void close() throws IOException {
        if (sessions != null) {
            sessions.close();
        }
        if (model != null) {
            ModelDirectories.deleteTree(model);
        }
    }

    private ClipScore create(int batch) {
        return new ClipScore(new ClipScoreSettings(model, batch), sessions);
    }

    @Nested
    class Contract implements SimilarityMetricContract {
        @Override
        public SimilarityMetric create() {
            return ClipScoreTest.this.create(3);
        }
    }

    @Test
    void scoresAreTheLibraryScorersCosinesBatchedAsConfigured() throws Exception {
        List<RgbImage> images = List.of(decode(1), decode(2), decode(3), decode(4), decode(5));
        List<String> texts = List.of("a red kite", "two cups", "a boat", "", "a green field at dawn");
        double[] expected;
        try (io.assay.lib.imagetext.ImageTextScorer s = io.assay.lib.imagetext.ImageTextScorer.open(model, sessions)) {
            expected = s.scores(images, texts);
        }
        try (ClipScore two = create(2)) {
            double[] got = two.scores(images, texts);
            assertThat(got).hasSize(5).containsExactly(expected, org.assertj.core.data.Offset.offset(1e-6));
            for (double x : got) {
                assertThat(x).isBetween(-1.0 - 1e-6, 1.0 + 1e-6);
            }
            assertThat(two.describe()).isNotBlank();
        }
    }

    private static RgbImage decode(long seed) throws Images.UnreadableImageException {
        return Images.decode(WebRecords.png(96, 80, seed), Images.DEFAULT_MAX_PIXELS);
    }

    @Test
    void withoutAModelItIsRefusedNamingTheSetting() {
        assertThatThrownBy(() -> new ClipScore(new ClipScoreSettings(null, 4), sessions)).isInstanceOf(
                StageException.class).hasMessageContaining("needs model-dir").extracting(e -> ((StageException) e)
                .code()).isEqualTo(ErrorCode.INVALID_SETTING);
        Path empty = model.resolve("tokenizer");
        assertThatThrownBy(() -> new ClipScore(new ClipScoreSettings(empty, 4), sessions)).extracting(
                e -> ((StageException) e).code()).isEqualTo(ErrorCode.MODEL_INVALID);
    }
}
