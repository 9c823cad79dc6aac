package io.assay.plugins.guidance;

import static io.assay.plugins.guidance.Fixtures.both;
import static io.assay.plugins.guidance.Fixtures.cfg;
import static io.assay.plugins.guidance.Fixtures.condOnly;
import static io.assay.plugins.guidance.Fixtures.random;
import static io.assay.plugins.guidance.Fixtures.shape;
import static io.assay.plugins.guidance.Fixtures.step;
import static io.assay.plugins.guidance.Fixtures.t;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import io.assay.sdk.diffusion.ConditioningKind;
import io.assay.sdk.diffusion.Guidance;
import io.assay.sdk.tensor.Npy;
import io.assay.sdk.tensor.Tensor;
import io.assay.sdk.testkit.References;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** {@code none} and {@code cfg}. */
class ClassifierFreeGuidanceTest {

    private static final Tensor U = t(shape(1, 4), 1f, 2f, -1f, 0.5f);
    private static final Tensor C = t(shape(1, 4), 3f, 2f, 1f, -0.5f);

    @Test
    void handComputedCfg() {
        Guidance.Run run = new ClassifierFreeGuidance(cfg(7.5)).start(1);
        assertThat(run.needs(step(0, 1))).containsExactly(ConditioningKind.UNCOND, ConditioningKind.COND);
        // d = [2, 0, 2, -1]; out = u + 7.5·d
        Tensor out = run.combine(step(0, 1), both(U, C), null);
        assertThat(out.shape()).containsExactly(1, 4);
        assertThat(out.data()).containsExactly(16f, 2f, 14f, -7f);
        assertThat(run.describe()).isEqualTo("cfg: uncond + 7.5·(cond − uncond); unconditional pass: every step");
    }

    @Test
    void scaleZeroIsUncondAndScaleOneIsCondExactly() {
        Tensor u = random(1, 2, 4, 3, 3);
        Tensor c = random(2, 2, 4, 3, 3);
        Guidance.Run zero = new ClassifierFreeGuidance(cfg(0)).start(1);
        assertThat(zero.needs(step(0, 1))).as("scale 0 needs only the unconditional pass")
                .containsExactly(ConditioningKind.UNCOND);
        Tensor z = zero.combine(step(0, 1), java.util.Map.of(ConditioningKind.UNCOND, u), null);
        assertThat(z.data()).isEqualTo(u.data()).isNotSameAs(u.data());
        assertThat(z.data()).as("the formula with both passes gives the same numbers")
                .isEqualTo(GuidanceMath.cfg(u.data(), c.data(), 0f));
        assertThat(zero.describe()).isEqualTo("cfg: uncond (scale 0: uncond + 0·(cond − uncond) = uncond); "
                + "unconditional pass: every step");
        assertThatThrownBy(() -> new ClassifierFreeGuidance(cfg(0)).start(1).combine(step(0, 1), both(u, c), null))
                .hasMessageContaining("needs predictions [UNCOND]");

        Guidance.Run one = new ClassifierFreeGuidance(cfg(1)).start(1);
        assertThat(one.needs(step(0, 1))).containsExactly(ConditioningKind.COND);
        Tensor out = one.combine(step(0, 1), condOnly(c), null);
        assertThat(out.data()).isEqualTo(c.data()).isNotSameAs(c.data());
        assertThat(one.describe()).contains("cond").contains("unconditional pass: never");
    }

    @ParameterizedTest(name = "scale {0}, shortcut {1}: {2} pass(es)")
    @CsvSource({"7.5, false, 2", "7.5, true, 2", "0.5, false, 2", "0.5, true, 1", "1, false, 1", "1, true, 1",
            "0, true, 1", "0, false, 1", "1.0001, true, 2"})
    void passesPerStep(double scale, boolean shortcut, int passes) {
        Guidance.Run run = new ClassifierFreeGuidance(new CfgSettings(scale, 0, 1, shortcut)).start(3);
        for (int i = 0; i < 3; i++) {
            assertThat(run.needs(step(i, 3))).hasSize(passes);
        }
    }

    @Test
    void shortcutReturnsCondBelowOne() {
        Guidance.Run run = new ClassifierFreeGuidance(new CfgSettings(0.5, 0, 1, true)).start(1);
        assertThat(run.combine(step(0, 1), condOnly(C), null).data()).isEqualTo(C.data());
        assertThat(run.describe()).isEqualTo("cfg: cond (scale 0.5 <= 1 with skip-uncond-at-or-below-one); "
                + "unconditional pass: never");
    }

    @Test
    void startAndStopFollowTheGuiderConvention() {
        // N = 10, start 0.2, stop 0.5: floor(2) <= i < floor(5), so iterations 2, 3, 4.
        Guidance.Run run = new ClassifierFreeGuidance(new CfgSettings(7.5, 0.2, 0.5, false)).start(10);
        for (int i = 0; i < 10; i++) {
            List<ConditioningKind> needs = run.needs(step(i, 10));
            assertThat(needs).as("iteration %d", i).hasSize(i >= 2 && i < 5 ? 2 : 1);
            Tensor out = run.combine(step(i, 10), needs.size() == 2 ? both(U, C) : condOnly(C), null);
            assertThat(out.data()).isEqualTo(needs.size() == 2 ? new float[] {16f, 2f, 14f, -7f} : C.data());
        }
        assertThat(run.describe()).isEqualTo("cfg: uncond + 7.5·(cond − uncond) for iterations 2 <= i < 5 of 10, "
                + "cond elsewhere; unconditional pass: on 3 of 10 steps (iterations 2–4)");
    }

    @Test
    void noneNeedsCondOnlyAndReturnsACopy() {
        Guidance.Run run = new NoGuidance().start(2);
        assertThat(run.needs(step(0, 2))).containsExactly(ConditioningKind.COND);
        Tensor out = run.combine(step(0, 2), condOnly(C), null);
        assertThat(out.data()).isEqualTo(C.data()).isNotSameAs(C.data());
        assertThat(run.describe()).isEqualTo("none: cond; unconditional pass: never");
    }

    @Test
    void combineRefusesPredictionsOtherThanNeeded() {
        Guidance.Run run = new ClassifierFreeGuidance(cfg(7.5)).start(2);
        assertThatThrownBy(() -> run.combine(step(0, 2), condOnly(C), null))
                .isInstanceOfSatisfying(StageException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INPUT))
                .hasMessage("Guidance 'cfg' needs predictions [UNCOND, COND] at iteration 0 but got [COND]");
        Guidance.Run none = new NoGuidance().start(1);
        assertThatThrownBy(() -> none.combine(step(0, 1), both(U, C), null))
                .isInstanceOf(StageException.class).hasMessageContaining("needs predictions [COND]");
        assertThatThrownBy(() -> run.combine(step(0, 2), both(t(shape(1, 2), 1f, 2f), C), null))
                .isInstanceOf(StageException.class).hasMessageContaining("[1, 2]").hasMessageContaining("[1, 4]");
        assertThatThrownBy(() -> run.needs(step(2, 2)))
                .isInstanceOf(StageException.class).hasMessageContaining("iterations 0..1");
    }

    @Test
    void settingsErrorsNameTheKey() {
        assertThatThrownBy(() -> new CfgSettings(-1, 0, 1, false)).hasMessage("'scale' must be >= 0, got -1");
        assertThatThrownBy(() -> new CfgSettings(7.5, 1.5, 1, false)).hasMessage("'start' must be in [0, 1], got 1.5");
        assertThatThrownBy(() -> new CfgSettings(7.5, 0, -0.1, false)).hasMessageContaining("'stop'");
        assertThatThrownBy(() -> new CfgSettings(7.5, 0.6, 0.5, false))
                .hasMessage("'start' (0.6) must not exceed 'stop' (0.5)");
        assertThatThrownBy(() -> new CfgSettings(Double.NaN, 0, 1, false)).hasMessageContaining("'scale'");
    }

    /** The guided eps diffusers handed to scheduler.step at iteration 0, from the UNet's [uncond, cond] output. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"01_ddim_astronaut_g7.5_64x64, 7.5", "03_euler_ancestral_cat_g12_64x64, 12"})
    void matchesDiffusersOnTinySd(String name, double scale) throws IOException {
        Path dir = References.require("tiny-sd/cases/" + name + "/unet_out_step0.npy").getParent();
        List<Tensor> rows = Npy.readTensor(dir.resolve("unet_out_step0.npy")).splitBatch(2);
        // noise_pred_all is [n, 1, 4, h, w]: entry 0 reshaped to the UNet row shape [1, 4, h, w].
        Tensor expected = Npy.readTensor(dir.resolve("noise_pred_all.npy")).batchItem(0).reshape(rows.get(1).shape());
        Guidance.Run run = new ClassifierFreeGuidance(cfg(scale)).start(20);
        Tensor out = run.combine(step(0, 20), both(rows.get(0), rows.get(1)), null);
        assertThat(out.shape()).isEqualTo(expected.shape());
        // Same float32 operations in the same order as torch: bit-identical.
        assertThat(out.data()).isEqualTo(expected.data());
    }
}
