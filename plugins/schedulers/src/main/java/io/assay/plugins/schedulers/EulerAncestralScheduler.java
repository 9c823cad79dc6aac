package io.assay.plugins.schedulers;

import io.assay.sdk.Component;
import io.assay.sdk.StageContext;
import io.assay.sdk.diffusion.NoiseStream;
import io.assay.sdk.diffusion.PredictionType;
import io.assay.sdk.diffusion.Scheduler;
import jakarta.inject.Inject;
import org.pf4j.Extension;

/**
 * Ancestral Euler sampling, as diffusers v0.23.1's {@code EulerAncestralDiscreteScheduler}: an Euler step down to
 * {@code σ_down}, then fresh noise of scale {@code σ_up}, with {@code σ_up = sqrt(σ_to²(σ_from² − σ_to²)/σ_from²)} and
 * {@code σ_down = sqrt(σ_to² − σ_up²)}.
 *
 * <p>Stochastic: every step, the last included (where {@code σ_up = 0}), draws one sample-shaped block from
 * {@link NoiseStream#drawForStep}, exactly where diffusers draws from its generator. Like diffusers 0.23.1, it has no
 * Karras sigmas and refuses {@code prediction-type = sample}.
 */
@Extension
@Component(name = "euler-ancestral", description = "Euler ancestral (diffusers EulerAncestralDiscreteScheduler)",
        settings = SchedulerSettings.class,
        keys = {"num-train-timesteps", "beta-start", "beta-end", "beta-schedule", "prediction-type", "steps-offset",
                "timestep-spacing", "model-dir"})
public final class EulerAncestralScheduler extends AbstractSigmaScheduler {

    static final ClassSpec SPEC = ClassSpec.of("euler-ancestral", "EulerAncestralDiscreteScheduler",
                    ConfigKey.TIMESTEP_SPACING, ConfigKey.STEPS_OFFSET)
            .defaultValue(ConfigKey.TIMESTEP_SPACING, "linspace")
            .predictionTypes(PredictionType.EPSILON, PredictionType.V_PREDICTION)
            .build();

    /** Creates the scheduler from its settings. */
    @Inject
    public EulerAncestralScheduler(SchedulerSettings settings, StageContext context) {
        super(SPEC, settings, context);
    }

    @Override
    Run newRun(int steps) {
        Table t = table(steps);
        return new SigmaRun(steps, t.timesteps(), t.sigmas()) {
            @Override
            Scheduler.Step advance(float[] model, int i, float[] x, long[] shape, NoiseStream noise) {
                float sigmaFrom = sigmas[i];
                float sigmaTo = sigmas[i + 1];
                float[] x0 = predictOriginal(model, x, sigmaFrom);
                float from2 = sigmaFrom * sigmaFrom;
                float to2 = sigmaTo * sigmaTo;
                float sigmaUp = Numerics.sqrt(to2 * (from2 - to2) / from2);
                float sigmaDown = Numerics.sqrt(to2 - sigmaUp * sigmaUp);
                float dt = sigmaDown - sigmaFrom;
                float[] z = drawNoise(noise, i, shape);
                float[] out = new float[x.length];
                for (int j = 0; j < out.length; j++) {
                    float derivative = (x[j] - x0[j]) / sigmaFrom;
                    float prev = x[j] + derivative * dt;
                    out[j] = prev + z[j] * sigmaUp;
                }
                return new Scheduler.Step(shaped(out, shape), shaped(x0, shape));
            }
        };
    }
}
