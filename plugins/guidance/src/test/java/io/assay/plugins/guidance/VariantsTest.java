package io.assay.plugins.guidance;

import static io.assay.plugins.guidance.Fixtures.both;
import static io.assay.plugins.guidance.Fixtures.cfg;
import static io.assay.plugins.guidance.Fixtures.condOnly;
import static io.assay.plugins.guidance.Fixtures.random;
import static io.assay.plugins.guidance.Fixtures.shape;
import static io.assay.plugins.guidance.Fixtures.step;
import static io.assay.plugins.guidance.Fixtures.stepAtSigma;
import static io.assay.plugins.guidance.Fixtures.t;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.assay.sdk.StageException;
import io.assay.sdk.diffusion.ConditioningKind;
import io.assay.sdk.diffusion.Guidance;
import io.assay.sdk.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** {@code cfg-rescale} and {@code cfg-interval}. */
class VariantsTest {

    @Test
    void rescaleHandComputedPerBatchItem() {
        // s = 3. Item 0: u = 0, c = [1, -1, 1, -1]: cfg = 3c, std ratio 1/3, rescaled = c,
        //   out = 0.7·c + 0.3·3c = 1.6c.
        // Item 1: u = 1, c = [1, 1, 1, 3]: cfg = [1, 1, 1, 7], std(c) = 1, std(cfg) = 3 (Bessel-corrected),
        //   rescaled = cfg/3, out = 0.7·cfg/3 + 0.3·cfg = [0.53333, 0.53333, 0.53333, 3.73333].
        Tensor u = t(shape(2, 4), 0, 0, 0, 0, 1, 1, 1, 1);
        Tensor c = t(shape(2, 4), 1, -1, 1, -1, 1, 1, 1, 3);
        Guidance.Run run = new RescaledClassifierFreeGuidance(new RescaleSettings(3, 0.7)).start(1);
        float[] out = run.combine(step(0, 1), both(u, c), null).data();
        float[] expected = {1.6f, -1.6f, 1.6f, -1.6f, 1.6f / 3, 1.6f / 3, 1.6f / 3, 11.2f / 3};
        for (int i = 0; i < out.length; i++) {
            assertThat(out[i]).as("element %d", i).isCloseTo(expected[i], within(1e-6f));
        }
        assertThat(run.describe()).isEqualTo("cfg-rescale: 0.7·cfg·(std(cond)/std(cfg)) + (1 − 0.7)·cfg, "
                + "cfg = uncond + 3·(cond − uncond); unconditional pass: every step");
    }

    @Test
    void rescaleZeroIsCfgExactly() {
        Tensor u = random(11, 2, 4, 3, 3);
        Tensor c = random(12, 2, 4, 3, 3);
        Tensor rescaled = new RescaledClassifierFreeGuidance(new RescaleSettings(7.5, 0)).start(1)
                .combine(step(0, 1), both(u, c), null);
        Tensor plain = new ClassifierFreeGuidance(cfg(7.5)).start(1).combine(step(0, 1), both(u, c), null);
        assertThat(rescaled.data()).isEqualTo(plain.data());
    }

    @Test
    void fullRescaleMatchesTheCondStandardDeviation() {
        Tensor u = random(13, 1, 4, 4, 4);
        Tensor c = random(14, 1, 4, 4, 4);
        Tensor out = new RescaledClassifierFreeGuidance(new RescaleSettings(12, 1)).start(1)
                .combine(step(0, 1), both(u, c), null);
        assertThat(out.std()).isCloseTo(c.std(), within(1e-5));
    }

    @Test
    void rescaleAtScaleOneIsCondWithOnePass() {
        Guidance.Run run = new RescaledClassifierFreeGuidance(new RescaleSettings(1, 0.7)).start(1);
        assertThat(run.needs(step(0, 1))).containsExactly(ConditioningKind.COND);
        Tensor c = random(15, 1, 4, 2, 2);
        assertThat(run.combine(step(0, 1), condOnly(c), null).data()).isEqualTo(c.data());
    }

    @Test
    void intervalIsHalfOpenInSigma() {
        Guidance.Run run = new IntervalClassifierFreeGuidance(new IntervalSettings(7.5, 0.28, 5.42)).start(5);
        double[] sigmas = {14.6, 5.42, 1.0, 0.28, 0.03};
        boolean[] guided = {false, true, true, false, false};
        Tensor u = t(shape(1, 2), 1f, -1f);
        Tensor c = t(shape(1, 2), 2f, -1f);
        for (int i = 0; i < 5; i++) {
            Guidance.StepInfo s = stepAtSigma(i, 5, sigmas[i]);
            assertThat(run.needs(s)).as("σ = %s", sigmas[i]).hasSize(guided[i] ? 2 : 1);
            Tensor out = run.combine(s, guided[i] ? both(u, c) : condOnly(c), null);
            assertThat(out.data()).isEqualTo(guided[i] ? new float[] {8.5f, -1f} : c.data());
        }
        assertThat(run.describe()).isEqualTo("cfg-interval: uncond + 7.5·(cond − uncond) while 0.28 < σ <= 5.42, "
                + "cond elsewhere; unconditional pass: on 2 of 5 steps (iterations 1–2)");
    }

    @Test
    void intervalNeedsASigma() {
        Guidance.Run run = new IntervalClassifierFreeGuidance(new IntervalSettings(7.5, 0.28, 5.42)).start(1);
        assertThatThrownBy(() -> run.needs(stepAtSigma(0, 1, Double.NaN)))
                .isInstanceOf(StageException.class).hasMessageContaining("σ = NaN");
    }

    @Test
    void settingsErrorsNameTheKey() {
        assertThatThrownBy(() -> new RescaleSettings(7.5, 1.5)).hasMessage("'rescale' must be in [0, 1], got 1.5");
        assertThatThrownBy(() -> new RescaleSettings(-2, 0.7)).hasMessage("'scale' must be >= 0, got -2");
        assertThatThrownBy(() -> new IntervalSettings(7.5, 5, 1))
                .hasMessage("'sigma-low' (5) must be less than 'sigma-high' (1)");
        assertThatThrownBy(() -> new IntervalSettings(7.5, -1, 1)).hasMessage("'sigma-low' must be >= 0, got -1");
        assertThatThrownBy(() -> new IntervalSettings(7.5, 0.28, Double.POSITIVE_INFINITY))
                .hasMessageContaining("'sigma-high' must be a finite number");
    }
}
