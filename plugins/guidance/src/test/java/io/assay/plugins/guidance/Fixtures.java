package io.assay.plugins.guidance;

import io.assay.sdk.diffusion.ConditioningKind;
import io.assay.sdk.diffusion.Guidance;
import io.assay.sdk.tensor.Tensor;
import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;

/** Small tensors and steps for the guidance tests. */
final class Fixtures {

    private Fixtures() {
    }

    static Tensor t(long[] shape, float... data) {
        return new Tensor(shape, data);
    }

    static long[] shape(long... dims) {
        return dims;
    }

    static Map<ConditioningKind, Tensor> both(Tensor uncond, Tensor cond) {
        Map<ConditioningKind, Tensor> m = new EnumMap<>(ConditioningKind.class);
        m.put(ConditioningKind.UNCOND, uncond);
        m.put(ConditioningKind.COND, cond);
        return m;
    }

    static Map<ConditioningKind, Tensor> condOnly(Tensor cond) {
        return Map.of(ConditioningKind.COND, cond);
    }

    static Guidance.StepInfo step(int i, int n) {
        return new Guidance.StepInfo(i, n, 999 - i, 14.6 - i);
    }

    static Guidance.StepInfo stepAtSigma(int i, int n, double sigma) {
        return new Guidance.StepInfo(i, n, 500, sigma);
    }

    /** A deterministic pseudo-random tensor (values roughly in [-2, 2]). */
    static Tensor random(long seed, long... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] d = new float[Math.toIntExact(Tensor.count(shape))];
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) (r.nextDouble() * 4 - 2);
        }
        return new Tensor(shape, d);
    }

    static CfgSettings cfg(double scale) {
        return new CfgSettings(scale, 0, 1, false);
    }

    static ApgSettings apg(double scale, double eta, double momentum, double threshold,
            ApgSettings.Formulation formulation) {
        return new ApgSettings(scale, eta, momentum, threshold, formulation);
    }
}
