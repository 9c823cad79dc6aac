package io.assay.framework.world;

import io.assay.lib.onnxgraph.OnnxGraph;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.assay.lib.clip.ClipTokenizer;
import io.assay.lib.clip.LongPromptPolicy;
import io.assay.lib.imagetext.ClipPreprocessor;
import io.assay.lib.imagetext.ImageTextScorer;
import io.assay.sdk.onnx.OnnxRuntimeSettings;
import io.assay.sdk.onnx.OnnxSessions;
import io.assay.sdk.tensor.RgbImage;
import io.assay.sdk.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLIP ONNX scorer against a tiny CLIP-shaped export written here (Hugging Face's CLIPModel interface:
 * {@code input_ids} and {@code attention_mask} int64, {@code pixel_values} float, separate text and image batches →
 * {@code text_embeds}, {@code image_embeds}) whose embeddings are computable by hand: text = the sum of one table
 * row per attended token, image = the mean of each pixel-value channel times a 3×D matrix. Checks the inputs'
 * names and types, the attention mask (up to and including the first end-of-text), CLIP preprocessing and the
 * normalisation.
 */
class ClipOnnxScorerTest {

    static final int D = 8;

    @Test
    void embedsTextsAndImagesAsTheExportComputesThem(@TempDir Path tmp) throws Exception {
        Path world = tmp.resolve("world");
        WorldCompiler.compile(new WorldCompiler.Spec(5, 200, 64, 32, 200, WorldCompiler.Denoiser.LOCAL), world);
        Path clip = Files.createDirectories(tmp.resolve("clip"));
        Files.copy(world.resolve("tokenizer/vocab.json"), clip.resolve("vocab.json"));
        Files.copy(world.resolve("tokenizer/merges.txt"), clip.resolve("merges.txt"));
        ClipTokenizer tok = ClipTokenizer.load(clip);
        int v = tok.vocabSize();
        Random rnd = new Random(3);
        float[] table = new float[v * D];
        for (int i = 0; i < table.length; i++) {
            table[i] = (float) rnd.nextGaussian();
        }
        float[] w = new float[3 * D];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rnd.nextGaussian();
        }
        OnnxGraph g = new OnnxGraph("tiny-clip");
        g.input("input_ids", OnnxGraph.INT64, new long[] {-1, 77}, "text_batch");
        g.input("attention_mask", OnnxGraph.INT64, new long[] {-1, 77}, "text_batch");
        g.input("pixel_values", OnnxGraph.FLOAT, new long[] {-1, 3, 224, 224}, "image_batch");
        String rows = g.op("Gather", new String[] {g.floats("table", new long[] {v, D}, table), "input_ids"});
        String mask = g.op("Cast", new String[] {"attention_mask"}, OnnxGraph.intAttr("to", OnnxGraph.FLOAT));
        String mask3 = g.op("Unsqueeze", new String[] {mask, g.longs("axis2", new long[] {1}, 2)});
        String masked = g.op("Mul", new String[] {rows, mask3});
        g.op("ReduceSum", new String[] {masked, g.longs("axis1", new long[] {1}, 1)}, "text_embeds",
                OnnxGraph.intAttr("keepdims", 0));
        String means = g.op("ReduceMean", new String[] {"pixel_values", g.longs("hw", new long[] {2}, 2, 3)},
                OnnxGraph.intAttr("keepdims", 0));
        g.op("MatMul", new String[] {means, g.floats("proj", new long[] {3, D}, w)}, "image_embeds");
        g.output("text_embeds", OnnxGraph.FLOAT, new long[] {-1, D}, "text_batch");
        g.output("image_embeds", OnnxGraph.FLOAT, new long[] {-1, D}, "image_batch");
        Files.write(clip.resolve("model.onnx"), g.toBytes());

        try (OnnxSessions sessions = new OnnxSessions(OnnxRuntimeSettings.cpu());
                ImageTextScorer scorer = ImageTextScorer.open(clip, sessions)) {
            assertThat(scorer.describe()).startsWith("CLIP ONNX");
            String text = "a red circle on a blue background";
            float[] got = scorer.embedTexts(List.of(text, "a green square"))[0];
            int[] ids = tok.report(text, LongPromptPolicy.TRUNCATE, 77).ids();
            double[] want = new double[D];
            for (int k = 0; k < 77; k++) {
                for (int c = 0; c < D; c++) {
                    want[c] += table[ids[k] * D + c];
                }
                if (k > 0 && ids[k] == tok.eosId()) {
                    break; // attended up to and including the first end-of-text; padding is not
                }
            }
            assertNormalisedEqual(got, want, 1e-5);

            RgbImage img = ProceduralWeb.render(ProceduralWeb.scenes(9, 1).get(0), 300, 200);
            Tensor px = ClipPreprocessor.openAiClip().pixelValues(List.of(img));
            double[] wantImg = new double[D];
            int plane = 224 * 224;
            for (int ch = 0; ch < 3; ch++) {
                double mean = 0;
                for (int i = 0; i < plane; i++) {
                    mean += px.data()[ch * plane + i];
                }
                mean /= plane;
                for (int c = 0; c < D; c++) {
                    wantImg[c] += mean * w[ch * D + c];
                }
            }
            float[] gotImg = scorer.embedImages(List.of(img))[0];
            // ONNX Runtime averages 50 176 values per channel in float32: agreement to 1e-4, not 1e-5.
            assertNormalisedEqual(gotImg, wantImg, 1e-4);
            double dot = 0;
            for (int c = 0; c < D; c++) {
                dot += got[c] * gotImg[c];
            }
            assertThat(scorer.score(img, text)).isCloseTo(dot, within(1e-6));
        }
    }

    static void assertNormalisedEqual(float[] got, double[] want, double tolerance) {
        double n = 0;
        for (double x : want) {
            n += x * x;
        }
        n = Math.sqrt(n);
        for (int c = 0; c < want.length; c++) {
            assertThat((double) got[c]).as("component %d", c).isCloseTo(want[c] / n, within(tolerance));
        }
    }
}
