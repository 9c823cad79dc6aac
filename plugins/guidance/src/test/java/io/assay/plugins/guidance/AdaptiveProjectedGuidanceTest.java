package io.assay.plugins.guidance;

import static io.assay.plugins.guidance.Fixtures.apg;
import static io.assay.plugins.guidance.Fixtures.both;
import static io.assay.plugins.guidance.Fixtures.cfg;
import static io.assay.plugins.guidance.Fixtures.condOnly;
import static io.assay.plugins.guidance.Fixtures.random;
import static io.assay.plugins.guidance.Fixtures.shape;
import static io.assay.plugins.guidance.Fixtures.step;
import static io.assay.plugins.guidance.Fixtures.t;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.assay.plugins.guidance.ApgSettings.Formulation;
import io.assay.sdk.diffusion.ConditioningKind;
import io.assay.sdk.diffusion.Guidance;
import io.assay.sdk.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@code apg} on hand-computed cases. */
class AdaptiveProjectedGuidanceTest {

    private static float[] run(ApgSettings s, Tensor u, Tensor c) {
        return new AdaptiveProjectedGuidance(s).start(1).combine(step(0, 1), both(u, c), null).data();
    }

    private static void assertClose(float[] actual, float... expected) {
        assertThat(actual).hasSize(expected.length);
        for (int i = 0; i < actual.length; i++) {
            assertThat(actual[i]).as("element %d", i).isCloseTo(expected[i], within(1e-6f));
        }
    }

    @ParameterizedTest
    @EnumSource(Formulation.class)
    void etaOneWithoutMomentumOrThresholdIsCfg(Formulation f) {
        Tensor u = random(21, 2, 4, 3, 3);
        Tensor c = random(22, 2, 4, 3, 3);
        float[] expected = new ClassifierFreeGuidance(cfg(7.5)).start(1).combine(step(0, 1), both(u, c), null).data();
        float[] actual = run(apg(7.5, 1, 0, 0, f), u, c);
        for (int i = 0; i < actual.length; i++) {
            assertThat(actual[i]).isCloseTo(expected[i], within(1e-5f));
        }
    }

    @Test
    void projectionHandComputed() {
        // c = [1, 0], u = [0, -1]: diff = [1, 1], ĉ = [1, 0], parallel = [1, 0], orth = [0, 1].
        Tensor c = t(shape(1, 2), 1f, 0f);
        Tensor u = t(shape(1, 2), 0f, -1f);
        // eta 0: update = [0, 1]; paper, s = 3: c + 2·update = [1, 2]; diffusers: u + 3·update = [0, 2].
        assertClose(run(apg(3, 0, 0, 0, Formulation.PAPER), u, c), 1f, 2f);
        assertClose(run(apg(3, 0, 0, 0, Formulation.DIFFUSERS), u, c), 0f, 2f);
        // eta 0.5: update = [0.5, 1]; paper: [2, 2].
        assertClose(run(apg(3, 0.5, 0, 0, Formulation.PAPER), u, c), 2f, 2f);
    }

    @Test
    void projectionIsPerBatchItem() {
        // Item 0 as above; item 1: c = [0, 2], u = [1, 1]: diff = [-1, 1], ĉ = [0, 1], parallel = [0, 1],
        // orth = [-1, 0]; eta 0, paper, s = 3: c + 2·[-1, 0] = [-2, 2].
        Tensor c = t(shape(2, 2), 1f, 0f, 0f, 2f);
        Tensor u = t(shape(2, 2), 0f, -1f, 1f, 1f);
        assertClose(run(apg(3, 0, 0, 0, Formulation.PAPER), u, c), 1f, 2f, -2f, 2f);
    }

    @Test
    void normThresholdClampsTheUpdate() {
        // diff = [4, 4], ‖diff‖ = 4√2; r = 1 scales it to [1/√2, 1/√2]; eta 1, s = 2: c + diff.
        Tensor c = t(shape(1, 2), 1f, 0f);
        Tensor u = t(shape(1, 2), -3f, -4f);
        float h = (float) (1 / Math.sqrt(2));
        float[] out = run(apg(2, 1, 0, 1, Formulation.PAPER), u, c);
        assertClose(out, 1f + h, h);
        double norm = Math.hypot(out[0] - 1f, out[1]);
        assertThat(norm).isCloseTo(1.0, within(1e-6));
        // A threshold above the norm changes nothing.
        assertClose(run(apg(2, 1, 0, 100, Formulation.PAPER), u, c), 5f, 4f);
    }

    @Test
    void momentumRunsAcrossStepsAndRestartsPerRun() {
        // β = −0.5, eta 1, no threshold, paper, s = 3; c = [1, 0].
        // Step 0: u = [0, -1], diff = running = [1, 1]: out = c + 2·[1, 1] = [3, 2].
        // Step 1: u = [0, 0], diff = [1, 0], running = [1, 0] − 0.5·[1, 1] = [0.5, −0.5]: out = [2, −1].
        AdaptiveProjectedGuidance apg = new AdaptiveProjectedGuidance(apg(3, 1, -0.5, 0, Formulation.PAPER));
        Tensor c = t(shape(1, 2), 1f, 0f);
        Guidance.Run run = apg.start(2);
        assertClose(run.combine(step(0, 2), both(t(shape(1, 2), 0f, -1f), c), null).data(), 3f, 2f);
        assertClose(run.combine(step(1, 2), both(t(shape(1, 2), 0f, 0f), c), null).data(), 2f, -1f);
        // A new run has a fresh buffer: its first step with u = [0, 0] is plain diff = [1, 0].
        Guidance.Run fresh = apg.start(2);
        assertClose(fresh.combine(step(0, 2), both(t(shape(1, 2), 0f, 0f), c), null).data(), 3f, 0f);
        assertThat(run.describe()).isEqualTo("apg: cond + 2·update, update = orth + 1·parallel of diff "
                + "(momentum -0.5) along cond, diff = cond − uncond; unconditional pass: every step");
    }

    @Test
    void scaleOneIsCondWithOnePass() {
        Guidance.Run run = new AdaptiveProjectedGuidance(apg(1, 0, -0.5, 15, Formulation.PAPER)).start(1);
        assertThat(run.needs(step(0, 1))).containsExactly(ConditioningKind.COND);
        Tensor c = random(23, 1, 4, 2, 2);
        assertThat(run.combine(step(0, 1), condOnly(c), null).data()).isEqualTo(c.data());
        Guidance.Run guided = new AdaptiveProjectedGuidance(apg(7.5, 0, 0, 15, Formulation.PAPER)).start(1);
        assertThat(guided.needs(step(0, 1))).containsExactly(ConditioningKind.UNCOND, ConditioningKind.COND);
    }

    @Test
    void settingsErrorsNameTheKey() {
        assertThatThrownBy(() -> apg(7.5, 0, 2, 15, Formulation.PAPER))
                .hasMessage("'momentum' must be in [-1, 1], got 2");
        assertThatThrownBy(() -> apg(7.5, 0, 0, -1, Formulation.PAPER))
                .hasMessage("'norm-threshold' must be >= 0, got -1");
        assertThatThrownBy(() -> apg(7.5, Double.NaN, 0, 0, Formulation.PAPER)).hasMessageContaining("'eta'");
        assertThatThrownBy(() -> apg(7.5, 0, 0, 0, null)).hasMessageContaining("'formulation'");
    }
}
