package io.assay.framework.world;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import io.assay.lib.clip.ClipTokenizer;
import io.assay.lib.clip.LongPromptPolicy;
import io.assay.sdk.onnx.OnnxModel;
import io.assay.sdk.onnx.OnnxRuntimeSettings;
import io.assay.sdk.onnx.OnnxSessions;
import io.assay.sdk.tensor.Tensor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The compiled world's parts, checked in ONNX Runtime against what they are meant to compute. */
class WorldCompilerTest {

    @TempDir
    static Path dir;
    static OnnxSessions sessions;
    static ClipTokenizer tokenizer;

    @BeforeAll
    static void compile() throws Exception {
        WorldCompiler.compile(new WorldCompiler.Spec(11, 400, 64, 64, 200, WorldCompiler.Denoiser.LOCAL), dir);
        sessions = new OnnxSessions(OnnxRuntimeSettings.cpu());
        tokenizer = ClipTokenizer.load(dir.resolve("tokenizer"));
    }

    @AfterAll
    static void close() {
        sessions.close();
    }

    static float[] pooled(String prompt) throws Exception {
        try (OnnxModel m = sessions.open(dir.resolve("text_encoder/model.onnx"), "clip")) {
            Map<String, OnnxTensor> in = new LinkedHashMap<>();
            in.put("input_ids", m.idsInput("input_ids", tokenizer.report(prompt, LongPromptPolicy.TRUNCATE, 77).ids(),
                    new long[] {1, 77}));
            return m.run(in, Set.of("pooler_output")).get("pooler_output").data();
        }
    }

    static double cos(float[] a, float[] b) {
        double ab = 0;
        double aa = 0;
        double bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += (double) a[i] * b[i];
            aa += (double) a[i] * a[i];
            bb += (double) b[i] * b[i];
        }
        return ab / Math.sqrt(aa * bb);
    }

    @Test
    void everyCorpusWordIsOneTokenAndOtherTextFallsBackToBytes() {
        int words = 0;
        for (ProceduralWeb.Scene s : ProceduralWeb.scenes(11, 400)) {
            for (String w : ClipTokenizer.words(io.assay.lib.clip.TextCleaner.clean(s.caption()))) {
                assertThat(tokenizer.encode(w).tokens()).as(w).hasSize(1);
                words++;
            }
        }
        assertThat(words).isGreaterThan(2000);
        assertThat(tokenizer.encode("Gaussian Noise").tokens()).hasSizeGreaterThan(2);
    }

    @Test
    void theTextEncoderSeesWordOrderAndPaddingAddsNothing() throws Exception {
        float[] a = pooled("a red square on a green background");
        float[] b = pooled("a green square on a red background");
        assertThat(cos(a, pooled("a red square on a green background"))).isCloseTo(1.0,
                org.assertj.core.data.Offset.offset(1e-6));
        // Unigrams are identical; only the adjacent pairs tell them apart (at D = 64 here; the default world uses 128).
        assertThat(cos(a, b)).as("swapped foreground and background").isLessThan(0.95);
        float[] empty = pooled("");
        for (float v : empty) {
            assertThat(v).isZero();
        }
    }

    @Test
    void theDenoiserIsTheUnconditionalMeanForAnEmptyPromptAndInterpolatesTimesteps() throws Exception {
        try (OnnxModel unet = sessions.open(dir.resolve("unet/model.onnx"), "onnx-unet")) {
            Tensor x = Tensor.filled(0.3f, 1, 4, 8, 8);
            Map<String, Tensor> at500 = run(unet, x, 500);
            Map<String, Tensor> at501 = run(unet, x, 501);
            Map<String, Tensor> mid = run(unet, x, 500.5);
            float[] e0 = at500.get("out_sample").data();
            float[] e1 = at501.get("out_sample").data();
            float[] em = mid.get("out_sample").data();
            int between = 0;
            for (int i = 0; i < e0.length; i++) {
                if (em[i] >= Math.min(e0[i], e1[i]) - 1e-5 && em[i] <= Math.max(e0[i], e1[i]) + 1e-5) {
                    between++;
                }
            }
            assertThat(between).as("eps at t=500.5 lies between t=500 and t=501").isGreaterThan(e0.length * 9 / 10);
        }
    }

    @Test
    void theLayoutReadingsAreFittedOnEachCaptionAlsoWithoutItsForegroundColourWord() {
        int d = 6;
        int vs = tokenizer.vocabSize();
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        float[] u = new float[vs * d];
        float[] p = new float[vs * d];
        float[] q = new float[vs * d];
        for (float[] table : List.of(u, p, q)) {
            for (int i = 0; i < table.length; i++) {
                table[i] = (float) (r.nextDouble() - 0.5);
            }
        }
        io.assay.sdk.tensor.RgbImage blank = new io.assay.sdk.tensor.RgbImage(64, 64, new byte[64 * 64 * 3]);
        List<WorldCompiler.Example> data = List.of(new WorldCompiler.Example(blank,
                "a red circle on a blue background"), new WorldCompiler.Example(blank, "a circle on a red background"),
                new WorldCompiler.Example(blank, "un cercle rouge sur fond bleu"));
        float[][] without = WorldCompiler.withoutForegroundColour(data, tokenizer, u, p, q, d);
        // Only the word before the shape goes: "blue" (before "background") stays, and so do captions without an
        // English foreground colour.
        int[] ids = tokenizer.report(data.get(0).caption(), LongPromptPolicy.TRUNCATE, 77).ids();
        float[] expected = TextModel.pooled(ids, u, p, q, d);
        for (int k = 0; k < d; k++) {
            expected[k] -= u[ids[2] * d + k] + p[ids[1] * d + k] * q[ids[2] * d + k];
        }
        double norm = 0;
        for (float v : expected) {
            norm += v * v;
        }
        for (int k = 0; k < d; k++) {
            assertThat(without[0][k]).as("component %d", k)
                    .isCloseTo((float) (expected[k] / Math.sqrt(norm)), org.assertj.core.api.Assertions.within(1e-5f));
        }
        assertThat(tokenizer.report("red", LongPromptPolicy.TRUNCATE, 77).ids()[1]).as("the word left out")
                .isEqualTo(ids[2]);
        assertThat(without[1]).as("a caption whose colour word is the background's").isNull();
        assertThat(without[2]).as("a French caption").isNull();
    }

    @Test
    void theWindowWeightsAreTheSoftmaxWithoutAnyDenormalFloat() throws Exception {
        // Logits as a sharp posterior gives them: spread over 400 nats, so a plain softmax would leave thousands of
        // weights between 0 and Float.MIN_NORMAL (the slow path x86 takes for them is why the floor exists).
        int j = 20_000;
        float[] logits = new float[j];
        java.util.Random r = new java.util.Random(7);
        for (int i = 0; i < j; i++) {
            logits[i] = (float) (-400 * r.nextDouble());
        }
        double sum = 0;
        for (float v : logits) {
            sum += Math.exp(v);
        }
        io.assay.lib.onnxgraph.OnnxGraph g = new io.assay.lib.onnxgraph.OnnxGraph("floor");
        g.input("logits", io.assay.lib.onnxgraph.OnnxGraph.FLOAT, new long[] {1, j});
        String out = LocalDenoiserModel.weights(g, "logits");
        g.output(out, io.assay.lib.onnxgraph.OnnxGraph.FLOAT);
        Path file = dir.resolve("floor.onnx");
        g.write(file);
        int plainDenormal = 0;
        for (float v : logits) {
            float plain = (float) (Math.exp(v) / sum);
            plainDenormal += plain != 0 && plain < Float.MIN_NORMAL ? 1 : 0;
        }
        assertThat(plainDenormal).as("weights a plain softmax leaves denormal").isGreaterThan(100);
        try (OnnxModel m = sessions.open(file, "test")) {
            Map<String, OnnxTensor> in = new LinkedHashMap<>();
            in.put("logits", m.floatInput("logits", new Tensor(new long[] {1, j}, logits)));
            float[] w = m.run(in, Set.of(out)).get(out).data();
            double total = 0;
            int denormal = 0;
            double worst = 0;
            for (int i = 0; i < j; i++) {
                denormal += w[i] != 0 && Math.abs(w[i]) < Float.MIN_NORMAL ? 1 : 0;
                worst = Math.max(worst, Math.abs(w[i] - Math.exp(logits[i]) / sum));
                total += w[i];
            }
            assertThat(denormal).as("denormal weights").isZero();
            assertThat(worst).as("largest difference from the exact softmax").isLessThan(1e-6);
            assertThat(total).as("the weights' sum").isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-5));
        }
    }

    @Test
    void aRowGetsTheSameBitsAloneAsBesideAnotherRow() throws Exception {
        // The two products of the world's graph that ONNX Runtime computed differently for one row than for two
        // (a ReduceSum over the sequence; a row times a matrix it has not pre-packed, as inside a stage's If branch,
        // here a graph input). Each helper's rows must not depend on the batch; the plain ops' counts are printed.
        int d = 128;
        int k = 46;
        int n = 30_000;
        java.util.Random r = new java.util.Random(3);
        float[] hidden = new float[2 * 77 * d];
        for (int i = 0; i < hidden.length; i++) {
            hidden[i] = (float) (0.1 * r.nextGaussian());
        }
        float[] x = new float[2 * k];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        float[] m = new float[k * n];
        for (int i = 0; i < m.length; i++) {
            m[i] = (float) r.nextGaussian();
        }
        io.assay.lib.onnxgraph.OnnxGraph g = new io.assay.lib.onnxgraph.OnnxGraph("rows");
        g.input("encoder_hidden_states", io.assay.lib.onnxgraph.OnnxGraph.FLOAT, new long[] {-1, -1, d}, "b", "s");
        g.input("x", io.assay.lib.onnxgraph.OnnxGraph.FLOAT, new long[] {-1, k}, "b");
        g.input("m", io.assay.lib.onnxgraph.OnnxGraph.FLOAT, new long[] {k, n});
        String pooled = LocalDenoiserModel.pooledHiddenStates(g);
        String product = LocalDenoiserModel.rowsTimes(g, "x", "m");
        String plainSum = g.op("ReduceSum", new String[] {"encoder_hidden_states", g.constLongs(1)},
                io.assay.lib.onnxgraph.OnnxGraph.intAttr("keepdims", 0));
        String plainProduct = g.op("MatMul", new String[] {"x", "m"});
        List<String> outs = List.of(pooled, product, plainSum, plainProduct);
        for (String o : outs) {
            g.output(o, io.assay.lib.onnxgraph.OnnxGraph.FLOAT);
        }
        Path file = dir.resolve("rows.onnx");
        g.write(file);
        try (OnnxModel model = sessions.open(file, "test")) {
            java.util.function.IntFunction<Map<String, float[]>> call = row -> {
                int rows = row < 0 ? 2 : 1;
                int from = Math.max(row, 0);
                Map<String, OnnxTensor> in = new LinkedHashMap<>();
                try {
                    in.put("encoder_hidden_states", model.floatInput("encoder_hidden_states", new Tensor(
                            new long[] {rows, 77, d}, java.util.Arrays.copyOfRange(hidden, from * 77 * d,
                            (from + rows) * 77 * d))));
                    in.put("x", model.floatInput("x", new Tensor(new long[] {rows, k},
                            java.util.Arrays.copyOfRange(x, from * k, (from + rows) * k))));
                    in.put("m", model.floatInput("m", new Tensor(new long[] {k, n}, m)));
                    Map<String, float[]> got = new LinkedHashMap<>();
                    model.run(in, new java.util.HashSet<>(outs)).forEach((name, t) -> got.put(name, t.data()));
                    return got;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            Map<String, float[]> both = call.apply(-1);
            Map<String, Integer> differing = new LinkedHashMap<>();
            for (int row = 0; row < 2; row++) {
                Map<String, float[]> alone = call.apply(row);
                for (String o : outs) {
                    float[] one = alone.get(o);
                    float[] two = both.get(o);
                    int width = one.length;
                    assertThat(two).hasSize(2 * width);
                    int diff = 0;
                    for (int i = 0; i < width; i++) {
                        diff += Float.floatToIntBits(one[i]) != Float.floatToIntBits(two[row * width + i]) ? 1 : 0;
                    }
                    differing.merge(o, diff, Integer::sum);
                }
            }
            System.out.printf("values differing between a row alone and beside another: pooled %d of %d (a plain "
                    + "ReduceSum %d), product %d of %d (a plain MatMul %d)%n", differing.get(pooled), 2 * d,
                    differing.get(plainSum), differing.get(product), 2 * n, differing.get(plainProduct));
            assertThat(differing.get(pooled)).as("pooled hidden states").isZero();
            assertThat(differing.get(product)).as("the row product").isZero();
            // The helpers compute what the plain ops do, up to the summation order.
            float[] sum = both.get(pooled);
            float[] plain = both.get(plainSum);
            for (int i = 0; i < sum.length; i++) {
                assertThat(sum[i]).isCloseTo(plain[i], org.assertj.core.api.Assertions.within(1e-5f));
            }
            float[] p = both.get(product);
            float[] q = both.get(plainProduct);
            for (int i = 0; i < p.length; i++) {
                assertThat(p[i]).isCloseTo(q[i], org.assertj.core.api.Assertions.within(1e-4f));
            }
        }
    }

    @Test
    void aLargeCanvasUsesTheWindowsOfEverySecondPictureWithTheirOwnCounts() {
        int n = 12;
        int grid = 8;
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        float[] latents = new float[n * 4 * grid * grid];
        for (int i = 0; i < latents.length; i++) {
            latents[i] = (float) Math.round(r.nextDouble() * 3) / 3f; // few values: many windows repeat
        }
        java.util.List<Regions> regions = new java.util.ArrayList<>();
        double[][] attributes = new double[n][LocalDenoiserModel.ATTRIBUTES];
        for (int i = 0; i < n; i++) {
            float[] fg = new float[grid * grid];
            fg[(i % grid) * grid + 3] = 1;
            regions.add(new Regions(fg, new double[3], new double[3], 0.1));
            attributes[i][i % LocalDenoiserModel.ATTRIBUTES] = 1;
        }
        java.util.List<float[]> recolour = java.util.Collections.nCopies(n, new float[grid * grid * 12]);
        LocalDenoiserModel.Stage stage = new LocalDenoiserModel.Stage(0, 3, 1, 2, LocalDenoiserModel.Colour.PRIOR);
        LocalDenoiserModel.Bank bank = LocalDenoiserModel.bank(stage, latents, regions, recolour, attributes, n,
                grid);
        LocalDenoiserModel.Bank coarse = LocalDenoiserModel.bank(new LocalDenoiserModel.Stage(0, 3, 1, 4, LocalDenoiserModel.Colour.PRIOR),
                latents, regions, recolour, attributes, n, grid);
        int dim = 4 * 9;
        assertThat(bank.reduced()).isLessThan(bank.count()).isEqualTo(coarse.count());
        // The bank's first columns are exactly the coarse bank's windows, with the coarse bank's counts.
        Map<String, Double> full = new java.util.HashMap<>();
        for (int q = 0; q < bank.reduced(); q++) {
            full.merge(java.util.Arrays.toString(java.util.Arrays.copyOfRange(bank.kernels(), q * dim, q * dim + dim)),
                    Math.exp(bank.reducedLogCounts()[q]), Double::sum);
        }
        Map<String, Double> expected = new java.util.HashMap<>();
        for (int q = 0; q < coarse.count(); q++) {
            expected.merge(java.util.Arrays.toString(java.util.Arrays.copyOfRange(coarse.kernels(), q * dim,
                    q * dim + dim)), Math.exp(coarse.logCounts()[q]), Double::sum);
        }
        assertThat(full.keySet()).isEqualTo(expected.keySet());
        for (var e : expected.entrySet()) {
            assertThat(full.get(e.getKey())).isCloseTo(e.getValue(), org.assertj.core.data.Offset.offset(1e-3));
        }
        double counted = 0;
        for (float c : bank.reducedLogCounts()) {
            counted += Math.exp(c);
        }
        assertThat(counted).isCloseTo(3 * grid * grid, org.assertj.core.data.Offset.offset(1e-2)); // pictures 0, 4, 8
        assertThat(bank.total()).isEqualTo(6 * grid * grid);
    }

    @Test
    void atLowNoiseTheDenoiserKeepsWhatTheInputHoldsInsteadOfSnappingToATrainingWindow() throws Exception {
        try (OnnxModel unet = sessions.open(dir.resolve("unet/model.onnx"), "onnx-unet")) {
            // 3.0 in every cell: beyond every training latent value (they lie within ±2.4).
            Tensor x = Tensor.filled(3f, 1, 4, 8, 8);
            float[] low = cleanEstimate(unet, x, 0);
            float[] high = cleanEstimate(unet, x, 999);
            for (int i = 0; i < low.length; i++) {
                // t = 0, h = 0.1: x̂0 = 0.078·(a mix of training centres) + 0.922·x — the input survives, as in a
                // trained network; with h = 0 it would snap to a training window (≤ 2.4).
                assertThat(low[i]).as("x̂0 at t = 0, cell %d", i).isBetween(2.5f, 3.0f);
                // t = 999: γ ≈ 0.0007, x̂0 is a mix of training centres.
                assertThat(high[i]).as("x̂0 at t = 999, cell %d", i).isLessThan(2.5f);
            }
        }
    }

    /** x̂0 = (x − √(1 − ᾱ)·ε)/√ᾱ from the U-Net's ε, with ᾱ from the world's scheduler (scaled linear). */
    private static float[] cleanEstimate(OnnxModel unet, Tensor x, double t) throws Exception {
        float[] eps = run(unet, x, t).get("out_sample").data();
        double ab = 1;
        for (int i = 0; i <= (int) t; i++) {
            double beta = Math.pow(Math.sqrt(0.00085) + (Math.sqrt(0.012) - Math.sqrt(0.00085)) * i / 999.0, 2);
            ab *= 1 - beta;
        }
        float[] out = new float[eps.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) ((x.data()[i] - Math.sqrt(1 - ab) * eps[i]) / Math.sqrt(ab));
        }
        return out;
    }

    private static Map<String, Tensor> run(OnnxModel unet, Tensor x, double t) throws Exception {
        Map<String, OnnxTensor> in = new LinkedHashMap<>();
        in.put("sample", unet.floatInput("sample", x));
        in.put("timestep", unet.numberInput("timestep", new double[] {t}, new long[] {1}));
        in.put("encoder_hidden_states", unet.floatInput("encoder_hidden_states", Tensor.zeros(1, 77, 64)));
        return unet.run(in, Set.of("out_sample"));
    }

    @Test
    void theAutoencoderReconstructsTheCorpus() throws Exception {
        ProceduralWeb.Scene s = ProceduralWeb.scenes(11, 1).get(0);
        Tensor img = ProceduralWeb.render(s, 64, 64).toTensor();
        try (OnnxModel enc = sessions.open(dir.resolve("vae_encoder/model.onnx"), "onnx-vae");
                OnnxModel dec = sessions.open(dir.resolve("vae_decoder/model.onnx"), "onnx-vae")) {
            Map<String, OnnxTensor> in = new LinkedHashMap<>();
            in.put("sample", enc.floatInput("sample", img));
            Tensor lat = enc.run(in, Set.of("latent_sample")).get("latent_sample");
            assertThat(lat.shape()).containsExactly(1, 4, 8, 8);
            Map<String, OnnxTensor> in2 = new LinkedHashMap<>();
            in2.put("latent_sample", dec.floatInput("latent_sample", lat));
            Tensor back = dec.run(in2, Set.of("sample")).get("sample");
            double mse = 0;
            for (int i = 0; i < back.size(); i++) {
                double d = back.data()[i] - img.data()[i];
                mse += d * d;
            }
            mse /= back.size();
            double psnr = 10 * Math.log10(4 / mse);
            System.out.printf("world VAE reconstruction PSNR %.1f dB%n", psnr);
            assertThat(psnr).isGreaterThan(15);
            assertThat(SceneJudge.judge(io.assay.sdk.tensor.RgbImage.fromTensor(back, 0)).background())
                    .isEqualTo(ProceduralWeb.COLOURS.get(s.bg()));
        }
    }

    /** A 16×16 picture: a flat background with a foreground square from (3, 2) to (12, 9) in {@code fg}. */
    private static io.assay.sdk.tensor.RgbImage square(int[] bg, int[] fg) {
        byte[] rgb = new byte[16 * 16 * 3];
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                int[] c = x >= 3 && x <= 12 && y >= 2 && y <= 9 ? fg : bg;
                for (int k = 0; k < 3; k++) {
                    rgb[(y * 16 + x) * 3 + k] = (byte) c[k];
                }
            }
        }
        return new io.assay.sdk.tensor.RgbImage(16, 16, rgb);
    }

    @Test
    void theRepaintJacobianIsHowTheEncodersLatentsMoveWhenTheForegroundIsRepainted() {
        // A random linear encoder: the Jacobian must match the latents' actual change for any encoder, cell by cell.
        java.util.SplittableRandom r = new java.util.SplittableRandom(11);
        int pd = 3 * WorldCompiler.FACTOR * WorldCompiler.FACTOR;
        float[] enc = new float[4 * pd];
        for (int i = 0; i < enc.length; i++) {
            enc[i] = (float) r.nextGaussian();
        }
        float scaling = 0.37f;
        int[] bg = {40, 80, 220};
        int[] red = {220, 40, 40};
        int[] yellow = {240, 220, 40};
        io.assay.sdk.tensor.RgbImage before = square(bg, red);
        io.assay.sdk.tensor.RgbImage after = square(bg, yellow);
        float[] jac = WorldCompiler.recolourJacobian(before, enc, scaling, 2);
        float[] a = before.toTensor().data();
        float[] b = after.toTensor().data();
        double[] pa = new double[pd];
        double[] pb = new double[pd];
        int moved = 0;
        for (int cell = 0; cell < 4; cell++) {
            WorldCompiler.readPatch(a, 16, cell % 2, cell / 2, pa);
            WorldCompiler.readPatch(b, 16, cell % 2, cell / 2, pb);
            for (int k = 0; k < 4; k++) {
                double actual = 0;
                for (int j = 0; j < pd; j++) {
                    actual += enc[k * pd + j] * (pb[j] - pa[j]) * scaling;
                }
                double predicted = 0;
                for (int c = 0; c < 3; c++) {
                    predicted += jac[cell * 12 + k * 3 + c] * (yellow[c] - red[c]);
                }
                assertThat(predicted).as("cell %d, channel %d", cell, k)
                        .isCloseTo(actual, org.assertj.core.data.Offset.offset(1e-3 * (1 + Math.abs(actual))));
                moved += Math.abs(actual) > 1e-3 ? 1 : 0;
            }
        }
        // Every cell holds some of the square (rows 2–9, columns 3–12 touch all four 8×8 cells).
        assertThat(moved).isEqualTo(16);
        // A picture without a foreground does not move at all.
        assertThat(WorldCompiler.recolourJacobian(square(bg, bg), enc, scaling, 2)).containsOnly(0f);
    }
}
