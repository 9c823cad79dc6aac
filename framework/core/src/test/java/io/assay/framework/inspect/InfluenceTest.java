package io.assay.framework.inspect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.assay.sdk.diffusion.PredictionType;
import io.assay.sdk.diffusion.TokenReport;
import io.assay.sdk.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which hidden-state rows each word occupies, how a row is replaced, and the x0 factor per prediction type. */
class InfluenceTest {

    static TokenReport report(List<String> tokens, List<TokenReport.Word> words, List<String> dropped, int windows) {
        return new TokenReport("p", "p", new int[77 * windows], tokens, words, dropped, windows);
    }

    @Test
    void wordsMapToTheRowsAfterBosAndDroppedTokensAreLeftOut() {
        // "a paintinggraph": "paintinggraph" split into 2 pieces; the last piece dropped at the window.
        TokenReport r = report(List.of("a</w>", "painting", "graph</w>", "cat</w>"), List.of(
                new TokenReport.Word("a", List.of("a</w>")),
                new TokenReport.Word("paintinggraph", List.of("painting", "graph</w>")),
                new TokenReport.Word("cat", List.of("cat</w>"))), List.of("cat</w>"), 1);
        List<Influence.Ablation> words = Influence.ablations(r, 77, Influence.Unit.WORD);
        assertThat(words).extracting(Influence.Ablation::label).containsExactly("a", "paintinggraph");
        assertThat(words.get(0).positions()).containsExactly(1);
        assertThat(words.get(1).positions()).containsExactly(2, 3);
        List<Influence.Ablation> tokens = Influence.ablations(r, 77, Influence.Unit.TOKEN);
        assertThat(tokens).extracting(Influence.Ablation::label).containsExactly("a</w>", "painting", "graph</w>");
        assertThat(tokens.get(2).positions()).containsExactly(3);
    }

    @Test
    void aChunkingEncodersSecondWindowStartsAfterItsOwnBos() {
        // 76 tokens in two windows of 75 (each window BOS + 75 + EOS = 77 rows): token 75 is row 77 + 1.
        List<String> tokens = java.util.Collections.nCopies(76, "x</w>");
        List<TokenReport.Word> words = java.util.Collections.nCopies(76, new TokenReport.Word("x", List.of("x</w>")));
        List<Influence.Ablation> a = Influence.ablations(report(tokens, words, List.of(), 2), 77,
                Influence.Unit.TOKEN);
        assertThat(a).hasSize(76);
        assertThat(a.get(0).positions()).containsExactly(1);
        assertThat(a.get(74).positions()).containsExactly(75);
        assertThat(a.get(75).positions()).containsExactly(78);
    }

    @Test
    void ablationReplacesExactlyTheNamedRows() {
        float[] c = new float[4 * 2];
        float[] e = new float[4 * 2];
        for (int i = 0; i < c.length; i++) {
            c[i] = i + 1;
            e[i] = -(i + 1);
        }
        Tensor out = Influence.ablate(new Tensor(new long[] {1, 4, 2}, c), new Tensor(new long[] {1, 4, 2}, e),
                new int[] {1, 3});
        assertThat(out.data()).containsExactly(1, 2, -3, -4, 5, 6, -7, -8);
        assertThat(c[2]).as("the input is not modified").isEqualTo(3);
    }

    @Test
    void predictedCleanImageMovesBySigmaForEpsilon() {
        assertThat(Influence.x0Factor(PredictionType.EPSILON, 14.6)).isEqualTo(14.6);
        // v-prediction: √(1 − ᾱ) with σ = √((1 − ᾱ)/ᾱ); ᾱ = 0.2 → σ = 2, factor √0.8.
        assertThat(Influence.x0Factor(PredictionType.V_PREDICTION, 2.0)).isCloseTo(Math.sqrt(0.8), within(1e-12));
    }

    @Test
    void upsamplingKeepsAConstantAndInterpolatesARamp() {
        float[] flat = Influence.upsample(new float[] {3, 3, 3, 3}, 2, 2, 16, 16);
        for (float v : flat) {
            assertThat(v).isEqualTo(3f);
        }
        float[] ramp = Influence.upsample(new float[] {0, 8}, 2, 1, 8, 1);
        // Half-pixel centres: output x maps to (x + 0.5)/4 − 0.5, clamped to [0, 1].
        assertThat(ramp).containsExactly(0f, 0f, 1f, 3f, 5f, 7f, 8f, 8f);
    }

    /** A whitespace tokenizer: one token per word, no encoding (the ablations need only the token report). */
    static final class WordsEncoder implements io.assay.sdk.diffusion.TextEncoder {
        @Override
        public TokenReport tokenize(String text) {
            List<String> words = java.util.Arrays.stream(text.trim().split("\\s+")).filter(w -> !w.isEmpty())
                    .toList();
            return report(words.stream().map(w -> w + "</w>").toList(), words.stream().map(w ->
                    new TokenReport.Word(w, List.of(w + "</w>"))).toList(), List.of(), 1);
        }

        @Override
        public io.assay.sdk.diffusion.Conditioning encode(List<String> texts) {
            throw new UnsupportedOperationException("not needed");
        }

        @Override
        public int hiddenSize() {
            return 4;
        }

        @Override
        public int windowLength() {
            return 77;
        }
    }

    static io.assay.sdk.diffusion.ConditioningText text(String key, String text) {
        return new io.assay.sdk.diffusion.ConditioningText(new io.assay.sdk.diffusion.ConditioningKey(key), text);
    }

    @Test
    void eachAndTermsWordsAreLeftOutOfTheirOwnConditioningAndTheNegativesAreKept() {
        // Composable: uncond = the negative prompt, one conditioning per AND term (weights stripped).
        var composable = io.assay.framework.engine.GenerationRequest.text("a red circle AND blue :: 0.5", "", 0, 20,
                64, 64, 1);
        List<io.assay.sdk.diffusion.ConditioningText> declared = List.of(text("uncond", ""), text("cond",
                "a red circle"), text("cond-1", "blue"));
        List<Influence.Ablation> a = Influence.ablations(new WordsEncoder(), declared, null, composable,
                Influence.Unit.WORD);
        assertThat(a).extracting(Influence.Ablation::label).containsExactly("a", "red", "circle", "blue");
        assertThat(a).extracting(x -> x.key().name()).containsExactly("cond", "cond", "cond", "cond-1");
        assertThat(a.get(3).term()).isEqualTo("blue");
        assertThat(a.get(3).positions()).as("row 1 of its own encoding").containsExactly(1);
        assertThat(Influence.ablations(new WordsEncoder(), declared, java.util.Set.of(declared.get(1), declared.get(2)),
                composable, Influence.Unit.WORD)).extracting(x -> x.label() + "@" + x.key() + java.util.Arrays.toString(
                x.positions())).containsExactly("a@cond[1]", "red@cond[2]", "circle@cond[3]", "blue@cond-1[1]");
        // Perp-Neg, the authors' example: the prompt "a lion" is a part of the negative "the front view of a lion",
        // so the texts cannot tell; the guidance's declaration for the prompt alone (no neg-0) can.
        var perpNeg = io.assay.framework.engine.GenerationRequest.text("a lion", "the front view of a lion", 0, 20, 64,
                64, 1);
        List<io.assay.sdk.diffusion.ConditioningText> withNegative = List.of(text("uncond", ""), text("cond",
                "a lion"), text("neg-0", "the front view of a lion"));
        assertThat(Influence.ablations(new WordsEncoder(), withNegative, java.util.Set.of(text("cond", "a lion")),
                perpNeg, Influence.Unit.WORD)).extracting(x -> x.label() + "@" + x.key())
                .containsExactly("a@cond", "lion@cond");
        // A negative term that is a part of the prompt keeps its words either way.
        var lion = io.assay.framework.engine.GenerationRequest.text("a lion", "lion", 0, 20, 64, 64, 1);
        assertThat(Influence.ablations(new WordsEncoder(), List.of(text("uncond", ""), text("cond", "a lion"),
                text("neg-0", "lion")), null, lion, Influence.Unit.WORD)).extracting(x -> x.key().name())
                .containsOnly("cond");
        // CFG with a negative prompt: its words are not the prompt's.
        var cfg = io.assay.framework.engine.GenerationRequest.text("a red circle", "blurry", 0, 20, 64, 64, 1);
        assertThat(Influence.ablations(new WordsEncoder(), List.of(text("uncond", "blurry"), text("cond",
                "a red circle")), null, cfg, Influence.Unit.WORD)).extracting(Influence.Ablation::label)
                .containsExactly("a", "red", "circle");
    }

    @Test
    void theRerunMapsNeedTheReruns() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Influence.Options(Influence.Unit.WORD, 0, false,
                0, Influence.Maps.BOTH)).hasMessageContaining("the both maps need the re-runs");
        assertThat(Influence.Maps.parse("same-latents")).isEqualTo(Influence.Maps.SAME_LATENTS);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Influence.Maps.parse("attention"))
                .hasMessage("maps must be rerun, same-latents or both, not 'attention'");
    }
}
