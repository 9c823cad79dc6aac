package io.assay.plugins.noise;

/**
 * Float32 {@code log} and {@code sin}/{@code cos} computed exactly as PyTorch's x86-64 AVX2 {@code normal_fill}
 * computes them: PyTorch uses {@code avx_mathfun.h} (Julien Pommier's AVX port of the Cephes single-precision
 * routines), compiled with multiply-add contraction into FMA instructions. Reproducing the same polynomial, the
 * same Cody–Waite argument reduction and the same fused operations makes {@code torch-cpu} noise bit-identical to
 * torch on such a machine, where correctly rounded {@code log}/{@code cos} differ from it in about one element of
 * six by one ulp.
 *
 * <p>Written from the algorithm (Cephes {@code logf}, {@code sinf}, {@code cosf}) and its published coefficients;
 * {@link Math#fma(float, float, float)} is specified to round once, so the results are the same on every JVM
 * (it is a single instruction where the CPU has FMA, and exact but slower elsewhere).
 */
final class CephesFloat {

    private static final float SQRT_HALF = 0.707106781186547524f;
    private static final float[] LOG_P = {7.0376836292E-2f, -1.1514610310E-1f, 1.1676998740E-1f,
        -1.2420140846E-1f, 1.4249322787E-1f, -1.6668057665E-1f, 2.0000714765E-1f, -2.4999993993E-1f,
        3.3333331174E-1f};
    private static final float LOG_Q1 = -2.12194440e-4f;
    private static final float LOG_Q2 = 0.693359375f;

    private static final float FOUR_OVER_PI = 1.27323954473516f;
    private static final float MINUS_DP1 = -0.78515625f;
    private static final float MINUS_DP2 = -2.4187564849853515625e-4f;
    private static final float MINUS_DP3 = -3.77489497744594108e-8f;
    private static final float SIN_P0 = -1.9515295891E-4f;
    private static final float SIN_P1 = 8.3321608736E-3f;
    private static final float SIN_P2 = -1.6666654611E-1f;
    private static final float COS_P0 = 2.443315711809948E-005f;
    private static final float COS_P1 = -1.388731625493765E-003f;
    private static final float COS_P2 = 4.166664568298827E-002f;

    private CephesFloat() {
    }

    /** The natural logarithm; NaN for {@code x <= 0} (denormal inputs are treated as the smallest normal). */
    static float log(float x) {
        if (!(x > 0)) {
            return Float.NaN;
        }
        x = Math.max(x, Float.MIN_NORMAL);
        int bits = Float.floatToRawIntBits(x);
        // x = m·2^e with m in [0.5, 1).
        float e = (float) ((bits >>> 23) - 0x7f) + 1f;
        float m = Float.intBitsToFloat((bits & ~0x7f800000) | 0x3f000000);
        float shifted;
        if (m < SQRT_HALF) {
            // m in [0.5, √½): use 2m − 1 and e − 1 so the argument stays in [√½ − 1, √2 − 1).
            e = e - 1f;
            shifted = (m - 1f) + m;
        } else {
            shifted = m - 1f;
        }
        float z = shifted * shifted;
        float y = LOG_P[0];
        for (int i = 1; i < LOG_P.length; i++) {
            y = Math.fma(y, shifted, LOG_P[i]);
        }
        y = y * shifted;
        y = Math.fma(y, z, e * LOG_Q1);
        y = Math.fma(-z, 0.5f, y);
        return Math.fma(e, LOG_Q2, shifted + y);
    }

    /**
     * Sine and cosine of {@code x} (accurate for |x| up to about 8192, ample for Box–Muller's [0, 2π)).
     *
     * @param out receives {@code out[0] = sin x}, {@code out[1] = cos x}
     */
    static void sinCos(float x, float[] out) {
        boolean negative = x < 0 || (x == 0 && 1 / x < 0);
        x = Math.abs(x);
        // The octant j (made even), and x reduced by j·π/4 in three parts (Cody–Waite).
        int j = ((int) (x * FOUR_OVER_PI) + 1) & ~1;
        float y = (float) j;
        x = Math.fma(y, MINUS_DP1, x);
        x = Math.fma(y, MINUS_DP2, x);
        x = Math.fma(y, MINUS_DP3, x);
        float z = x * x;

        float c = Math.fma(COS_P0, z, COS_P1);
        c = Math.fma(c, z, COS_P2);
        c = c * z;
        c = Math.fma(c, z, -(z * 0.5f));
        c = c + 1f;

        float s = Math.fma(SIN_P0, z, SIN_P1);
        s = Math.fma(s, z, SIN_P2);
        s = s * z;
        s = Math.fma(s, x, x);

        boolean swap = (j & 2) != 0;
        float sin = swap ? c : s;
        float cos = swap ? s : c;
        if (((j & 4) != 0) != negative) {
            sin = -sin;
        }
        if (((j - 2) & 4) == 0) {
            cos = -cos;
        }
        out[0] = sin;
        out[1] = cos;
    }
}
