package io.assay.plugins.noise;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@link CephesFloat} is an accurate float32 log and sin/cos (besides matching torch bit for bit). */
class CephesFloatTest {

    private static double ulps(float actual, double exact) {
        return Math.abs(actual - exact) / Math.ulp((float) exact);
    }

    @Test
    void logIsWithinTwoUlpsOnTheBoxMullerDomain() {
        double worst = 0;
        // Every 1 − u that a 24-bit uniform produces is k·2^-24, k in [1, 2^24]; sample k with a stride.
        for (int k = 1; k <= 1 << 24; k += 997) {
            float x = k * 0x1p-24f;
            if (x == 1f) {
                continue;
            }
            worst = Math.max(worst, ulps(CephesFloat.log(x), StrictMath.log(x)));
        }
        assertThat(worst).isLessThanOrEqualTo(2.0);
        assertThat(CephesFloat.log(1f)).isZero();
        assertThat(CephesFloat.log(0x1p-24f)).isCloseTo((float) (-24 * Math.log(2)), org.assertj.core.data.Offset.offset(2e-6f));
        assertThat(CephesFloat.log(0f)).isNaN();
        assertThat(CephesFloat.log(-1f)).isNaN();
    }

    @Test
    void sinCosAreAccurateOverAFullTurnAndOdd() {
        float[] sc = new float[2];
        double worst = 0;
        for (int k = 0; k < 1 << 16; k++) {
            float x = (float) (2 * Math.PI) * k / (1 << 16);
            CephesFloat.sinCos(x, sc);
            worst = Math.max(worst, Math.abs(sc[0] - StrictMath.sin(x)));
            worst = Math.max(worst, Math.abs(sc[1] - StrictMath.cos(x)));
            CephesFloat.sinCos(-x, sc);
            worst = Math.max(worst, Math.abs(sc[0] + StrictMath.sin(x)));
            worst = Math.max(worst, Math.abs(sc[1] - StrictMath.cos(x)));
        }
        // |sin|, |cos| <= 1, so an absolute bound of a few float32 ulps of 1.
        assertThat(worst).isLessThan(2.5e-7);
    }
}
