package io.assay.plugins.schedulers;

import io.assay.sdk.Component;
import io.assay.sdk.StageContext;
import io.assay.sdk.diffusion.NoiseStream;
import io.assay.sdk.diffusion.Scheduler;
import jakarta.inject.Inject;
import org.pf4j.Extension;

/**
 * Euler's method on the probability-flow ODE (Karras et al. 2022, algorithm 2 without churn), as diffusers v0.23.1's
 * {@code EulerDiscreteScheduler}: {@code x0 = x − σ·ε}, {@code x' = x + (x − x0)/σ · (σ_next − σ)}.
 *
 * <p>Deterministic: diffusers draws a noise tensor every step but multiplies it by {@code s_churn = 0}; this port
 * does not draw it. Supports Karras sigmas and every prediction type.
 */
@Extension
@Component(name = "euler", description = "Euler (diffusers EulerDiscreteScheduler)", settings = SchedulerSettings.class,
        keys = {"num-train-timesteps", "beta-start", "beta-end", "beta-schedule", "prediction-type", "steps-offset",
                "timestep-spacing", "use-karras-sigmas", "model-dir"})
public final class EulerDiscreteScheduler extends AbstractSigmaScheduler {

    static final ClassSpec SPEC = ClassSpec.of("euler", "EulerDiscreteScheduler",
                    ConfigKey.USE_KARRAS_SIGMAS, ConfigKey.TIMESTEP_SPACING, ConfigKey.STEPS_OFFSET)
            .defaultValue(ConfigKey.TIMESTEP_SPACING, "linspace")
            .fixed("interpolation_type", "linear")
            .fixed("timestep_type", "discrete")
            .build();

    /** Creates the scheduler from its settings. */
    @Inject
    public EulerDiscreteScheduler(SchedulerSettings settings, StageContext context) {
        super(SPEC, settings, context);
    }

    @Override
    boolean karrasTimestepsAreDouble() {
        return false;
    }

    @Override
    Run newRun(int steps) {
        Table t = table(steps);
        return new SigmaRun(steps, t.timesteps(), t.sigmas()) {
            @Override
            Scheduler.Step advance(float[] model, int i, float[] x, long[] shape, NoiseStream noise) {
                float sigma = sigmas[i];
                float[] x0 = predictOriginal(model, x, sigma);
                float dt = sigmas[i + 1] - sigma;
                float[] out = new float[x.length];
                for (int j = 0; j < out.length; j++) {
                    float derivative = (x[j] - x0[j]) / sigma;
                    out[j] = x[j] + derivative * dt;
                }
                return new Scheduler.Step(shaped(out, shape), shaped(x0, shape));
            }
        };
    }
}
