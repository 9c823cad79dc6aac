package com.example.assay.clippedcfg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.assay.sdk.diffusion.ConditioningKind;
import io.assay.sdk.diffusion.Guidance;
import io.assay.sdk.tensor.Tensor;
import io.assay.sdk.testkit.contract.GuidanceContract;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The SDK's guidance contract (shapes, no input mutation, independent runs, determinism, close, and — declared
 * here — CFG identities), plus what is particular to this component.
 */
class ClippedCfgContractTest implements GuidanceContract {

    @Override
    public Guidance create() {
        return new ClippedCfg(new ClippedCfgSettings(7.5, 4));
    }

    @Override
    public boolean cfgLike() {
        return true;
    }

    @Override
    public Guidance createAtScale(double scale) {
        return new ClippedCfg(new ClippedCfgSettings(scale, 4));
    }

    @Test
    void theGuidanceTermIsClippedAboveScaleOne() {
        Guidance g = new ClippedCfg(new ClippedCfgSettings(10, 0.5));
        Tensor uncond = new Tensor(new long[] {1, 1, 1, 2}, new float[] {0f, 0f});
        Tensor cond = new Tensor(new long[] {1, 1, 1, 2}, new float[] {0.01f, 1f});
        Tensor out = g.start(1).combine(steps().get(0), Map.of(ConditioningKind.UNCOND, uncond,
                ConditioningKind.COND, cond), uncond);
        assertThat(out.data()[0]).as("10·0.01 is within the limit").isCloseTo(0.1f, within(1e-6f));
        assertThat(out.data()[1]).as("10·1 is clipped to 0.5").isEqualTo(0.5f);
    }
}
