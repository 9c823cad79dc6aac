package io.assay.plugins.schedulers;

import io.assay.sdk.Component;
import io.assay.sdk.StageContext;
import io.assay.sdk.diffusion.NoiseStream;
import io.assay.sdk.diffusion.Scheduler;
import jakarta.inject.Inject;
import org.pf4j.Extension;

/**
 * Denoising diffusion implicit models (Song et al. 2020), as diffusers v0.23.1's {@code DDIMScheduler}:
 * {@code x' = sqrt(ᾱ_prev)·x0 + sqrt(1 − ᾱ_prev − σ_t²)·ε (+ σ_t·z)} with {@code σ_t = η·sqrt(variance)}.
 *
 * <p>Deterministic with the default {@code eta = 0}; with {@code eta > 0} each step draws one sample-shaped block
 * from {@link NoiseStream#drawForStep}, where diffusers draws its variance noise.
 */
@Extension
@Component(name = "ddim", description = "DDIM (diffusers DDIMScheduler)", settings = SchedulerSettings.class,
        keys = {"num-train-timesteps", "beta-start", "beta-end", "beta-schedule", "prediction-type", "steps-offset",
                "timestep-spacing", "set-alpha-to-one", "clip-sample", "clip-sample-range", "eta", "model-dir"})
public final class DdimScheduler extends AbstractDiffusersScheduler {

    static final ClassSpec SPEC = ClassSpec.of("ddim", "DDIMScheduler", ConfigKey.STEPS_OFFSET,
                    ConfigKey.TIMESTEP_SPACING, ConfigKey.SET_ALPHA_TO_ONE, ConfigKey.CLIP_SAMPLE,
                    ConfigKey.CLIP_SAMPLE_RANGE, ConfigKey.ETA)
            .defaultValue(ConfigKey.TIMESTEP_SPACING, "leading")
            .fixed("thresholding", false)
            .fixed("rescale_betas_zero_snr", false)
            .inert("dynamic_thresholding_ratio", "sample_max_value")
            .build();

    /** Creates the scheduler from its settings. */
    @Inject
    public DdimScheduler(SchedulerSettings settings, StageContext context) {
        super(SPEC, settings, context);
    }

    @Override
    Run newRun(int steps) {
        double[] timesteps = spacedTimesteps(steps, true);
        requireInRange(timesteps, steps);
        int[] ts = toInts(timesteps);
        int stride = config().numTrainTimesteps() / steps;
        float eta = (float) config().eta();
        return new Run(steps, timesteps) {
            @Override
            Scheduler.Step advance(float[] model, int i, float[] x, long[] shape, NoiseStream noise) {
                int t = ts[i];
                int prevT = t - stride;
                float alphaProd = schedule().alphaCumprod(t);
                float alphaProdPrev = alphaCumprodOrFinal(prevT);
                float betaProd = 1f - alphaProd;
                float sqrtAlpha = Numerics.sqrt(alphaProd);
                float sqrtBeta = Numerics.sqrt(betaProd);
                int n = x.length;
                float[] x0 = new float[n];
                float[] eps = new float[n];
                switch (predictionType()) {
                    case EPSILON -> {
                        for (int j = 0; j < n; j++) {
                            x0[j] = (x[j] - sqrtBeta * model[j]) / sqrtAlpha;
                        }
                        System.arraycopy(model, 0, eps, 0, n);
                    }
                    case SAMPLE -> {
                        System.arraycopy(model, 0, x0, 0, n);
                        for (int j = 0; j < n; j++) {
                            eps[j] = (x[j] - sqrtAlpha * x0[j]) / sqrtBeta;
                        }
                    }
                    case V_PREDICTION -> {
                        for (int j = 0; j < n; j++) {
                            x0[j] = sqrtAlpha * x[j] - sqrtBeta * model[j];
                            eps[j] = sqrtAlpha * model[j] + sqrtBeta * x[j];
                        }
                    }
                    default -> throw new IllegalStateException("unknown prediction type " + predictionType());
                }
                if (config().clipSample()) {
                    clamp(x0, config().clipSampleRange());
                }
                // _get_variance: (beta_prev / beta) * (1 - alpha / alpha_prev)
                float betaProdPrev = 1f - alphaProdPrev;
                float variance = betaProdPrev / betaProd * (1f - alphaProd / alphaProdPrev);
                float stdDev = eta * Numerics.sqrt(variance);
                float dirCoeff = Numerics.sqrt(1f - alphaProdPrev - stdDev * stdDev);
                float sqrtAlphaPrev = Numerics.sqrt(alphaProdPrev);
                float[] z = eta > 0 ? drawNoise(noise, i, shape) : null;
                float[] out = new float[n];
                for (int j = 0; j < n; j++) {
                    float direction = dirCoeff * eps[j];
                    float prev = sqrtAlphaPrev * x0[j] + direction;
                    out[j] = z == null ? prev : prev + stdDev * z[j];
                }
                return new Scheduler.Step(shaped(out, shape), shaped(x0, shape));
            }
        };
    }
}
