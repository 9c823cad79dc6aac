package io.assay.plugins.schedulers;

import io.assay.sdk.Component;
import io.assay.sdk.StageContext;
import io.assay.sdk.diffusion.NoiseStream;
import io.assay.sdk.diffusion.Scheduler;
import jakarta.inject.Inject;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import org.pf4j.Extension;

/**
 * The linear multistep method of order 4 (k-diffusion's {@code sample_lms}), as diffusers v0.23.1's
 * {@code LMSDiscreteScheduler}: the ODE derivative {@code (x − x0)/σ} of the last (up to) four steps, weighted by the
 * integrals over [σ_i, σ_{i+1}] of their Lagrange basis polynomials in σ.
 *
 * <p>Diffusers integrates those polynomials with {@code scipy.integrate.quad} ({@code epsrel = 1e-4}); this port
 * uses {@link Quadrature}'s adaptive Gauss–Kronrod rule (QUADPACK's 21-point rule, exact for these polynomials of
 * degree at most 3) on the same float32-evaluated integrand. As in
 * diffusers, the order at iteration {@code i} is {@code min(i + 1, 4)} while only the derivatives of this run's
 * steps are available, so an image-to-image run that starts late uses fewer terms than its order.
 */
@Extension
@Component(name = "lms", description = "Linear multistep, order 4 (diffusers LMSDiscreteScheduler)",
        settings = SchedulerSettings.class,
        keys = {"num-train-timesteps", "beta-start", "beta-end", "beta-schedule", "prediction-type", "steps-offset",
                "timestep-spacing", "use-karras-sigmas", "model-dir"})
public final class LmsDiscreteScheduler extends AbstractSigmaScheduler {

    static final ClassSpec SPEC = ClassSpec.of("lms", "LMSDiscreteScheduler", ConfigKey.USE_KARRAS_SIGMAS,
                    ConfigKey.TIMESTEP_SPACING, ConfigKey.STEPS_OFFSET)
            .defaultValue(ConfigKey.TIMESTEP_SPACING, "linspace")
            .build();

    /** The order diffusers' pipelines run LMS at (the default of {@code step(order=4)}). */
    static final int ORDER = 4;

    /** SciPy {@code quad}'s relative tolerance as diffusers calls it. */
    private static final double EPSREL = 1e-4;

    /** Creates the scheduler from its settings. */
    @Inject
    public LmsDiscreteScheduler(SchedulerSettings settings, StageContext context) {
        super(SPEC, settings, context);
    }

    /**
     * The integral from {@code sigmas[t]} to {@code sigmas[t+1]} of the Lagrange basis polynomial of node
     * {@code sigmas[t − current]} over the nodes {@code sigmas[t], …, sigmas[t − order + 1]}
     * (diffusers' {@code get_lms_coefficient}). The integrand is evaluated in float32, as diffusers evaluates it
     * (its nodes are 0-d float32 tensors), so the coefficients agree with diffusers' to float32 rounding.
     */
    static double lmsCoefficient(float[] sigmas, int order, int t, int current) {
        return Quadrature.integrate(tau -> {
            float prod = 1f;
            for (int k = 0; k < order; k++) {
                if (k == current) {
                    continue;
                }
                prod *= ((float) tau - sigmas[t - k]) / (sigmas[t - current] - sigmas[t - k]);
            }
            return prod;
        }, sigmas[t], sigmas[t + 1], EPSREL);
    }

    /** The same coefficient with the integrand in float64 (the exact polynomial), for comparison. */
    static double lmsCoefficientExact(float[] sigmas, int order, int t, int current) {
        return Quadrature.integrate(tau -> {
            double prod = 1.0;
            for (int k = 0; k < order; k++) {
                if (k == current) {
                    continue;
                }
                prod *= (tau - sigmas[t - k]) / ((double) sigmas[t - current] - sigmas[t - k]);
            }
            return prod;
        }, sigmas[t], sigmas[t + 1], EPSREL);
    }

    @Override
    Run newRun(int steps) {
        Table t = table(steps);
        return new SigmaRun(steps, t.timesteps(), t.sigmas()) {
            /** The ODE derivatives of the latest steps, newest first. */
            private final Deque<float[]> derivatives = new ArrayDeque<>();

            @Override
            Scheduler.Step advance(float[] model, int i, float[] x, long[] shape, NoiseStream noise) {
                float sigma = sigmas[i];
                float[] x0 = predictOriginal(model, x, sigma);
                float[] derivative = new float[x.length];
                for (int j = 0; j < x.length; j++) {
                    derivative[j] = (x[j] - x0[j]) / sigma;
                }
                derivatives.addFirst(derivative);
                if (derivatives.size() > ORDER) {
                    derivatives.removeLast();
                }
                int order = Math.min(i + 1, ORDER);
                // sum(coeff * derivative for coeff, derivative in zip(coeffs, reversed(derivatives))), in float32
                float[] sum = null;
                Iterator<float[]> it = derivatives.iterator();
                for (int c = 0; c < order && it.hasNext(); c++) {
                    float coeff = (float) lmsCoefficient(sigmas, order, i, c);
                    float[] d = it.next();
                    if (sum == null) {
                        sum = new float[x.length];
                        for (int j = 0; j < x.length; j++) {
                            sum[j] = coeff * d[j];
                        }
                    } else {
                        for (int j = 0; j < x.length; j++) {
                            sum[j] = sum[j] + coeff * d[j];
                        }
                    }
                }
                float[] out = new float[x.length];
                for (int j = 0; j < x.length; j++) {
                    out[j] = x[j] + sum[j];
                }
                return new Scheduler.Step(shaped(out, shape), shaped(x0, shape));
            }
        };
    }
}
