package io.assay.plugins.schedulers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The NumPy/PyTorch reproductions and the quadrature behind the LMS coefficients. */
class NumericsTest {

    @Test
    void quadratureIntegratesPolynomialsExactly() {
        for (int k = 0; k <= 31; k++) {
            int degree = k;
            Quadrature.Result r = Quadrature.integrate(x -> Math.pow(x, degree), 0, 1, 1e-12, 1e-12, 50);
            assertThat(r.value()).as("x^%d", k).isCloseTo(1.0 / (k + 1), within(1e-14));
            if (k <= 19) {
                // both the 10-point Gauss and the 21-point Kronrod rule are exact: the estimate accepts one panel
                assertThat(r.intervals()).as("x^%d needs one panel", k).isEqualTo(1);
            }
        }
    }

    @Test
    void quadratureAdaptsToHardIntegrandsAndHonoursDirection() {
        Quadrature.Result sin = Quadrature.integrate(Math::sin, 0, Math.PI, 1e-12, 1e-12, 50);
        assertThat(sin.value()).isCloseTo(2.0, within(1e-12));
        // sqrt has an unbounded derivative at 0: the rule must subdivide.
        Quadrature.Result sqrt = Quadrature.integrate(Math::sqrt, 0, 1, 1e-10, 1e-10, 50);
        assertThat(sqrt.intervals()).isGreaterThan(1);
        assertThat(sqrt.value()).isCloseTo(2.0 / 3.0, within(1e-9));
        assertThat(Quadrature.integrate(Math::exp, 1, 0, 1e-4)).isCloseTo(1 - Math.E, within(1e-12));
        assertThat(Quadrature.integrate(Math::exp, 2, 2, 1e-4)).isZero();
    }

    /**
     * The LMS coefficient against the closed-form integral of its Lagrange basis polynomial, for every coefficient
     * of a 50-step run (the float32-evaluated integrand diffusers uses moves the value by float32 rounding only).
     */
    @Test
    void lmsCoefficientsMatchTheClosedFormIntegral() {
        LmsDiscreteScheduler lms = new LmsDiscreteScheduler(SchedulerSettings.defaults(), new TestContext("lms"));
        float[] sigmas = lms.table(50).sigmas();
        double worstFloat32 = 0;
        for (int t = 0; t < 50; t++) {
            int order = Math.min(t + 1, LmsDiscreteScheduler.ORDER);
            double sum = 0;
            for (int c = 0; c < order; c++) {
                double exact = closedForm(sigmas, order, t, c);
                assertThat(LmsDiscreteScheduler.lmsCoefficientExact(sigmas, order, t, c))
                        .isCloseTo(exact, within(1e-12 + 1e-11 * Math.abs(exact)));
                double f32 = LmsDiscreteScheduler.lmsCoefficient(sigmas, order, t, c);
                worstFloat32 = Math.max(worstFloat32, Math.abs(f32 - exact) / Math.abs(sigmas[t + 1] - sigmas[t]));
                sum += exact;
            }
            // The basis polynomials sum to 1, so the coefficients sum to the step length.
            assertThat(sum).isCloseTo((double) sigmas[t + 1] - sigmas[t], within(1e-9));
        }
        assertThat(worstFloat32).isLessThan(1e-6);
    }

    /** ∫ Π_{k≠c} (τ − s_k)/(s_c − s_k) dτ over [s_t, s_{t+1}], by expanding the polynomial. */
    private static double closedForm(float[] s, int order, int t, int c) {
        double[] poly = {1.0};
        for (int k = 0; k < order; k++) {
            if (k == c) {
                continue;
            }
            double denom = (double) s[t - c] - s[t - k];
            double[] next = new double[poly.length + 1];
            for (int p = 0; p < poly.length; p++) {
                next[p + 1] += poly[p] / denom;
                next[p] -= poly[p] * s[t - k] / denom;
            }
            poly = next;
        }
        double a = s[t];
        double b = s[t + 1];
        double result = 0;
        for (int p = 0; p < poly.length; p++) {
            result += poly[p] * (Math.pow(b, p + 1) - Math.pow(a, p + 1)) / (p + 1);
        }
        return result;
    }

    @Test
    void numpyRoutinesKeepNumpysQuirks() {
        assertThat(Numerics.linspace(0, 999, 7)).containsExactly(0, 166.5, 333, 499.5, 666, 832.5, 999);
        assertThat(Numerics.linspace(3, 9, 1)).containsExactly(3);
        // round half to even, as numpy.round
        assertThat(Numerics.round(166.5)).isEqualTo(166);
        assertThat(Numerics.round(499.5)).isEqualTo(500);
        assertThat(Numerics.arange(1000, 0, -1000 / 3.0)).hasSize(3);
        // 1000/61 steps: floating-point error gives NumPy a 62nd element just below 0
        double[] a = Numerics.arange(1000, 0, -1000 / 61.0);
        assertThat(a).hasSize(62);
        assertThat(a[61]).isCloseTo(0, within(1e-9));
        float[] fp = {1, 2, 4, 8};
        assertThat(Numerics.interp(0.5, fp)).isEqualTo(1.5);
        assertThat(Numerics.interp(2.25, fp)).isEqualTo(4.0 + 0.25 * 4);
        assertThat(Numerics.interp(998.25, fp)).isEqualTo(8);
        assertThat(Numerics.interp(-1, fp)).isEqualTo(1);
    }

    @Test
    void torchLinspaceReproducesTheVectorizedKernel() {
        // endpoints are exact, and the scalar tail (last 8 of 1000) is computed back from the end
        float[] l = Numerics.torchLinspace(0.1f, 0.9f, 1000);
        assertThat(l[0]).isEqualTo(0.1f);
        assertThat(l[999]).isEqualTo(0.9f);
        assertThat(Numerics.torchLinspace(2f, 5f, 1)).containsExactly(2f);
        float[] small = Numerics.torchLinspace(0f, 3f, 4);
        assertThat(small).containsExactly(0f, 1f, 2f, 3f);
        float[] odd = Numerics.torchLinspace(0f, 40f, 41);
        for (int i = 0; i < odd.length; i++) {
            assertThat(odd[i]).isEqualTo((float) i);
        }
    }

    @Test
    void karrasSigmasSpanTheRangeWithRho7() {
        double[] k = Numerics.karras(0.0292, 14.6146, 5);
        assertThat(k[0]).isCloseTo(14.6146, within(1e-12));
        assertThat(k[4]).isCloseTo(0.0292, within(1e-12));
        double mid = Math.pow((Math.pow(0.0292, 1 / 7.0) + Math.pow(14.6146, 1 / 7.0)) / 2, 7);
        assertThat(k[2]).isCloseTo(mid, within(1e-12));
    }
}
