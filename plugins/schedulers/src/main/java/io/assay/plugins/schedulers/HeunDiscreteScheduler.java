package io.assay.plugins.schedulers;

import io.assay.sdk.Component;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageContext;
import io.assay.sdk.StageException;
import io.assay.sdk.diffusion.NoiseStream;
import io.assay.sdk.diffusion.Scheduler;
import jakarta.inject.Inject;
import org.pf4j.Extension;

/**
 * Heun's second-order method (Karras et al. 2022, algorithm 1), as diffusers v0.23.1's
 * {@code HeunDiscreteScheduler}. A run of N steps has 2N − 1 iterations: even iterations are Euler predictor
 * half-steps from σ_k to σ_{k+1}; odd iterations evaluate the model at σ_{k+1} and correct the step with the mean of
 * both derivatives. The last step (to σ = 0) is a plain Euler step. Timesteps and σ are interleaved accordingly
 * ({@code t0, t1, t1, t2, t2, …}); the order is 2 for image-to-image start iterations.
 */
@Extension
@Component(name = "heun", description = "Heun (diffusers HeunDiscreteScheduler)", settings = SchedulerSettings.class,
        keys = {"num-train-timesteps", "beta-start", "beta-end", "beta-schedule", "prediction-type", "steps-offset",
                "timestep-spacing", "clip-sample", "clip-sample-range", "use-karras-sigmas", "model-dir"})
public final class HeunDiscreteScheduler extends AbstractSigmaScheduler {

    static final ClassSpec SPEC = ClassSpec.of("heun", "HeunDiscreteScheduler", ConfigKey.USE_KARRAS_SIGMAS,
                    ConfigKey.CLIP_SAMPLE, ConfigKey.CLIP_SAMPLE_RANGE, ConfigKey.TIMESTEP_SPACING,
                    ConfigKey.STEPS_OFFSET)
            .defaultValue(ConfigKey.TIMESTEP_SPACING, "linspace")
            .build();

    /** Creates the scheduler from its settings. */
    @Inject
    public HeunDiscreteScheduler(SchedulerSettings settings, StageContext context) {
        super(SPEC, settings, context);
    }

    @Override
    Run newRun(int steps) {
        Table t = table(steps);
        double[] ts = t.timesteps();
        float[] s = t.sigmas();
        int n = ts.length;
        // timesteps: [t0, t1, t1, …, t_{n-1}, t_{n-1}]; sigmas: [s0, s1, s1, …, s_{n-1}, s_{n-1}, 0]
        double[] timesteps = new double[2 * n - 1];
        float[] sigmas = new float[2 * n];
        timesteps[0] = ts[0];
        sigmas[0] = s[0];
        for (int k = 1; k < n; k++) {
            timesteps[2 * k - 1] = ts[k];
            timesteps[2 * k] = ts[k];
            sigmas[2 * k - 1] = s[k];
            sigmas[2 * k] = s[k];
        }
        sigmas[2 * n - 1] = s[n];
        return new HeunRun(steps, timesteps, sigmas);
    }

    private final class HeunRun extends SigmaRun {

        private float[] prevDerivative;
        private float[] prevSample;
        private float dt;

        HeunRun(int steps, double[] timesteps, float[] sigmas) {
            super(steps, timesteps, sigmas);
        }

        @Override
        int order() {
            return 2;
        }

        @Override
        void checkFirstIteration(int i) {
            if (i % 2 != 0) {
                throw new StageException(ErrorCode.INVALID_INPUT, "Component 'heun' cannot start a run at iteration "
                        + i + ": odd iterations are second-order corrections of the previous step; start at an even"
                        + " iteration (see firstIteration)");
            }
        }

        @Override
        Scheduler.Step advance(float[] model, int i, float[] x, long[] shape, NoiseStream noise) {
            boolean firstOrder = prevDerivative == null;
            float sigma = firstOrder ? sigmas[i] : sigmas[i - 1];
            float sigmaNext = firstOrder ? sigmas[i + 1] : sigmas[i];
            float sigmaInput = firstOrder ? sigma : sigmaNext;
            float[] x0 = predictOriginal(model, x, sigmaInput);
            if (config().clipSample()) {
                clamp(x0, config().clipSampleRange());
            }
            float[] out = new float[x.length];
            if (firstOrder) {
                float step = sigmaNext - sigma;
                float[] derivative = new float[x.length];
                for (int j = 0; j < out.length; j++) {
                    derivative[j] = (x[j] - x0[j]) / sigma;
                    out[j] = x[j] + derivative[j] * step;
                }
                prevDerivative = derivative;
                prevSample = x.clone();
                dt = step;
            } else {
                float[] d1 = prevDerivative;
                float[] start = prevSample;
                for (int j = 0; j < out.length; j++) {
                    float d2 = (x[j] - x0[j]) / sigmaNext;
                    float derivative = (d1[j] + d2) / 2f;
                    out[j] = start[j] + derivative * dt;
                }
                prevDerivative = null;
                prevSample = null;
            }
            return new Scheduler.Step(shaped(out, shape), shaped(x0, shape));
        }
    }
}
