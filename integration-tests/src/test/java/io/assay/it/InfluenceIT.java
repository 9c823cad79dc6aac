package io.assay.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.framework.assembly.Assembled;
import io.assay.framework.engine.GenerationEngine;
import io.assay.framework.engine.GenerationRequest;
import io.assay.framework.engine.GenerationResult;
import io.assay.framework.engine.Pipeline;
import io.assay.framework.engine.StepObserver;
import io.assay.framework.inspect.Influence;
import io.assay.framework.runtime.AssayRuntime;
import io.assay.framework.runtime.RunConfig;
import io.assay.framework.world.ProceduralWeb;
import io.assay.framework.world.SceneJudge;
import io.assay.sdk.diffusion.Conditioning;
import io.assay.sdk.diffusion.TextEncoder;
import io.assay.sdk.diffusion.TokenReport;
import io.assay.sdk.tensor.RgbImage;
import io.assay.sdk.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Token influence on the embedded world, through the same plugins that run Stable Diffusion: where the foreground
 * colour word's maps lie (judged from the pixels of the image), both kinds — same-latents (the word left out on the
 * base run's latents) and rerun (the run without the word on its own trajectory) — measured over 20 prompts; nothing
 * at guidance 0; the lockstep batch is the separate runs bit for bit (CFG, and a composable prompt's re-run).
 *
 * <p>Measured (printed by the first test) on world-16, whose stages from t = 800 on choose windows colour-blind and
 * repaint their foreground in the prompt's colour, so the colour word acts where the foreground is, and whose layout
 * readings are fitted not to depend on the colour word: the foreground colour word puts a median 78.7 % of its
 * same-latents mass on the foreground (16 of 20 prompts ≥ 70 %, best 94 %) and 71.8 % of its rerun mass (11 of 20);
 * both above the foreground's own share of the pixels in 19 of 20 (the twentieth, an orange triangle on white, is
 * drawn without a visible foreground). Four of the six triangles miss: a triangle covers 15–24 % of the pixels, and
 * the maps of the steps between t = 800 and the end of the pooled stage spread over the cells the layout is still
 * unsure of; even a map exactly proportional to each latent cell's foreground, upsampled like these, would put only
 * 69 % of a 7 % triangle on it. World-15 gave 14 of 20 (its colour-blind stage still moved when the word was left
 * out), world-14 13, world-13 (the colour in the windows' prior) 0. The floor is the issue's, 16 of 20, which this
 * machine meets with four prompts between 70 and 73 %: a different CPU's rounding could flip one.
 */
class InfluenceIT {

    /** The suite's model cache: the worlds are built once for all classes. */
    static final Path cache = Dist.worldCache();
    static AssayRuntime runtime;

    @BeforeAll
    static void open() {
        runtime = AssayRuntime.open(null, List.of("model.cache-dir=\"" + cache + "\""), Dist.home().resolve("plugins"),
                true, msg -> { });
    }

    @AfterAll
    static void close() {
        runtime.close();
    }

    static RunConfig config(String prompt, long seed) {
        return runtime.configure(List.of("run.prompt=\"" + prompt + "\"", "run.seed=" + seed));
    }

    /** The pixels that stand out from the border's median colour (SceneJudge's rule: RGB distance over 60). */
    static boolean[] foreground(RgbImage img) {
        int w = img.width();
        int h = img.height();
        double[] bg = new double[3];
        for (int c = 0; c < 3; c++) {
            List<Integer> border = new ArrayList<>();
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    if (x == 0 || y == 0 || x == w - 1 || y == h - 1) {
                        border.add(img.get(x, y, c));
                    }
                }
            }
            border.sort(null);
            bg[c] = border.get(border.size() / 2);
        }
        boolean[] mask = new boolean[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double d = 0;
                for (int c = 0; c < 3; c++) {
                    double e = img.get(x, y, c) - bg[c];
                    d += e * e;
                }
                mask[y * w + x] = d > 60 * 60;
            }
        }
        return mask;
    }

    @Test
    void theForegroundColourWordsMapIsAboveChanceOnTheForeground() throws Exception {
        int prompts = 20;
        Influence.Maps[] kinds = {Influence.Maps.SAME_LATENTS, Influence.Maps.RERUN};
        int[] concentrated = new int[2];
        int[] aboveChance = new int[2];
        double[][] shares = new double[2][prompts];
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < prompts; i++) {
            int fg = i % 8;
            int bg = (i * 3 + 1 + i / 8) % 8;
            if (bg == fg) {
                bg = (bg + 1) % 8;
            }
            String fgName = ProceduralWeb.COLOURS.get(fg);
            String prompt = "a " + fgName + " " + ProceduralWeb.SHAPES.get(i % 3) + " on a "
                    + ProceduralWeb.COLOURS.get(bg) + " background";
            try (Assembled a = runtime.assemble(config(prompt, i))) {
                GenerationRequest r = runtime.request(config(prompt, i), a);
                // Only the colour word left out: 2 base rows, 2 re-run rows and 1 same-latents row per step.
                Influence.Result res = Influence.run(a.pipeline(), r, new Influence.Options(Influence.Unit.WORD, 0,
                        true, 0, Influence.Maps.BOTH, java.util.Set.of(fgName)), () -> false);
                assertThat(res.ablations()).as("the colour word '%s' alone among the ablations of '%s'", fgName,
                        prompt).extracting(Influence.Ablation::label).containsExactly(fgName);
                assertThat(res.rowsPerStep()).isEqualTo(5);
                boolean[] mask = foreground(res.base());
                assertThat(Influence.foreground(res.base())).as("the report's foreground rule").isEqualTo(mask);
                int fgPixels = 0;
                for (boolean m : mask) {
                    fgPixels += m ? 1 : 0;
                }
                for (int k = 0; k < 2; k++) {
                    shares[k][i] = res.massShare(kinds[k], 0, mask);
                    if (shares[k][i] >= 0.70) {
                        concentrated[k]++;
                    }
                    if (fgPixels > 0 && shares[k][i] > (double) fgPixels / mask.length) {
                        aboveChance[k]++;
                    }
                }
                SceneJudge.Verdict v = SceneJudge.judge(res.base());
                lines.add(String.format(Locale.ROOT, "%-42s seed %2d judged %-6s/%-6s fg %4.1f %%  colour word "
                        + "same-latents %6.2f, %5.1f %% on fg; rerun %6.2f, %5.1f %% on fg", prompt, i,
                        v.foreground(), v.background(), 100.0 * fgPixels / mask.length,
                        res.total(Influence.Maps.SAME_LATENTS, 0), 100 * shares[0][i],
                        res.total(Influence.Maps.RERUN, 0), 100 * shares[1][i]));
            }
        }
        lines.forEach(System.out::println);
        for (int k = 0; k < 2; k++) {
            System.out.printf(Locale.ROOT, "influence %-12s: %d/%d prompts with >= 70 %% of the colour word's mass on "
                    + "the foreground (median %.1f %%, max %.1f %%); %d/%d above the foreground's share of the "
                    + "pixels%n", kinds[k].label(), concentrated[k], prompts, 100 * median(shares[k]),
                    100 * Arrays.stream(shares[k]).max().orElse(0), aboveChance[k], prompts);
        }
        // Measured (world-16, and world-17 to the digit): same-latents 16/20 at >= 70 % (median 78.7 %), rerun 11/20 (median 71.8 %), both above
        // chance in 19/20 (the orange triangle on white is drawn without a visible foreground). The issue's floor is
        // 16/20.
        assertThat(median(shares[0])).as("median share of the colour word's same-latents mass on the foreground")
                .isGreaterThanOrEqualTo(0.72);
        assertThat(concentrated[0]).as("prompts whose colour word's same-latents map holds >= 70 %% on the foreground")
                .isGreaterThanOrEqualTo(16);
        int better = median(shares[1]) > median(shares[0]) ? 1 : 0;
        assertThat(kinds[better]).as("the kind whose colour-word maps sit more on the foreground (median)")
                .isEqualTo(Influence.Maps.SAME_LATENTS);
        for (int k = 0; k < 2; k++) {
            assertThat(aboveChance[k]).as("prompts whose colour word's %s map is above chance on the foreground",
                    kinds[k].label()).isGreaterThanOrEqualTo(prompts * 9 / 10);
        }
    }

    static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    @Test
    void atGuidanceZeroNoWordHasAnyInfluence() throws Exception {
        // CFG 0 is uncond + 0·(cond − uncond) = uncond: the guidance skips the prompt's rows altogether.
        String prompt = "a green square on a blue background";
        RunConfig c = runtime.configure(List.of("run.prompt=\"" + prompt + "\"", "run.seed=1", "guidance.scale=0",
                "run.steps=6"));
        try (Assembled a = runtime.assemble(c)) {
            Influence.Result res = Influence.run(a.pipeline(), runtime.request(c, a), new Influence.Options(
                    Influence.Unit.TOKEN, 0, true, 1), () -> false);
            assertThat(res.ablations()).hasSize(7);
            assertThat(res.rowsPerStep()).as("one unconditional row per run, no prompt rows").isEqualTo(8);
            for (int j = 0; j < 7; j++) {
                assertThat(res.total(j)).isZero();
                assertThat(io.assay.framework.inspect.HeatMaps.max(res.influenceMaps()[j])).isZero();
                assertThat(res.images().get(j).rgb()).isEqualTo(res.base().rgb());
            }
        }
    }

    /** A text encoder whose encoding of one text has some rows taken from the empty prompt's. */
    static final class AblatingEncoder implements TextEncoder {
        final TextEncoder inner;
        final String prompt;
        final int[] rows;

        AblatingEncoder(TextEncoder inner, String prompt, int[] rows) {
            this.inner = inner;
            this.prompt = prompt;
            this.rows = rows;
        }

        @Override
        public TokenReport tokenize(String text) {
            return inner.tokenize(text);
        }

        @Override
        public Conditioning encode(List<String> texts) {
            Conditioning c = inner.encode(texts);
            Tensor empty = inner.encode(List.of("")).hiddenStates();
            List<Tensor> parts = new ArrayList<>(texts.size() == 1 ? List.of(c.hiddenStates())
                    : c.hiddenStates().splitBatch(texts.size()));
            for (int i = 0; i < texts.size(); i++) {
                if (texts.get(i).equals(prompt)) {
                    parts.set(i, Influence.ablate(parts.get(i), empty, rows));
                }
            }
            return new Conditioning(Tensor.concatBatch(parts), c.pooled());
        }

        @Override
        public int hiddenSize() {
            return inner.hiddenSize();
        }

        @Override
        public int windowLength() {
            return inner.windowLength();
        }
    }

    @Test
    void theLockstepBatchIsTheSeparateRunsBitForBit() throws Exception {
        String prompt = "a red circle on a blue background";
        // 8 steps: the property is per step, and 8 runs of the engine follow.
        RunConfig c = runtime.configure(List.of("run.prompt=\"" + prompt + "\"", "run.seed=3", "run.steps=8"));
        try (Assembled a = runtime.assemble(c)) {
            Pipeline p = a.pipeline();
            GenerationRequest r = runtime.request(c, a);
            // 5 rows per call: the 2·8 re-run rows and 7 shared rows of a step are split across 5 calls unevenly.
            Influence.Result chunked = Influence.run(p, r, new Influence.Options(Influence.Unit.WORD, 5, true),
                    () -> false);
            Influence.Result whole = Influence.run(p, r, new Influence.Options(Influence.Unit.WORD, 0, true),
                    () -> false);
            // The re-run maps alone need no same-latents rows.
            Influence.Result rerunOnly = Influence.run(p, r, new Influence.Options(Influence.Unit.WORD, 0, true, 0,
                    Influence.Maps.RERUN), () -> false);
            assertThat(rerunOnly.rowsPerStep()).isEqualTo(2 * 8);
            assertThat(rerunOnly.kinds()).containsExactly(Influence.Maps.RERUN);
            assertThat(chunked.ablations()).hasSize(7);
            assertThat(whole.rowsPerStep()).isEqualTo(2 * 8 + 7);
            assertThat(whole.denoiserCalls()).isEqualTo(8);
            assertThat(chunked.denoiserCalls()).as("23 rows in calls of 5").isEqualTo(8 * 5);
            GenerationEngine engine = new GenerationEngine();
            GenerationResult base = engine.generate(p, r, null, StepObserver.NONE, () -> false);
            assertThat(whole.baseFinalLatents().data()).isEqualTo(base.finalLatents().data());
            assertThat(whole.base().rgb()).isEqualTo(base.images().get(0).rgb());
            for (int j = 0; j < whole.ablations().size(); j++) {
                Pipeline ablated = new Pipeline(new AblatingEncoder(p.textEncoder(), prompt,
                        whole.ablations().get(j).positions()), p.denoiser(), p.scheduler(), p.guidance(), p.noise(),
                        p.autoencoder());
                GenerationResult separate = engine.generate(ablated, r, null, StepObserver.NONE, () -> false);
                String word = whole.ablations().get(j).label();
                assertThat(whole.finalLatents().get(j).data()).as("final latents without '%s'", word)
                        .isEqualTo(separate.finalLatents().data());
                assertThat(chunked.finalLatents().get(j).data()).as("final latents without '%s', 5 rows a call",
                        word).isEqualTo(separate.finalLatents().data());
                assertThat(rerunOnly.finalLatents().get(j).data()).as("final latents without '%s', re-run maps "
                        + "only", word).isEqualTo(separate.finalLatents().data());
                assertThat(whole.images().get(j).rgb()).as("image without '%s'", word)
                        .isEqualTo(separate.images().get(0).rgb());
                for (int i = 0; i < 8; i++) {
                    assertThat(chunked.stepMaps()[j][i]).isEqualTo(whole.stepMaps()[j][i]);
                }
                assertThat(Arrays.equals(whole.images().get(j).rgb(), whole.base().rgb())).as("'%s' changes the image",
                        word).isFalse();
            }
        }
    }

    @Test
    void aComposablePromptsWordsAreLeftOutOfTheTermTheyAreWrittenIn() throws Exception {
        // SDK 1.1 guidance: each AND term is its own conditioning; a word is removed from its own term only.
        String prompt = "a red circle AND a blue background";
        RunConfig c = runtime.configure(List.of("run.prompt=\"" + prompt + "\"", "run.seed=5", "run.steps=8",
                "guidance.name=composable"));
        try (Assembled a = runtime.assemble(c)) {
            Pipeline p = a.pipeline();
            GenerationRequest r = runtime.request(c, a);
            Influence.Result res = Influence.run(p, r, new Influence.Options(Influence.Unit.WORD, 0, true, 0,
                    Influence.Maps.BOTH), () -> false);
            assertThat(res.ablations()).extracting(Influence.Ablation::label).containsExactly("a", "red", "circle",
                    "a", "blue", "background");
            assertThat(res.ablations()).extracting(ab -> ab.key().name()).containsExactly("cond", "cond", "cond",
                    "cond-1", "cond-1", "cond-1");
            assertThat(res.guidance()).startsWith("composable");
            assertThat(res.rowsPerStep()).as("uncond and 2 terms for the base and 6 re-runs, 6 same-latents rows")
                    .isEqualTo(3 * 7 + 6);
            assertThat(res.denoiserCalls()).isEqualTo(8);
            int red = 1;
            int blue = 4;
            for (Influence.Maps kind : List.of(Influence.Maps.SAME_LATENTS, Influence.Maps.RERUN)) {
                assertThat(res.total(kind, red)).as("%s influence of 'red' (term A)", kind.label()).isPositive();
                assertThat(res.total(kind, blue)).as("%s influence of 'blue' (term B)", kind.label()).isPositive();
                assertThat(res.maps(kind)[red]).as("%s maps of 'red' and 'blue'", kind.label())
                        .isNotEqualTo(res.maps(kind)[blue]);
            }
            assertThat(res.images().get(red).rgb()).as("the image without 'red'").isNotEqualTo(res.base().rgb());
            // The re-run without 'red' is the engine's run with term A's 'red' rows ablated, bit for bit.
            GenerationEngine engine = new GenerationEngine();
            Influence.Ablation ab = res.ablations().get(red);
            assertThat(ab.term()).isEqualTo("a red circle");
            Pipeline ablated = new Pipeline(new AblatingEncoder(p.textEncoder(), ab.term(), ab.positions()),
                    p.denoiser(), p.scheduler(), p.guidance(), p.noise(), p.autoencoder());
            GenerationResult separate = engine.generate(ablated, r, null, StepObserver.NONE, () -> false);
            assertThat(res.finalLatents().get(red).data()).isEqualTo(separate.finalLatents().data());
            GenerationResult base = engine.generate(p, r, null, StepObserver.NONE, () -> false);
            assertThat(res.baseFinalLatents().data()).isEqualTo(base.finalLatents().data());
            System.out.printf(Locale.ROOT, "composable influence: 'red' (term A) same-latents %.3f rerun %.3f; 'blue' "
                    + "(term B) same-latents %.3f rerun %.3f%n", res.total(Influence.Maps.SAME_LATENTS, red),
                    res.total(Influence.Maps.RERUN, red), res.total(Influence.Maps.SAME_LATENTS, blue),
                    res.total(Influence.Maps.RERUN, blue));
        }
    }

    @Test
    void perpNegLeavesOutThePromptsWordsAndKeepsTheNegativesTerms() throws Exception {
        // The authors' example: the prompt is a part of the negative prompt, yet only the prompt's words are left out.
        RunConfig c = runtime.configure(List.of("run.prompt=\"a red circle\"", "run.negative=\"a red circle on a "
                + "blue background\"", "run.seed=2", "run.steps=6", "guidance.name=perp-neg"));
        try (Assembled a = runtime.assemble(c)) {
            Influence.Result res = Influence.run(a.pipeline(), runtime.request(c, a), new Influence.Options(
                    Influence.Unit.WORD, 0, true, 0, Influence.Maps.BOTH), () -> false);
            assertThat(res.guidance()).startsWith("perp-neg");
            assertThat(res.ablations()).extracting(ab -> ab.label() + "@" + ab.key()).containsExactly("a@cond",
                    "red@cond", "circle@cond");
            assertThat(res.rowsPerStep()).as("empty, prompt and negative for the base and 3 re-runs, 3 "
                    + "same-latents rows").isEqualTo(3 * 4 + 3);
            assertThat(res.total(Influence.Maps.SAME_LATENTS, 1)).isPositive();
            assertThat(res.total(Influence.Maps.RERUN, 1)).isPositive();
        }
    }
}
