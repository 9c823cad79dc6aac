package io.assay.plugins.guidance;

/**
 * Element-wise and per-item arithmetic of the guidance formulas. Element-wise steps are float32 in the order torch
 * evaluates the diffusers expressions (Java never contracts {@code a + b·c} into a fused multiply-add, so the
 * rounding is the same); reductions accumulate in float64.
 */
final class GuidanceMath {

    private GuidanceMath() {
    }

    /** {@code uncond + scale·(cond − uncond)}, element-wise, into a new array. */
    static float[] cfg(float[] uncond, float[] cond, float scale) {
        float[] out = new float[cond.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = uncond[i] + scale * (cond[i] - uncond[i]);
        }
        return out;
    }

    /** The sample standard deviation (Bessel-corrected, as {@code torch.std}) of {@code n} elements from {@code from}. */
    static double std(float[] x, int from, int n) {
        double sum = 0;
        for (int i = from; i < from + n; i++) {
            sum += x[i];
        }
        double mean = sum / n;
        double ss = 0;
        for (int i = from; i < from + n; i++) {
            double d = x[i] - mean;
            ss += d * d;
        }
        return Math.sqrt(ss / (n - 1));
    }

    /** The Euclidean norm of {@code n} elements from {@code from}, accumulated in float64. */
    static double norm(float[] x, int from, int n) {
        double ss = 0;
        for (int i = from; i < from + n; i++) {
            ss += (double) x[i] * x[i];
        }
        return Math.sqrt(ss);
    }
}
