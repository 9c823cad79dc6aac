package io.assay.plugins.guidance;

import static io.assay.plugins.guidance.Fixtures.shape;
import static io.assay.plugins.guidance.Fixtures.step;
import static io.assay.plugins.guidance.Fixtures.t;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import io.assay.sdk.diffusion.ConditioningKey;
import io.assay.sdk.diffusion.ConditioningText;
import io.assay.sdk.diffusion.Guidance;
import io.assay.sdk.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code composable} and {@code perp-neg} against examples computed by hand (the arithmetic is in the comments), and
 * what they declare for the engine to encode.
 */
class MultiTermGuidanceTest {

    private static final ConditioningKey COND1 = new ConditioningKey("cond-1");
    private static final ConditioningKey COND2 = new ConditioningKey("cond-2");
    private static final ConditioningKey NEG0 = new ConditioningKey("neg-0");

    private static Guidance.KeyedRun composable(double scale, String prompt, String negative) {
        return new ComposableGuidance(new ComposableSettings(scale, 8)).start(new Guidance.Prompt(prompt, negative), 1);
    }

    private static Guidance.KeyedRun perpNeg(double scale, double negativeWeight, String prompt, String negative) {
        return new PerpNegGuidance(new PerpNegSettings(scale, negativeWeight, 8))
                .start(new Guidance.Prompt(prompt, negative), 1);
    }

    private static Tensor v(float... x) {
        return t(shape(1, x.length), x);
    }

    @Test
    void composableDeclaresTheNegativeAsUncondThenEachTerm() {
        Guidance.KeyedRun run = composable(2, "a red circle AND a blue square :: 0.5 AND text :: -0.25", "blurry");
        assertThat(run.conditionings()).containsExactly(new ConditioningText(ConditioningKey.UNCOND, "blurry"),
                new ConditioningText(ConditioningKey.COND, "a red circle"),
                new ConditioningText(COND1, "a blue square"), new ConditioningText(COND2, "text"));
        assertThat(run.needs(step(0, 1))).containsExactly(ConditioningKey.UNCOND, ConditioningKey.COND, COND1, COND2);
    }

    @Test
    void composableHandComputed() {
        Guidance.KeyedRun run = composable(2, "a red circle AND a blue square :: 0.5 AND text :: -0.25", "blurry");
        // u = [1, 2]; Δcond = [3, 2] − u = [2, 0]; Δcond-1 = [1, 6] − u = [0, 4]; Δcond-2 = [5, 6] − u = [4, 4]
        // Σ wᵢ·Δᵢ = 1·[2, 0] + 0.5·[0, 4] − 0.25·[4, 4] = [1, 1]; out = u + 2·[1, 1] = [3, 4]
        Tensor out = run.combine(step(0, 1), Map.of(ConditioningKey.UNCOND, v(1, 2), ConditioningKey.COND, v(3, 2),
                COND1, v(1, 6), COND2, v(5, 6)), v(0, 0));
        assertThat(out.data()).containsExactly(3f, 4f);
        assertThat(run.describe()).isEqualTo("composable: uncond + 2·(1·(cond − uncond) + 0.5·(cond-1 − uncond) + "
                + "-0.25·(cond-2 − uncond)); uncond \"blurry\", cond \"a red circle\", cond-1 \"a blue square\", "
                + "cond-2 \"text\"; 4 denoiser passes per step, 1 steps combined");
    }

    @Test
    void composableWithOneTermIsCfgBitForBit() {
        Tensor u = Fixtures.random(3, 2, 4, 5, 5);
        Tensor c = Fixtures.random(4, 2, 4, 5, 5);
        Tensor composed = composable(7.5, "a lighthouse", "fog").combine(step(0, 1),
                Map.of(ConditioningKey.UNCOND, u, ConditioningKey.COND, c), u);
        Tensor cfg = new ClassifierFreeGuidance(Fixtures.cfg(7.5)).start(1).combine(step(0, 1), Fixtures.both(u, c),
                u);
        assertThat(composed.data()).isEqualTo(cfg.data());
    }

    @Test
    void perpNegDeclaresTheEmptyPromptAsUncondThenPositiveThenNegativeTerms() {
        Guidance.KeyedRun run = perpNeg(7.5, 1, "a lion AND side view :: 0.5", "front view :: 1.5");
        assertThat(run.conditionings()).containsExactly(new ConditioningText(ConditioningKey.UNCOND, ""),
                new ConditioningText(ConditioningKey.COND, "a lion"), new ConditioningText(COND1, "side view"),
                new ConditioningText(NEG0, "front view"));
    }

    @Test
    void perpNegHandComputedWithOneNegative() {
        // ∅ = [0, 0]; Δpos = [1, 0]; Δneg = [1, 1]; ⊥Δneg = [1, 1] − (1/1)·[1, 0] = [0, 1]
        // out = ∅ + 2·(Δpos − 1·[0, 1]) = [2, −2]   (plain CFG with the negative as uncond would give [1, −1])
        Tensor out = perpNeg(2, 1, "a cat", "a dog").combine(step(0, 1), Map.of(ConditioningKey.UNCOND, v(0, 0),
                ConditioningKey.COND, v(1, 0), NEG0, v(1, 1)), v(0, 0));
        assertThat(out.data()).containsExactly(2f, -2f);
    }

    @Test
    void perpNegHandComputedWithAComplementaryTermPerBatchRow() {
        Guidance.KeyedRun run = perpNeg(7.5, 1, "a lion AND side view :: 0.5", "front view :: 1.5");
        // Row 0: ∅ = [0.5, −1, 2]; Δ₀ = [1.5, 1, 2] − ∅ = [1, 2, 0], ‖Δ₀‖² = 5
        //   Δcond-1 = [2.5, −1, 2] − ∅ = [2, 0, 0]; ⟨·, Δ₀⟩ = 2 → ⊥ = [2, 0, 0] − 0.4·[1, 2, 0] = [1.6, −0.8, 0]
        //   Δneg-0 = [3.5, 0, 3] − ∅ = [3, 1, 1]; ⟨·, Δ₀⟩ = 5 → ⊥ = [3, 1, 1] − 1·[1, 2, 0] = [2, −1, 1]
        //   inner = [1, 2, 0] + 0.5·[1.6, −0.8, 0] − 1.5·[2, −1, 1] = [−1.2, 3.1, −1.5]
        //   out = ∅ + 7.5·inner = [−8.5, 22.25, −9.25]
        // Row 1 (its own projection): ∅ = 0; Δ₀ = [0, 2, 0], ‖Δ₀‖² = 4
        //   Δcond-1 = [1, 1, 0]; ⟨·, Δ₀⟩ = 2 → ⊥ = [1, 1, 0] − 0.5·[0, 2, 0] = [1, 0, 0]
        //   Δneg-0 = [0, 4, 2]; ⟨·, Δ₀⟩ = 8 → ⊥ = [0, 4, 2] − 2·[0, 2, 0] = [0, 0, 2]
        //   inner = [0, 2, 0] + 0.5·[1, 0, 0] − 1.5·[0, 0, 2] = [0.5, 2, −3]; out = 7.5·inner = [3.75, 15, −22.5]
        long[] s = shape(2, 3);
        Tensor out = run.combine(step(0, 1), Map.of(
                ConditioningKey.UNCOND, t(s, 0.5f, -1, 2, 0, 0, 0),
                ConditioningKey.COND, t(s, 1.5f, 1, 2, 0, 2, 0),
                COND1, t(s, 2.5f, -1, 2, 1, 1, 0),
                NEG0, t(s, 3.5f, 0, 3, 0, 4, 2)), t(s, new float[6]));
        float[] expected = {-8.5f, 22.25f, -9.25f, 3.75f, 15f, -22.5f};
        for (int i = 0; i < expected.length; i++) {
            assertThat(out.data()[i]).as("element " + i).isCloseTo(expected[i], within(1e-5f));
        }
        assertThat(run.describe()).startsWith("perp-neg: ∅ + 7.5·(1·Δcond + 0.5·⊥Δcond-1 − 1.5·⊥Δneg-0), Δx = x − ∅, "
                + "⊥ against Δcond; uncond \"\", cond \"a lion\", cond-1 \"side view\", neg-0 \"front view\"");
    }

    @Test
    void perpNegUsesTheNegativeWeightSettingForUnweightedNegatives() {
        // ∅ = 0, Δpos = [1, 0], Δneg-0 = [0, 2] (⊥ itself), Δneg-1 = [3, 3] → ⊥ = [0, 3]
        // out = 1·([1, 0] − 0.5·[0, 2] − 2·[0, 3]) = [1, −7]
        Tensor out = perpNeg(1, 0.5, "a cat", "a dog AND a fox :: 2").combine(step(0, 1), Map.of(
                ConditioningKey.UNCOND, v(0, 0), ConditioningKey.COND, v(1, 0), NEG0, v(0, 2),
                new ConditioningKey("neg-1"), v(3, 3)), v(0, 0));
        assertThat(out.data()).containsExactly(1f, -7f);
    }

    @Test
    void perpNegWithAZeroPromptDirectionRemovesTheWholeNegative() {
        // Δpos = 0: nothing to be perpendicular to, so ⊥Δneg = Δneg: out = ∅ + 3·(0 − [2, −1]) = [−5, 4]
        Tensor out = perpNeg(3, 1, "a cat", "a dog").combine(step(0, 1), Map.of(ConditioningKey.UNCOND, v(1, 1),
                ConditioningKey.COND, v(1, 1), NEG0, v(3, 0)), v(0, 0));
        assertThat(out.data()).containsExactly(-5f, 4f);
    }

    @Test
    void perpNegWithoutANegativeIsCfgAgainstTheEmptyPrompt() {
        Guidance.KeyedRun run = perpNeg(7.5, 1, "a lighthouse", "");
        assertThat(run.needs(step(0, 1))).containsExactly(ConditioningKey.UNCOND, ConditioningKey.COND);
        Tensor u = Fixtures.random(5, 1, 4, 4, 4);
        Tensor c = Fixtures.random(6, 1, 4, 4, 4);
        Tensor out = run.combine(step(0, 1), Map.of(ConditioningKey.UNCOND, u, ConditioningKey.COND, c), u);
        Tensor cfg = new ClassifierFreeGuidance(Fixtures.cfg(7.5)).start(1).combine(step(0, 1), Fixtures.both(u, c),
                u);
        for (int i = 0; i < out.size(); i++) {
            assertThat(out.data()[i]).isCloseTo(cfg.data()[i], within(1e-5f));
        }
    }

    @Test
    void combineRefusesMissingOrMismatchedPredictions() {
        Guidance.KeyedRun run = perpNeg(2, 1, "a cat", "a dog");
        assertThatThrownBy(() -> run.combine(step(0, 1), Map.of(ConditioningKey.UNCOND, v(0, 0),
                ConditioningKey.COND, v(1, 0)), v(0, 0))).isInstanceOf(StageException.class)
                .hasMessageContaining("needs predictions [uncond, cond, neg-0] at iteration 0");
        assertThatThrownBy(() -> run.combine(step(0, 1), Map.of(ConditioningKey.UNCOND, v(0, 0),
                ConditioningKey.COND, v(1, 0), NEG0, v(1, 1, 1)), v(0, 0)))
                .hasMessageContaining("got a 'neg-0' prediction of shape [1, 3]");
    }

    @Test
    void theyNeedASdk11HostAndRefuseTooManyTerms() {
        assertThatThrownBy(() -> new PerpNegGuidance(new PerpNegSettings(7.5, 1, 8)).start(10))
                .isInstanceOf(StageException.class).extracting(e -> ((StageException) e).code())
                .isEqualTo(ErrorCode.UNSUPPORTED);
        assertThatThrownBy(() -> new PerpNegGuidance(new PerpNegSettings(7.5, 1, 3))
                .start(new Guidance.Prompt("a AND b", "c AND d"), 1)).hasMessageContaining("have 4 AND terms "
                        + "together; at most 3");
        assertThat(List.of(new ComposableGuidance(new ComposableSettings(1, 8)), new PerpNegGuidance(
                new PerpNegSettings(1, 1, 8)))).allSatisfy(g -> {
                    g.close();
                    assertThatThrownBy(() -> g.start(new Guidance.Prompt("a", ""), 1))
                            .extracting(e -> ((StageException) e).code()).isEqualTo(ErrorCode.CLOSED);
                });
    }
}
