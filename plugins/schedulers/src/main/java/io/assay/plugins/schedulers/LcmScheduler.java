package io.assay.plugins.schedulers;

import io.assay.sdk.Component;
import io.assay.sdk.StageContext;
import io.assay.sdk.diffusion.NoiseStream;
import io.assay.sdk.diffusion.Recommended;
import io.assay.sdk.diffusion.Scheduler;
import jakarta.inject.Inject;
import org.pf4j.Extension;

/**
 * Latent consistency model sampling (Luo et al. 2023), as diffusers v0.23.1's {@code LCMScheduler}. Timesteps are
 * taken from the distillation schedule {@code c·k − 1} ({@code c = T / original-inference-steps}) from the top, every
 * {@code original-inference-steps / N}-th one ({@code 999, 759, 519, 279} for 4 steps). Each step maps the model's x0
 * through the consistency boundary condition, {@code denoised = c_out·x0 + c_skip·x}, and re-noises it to the next
 * timestep with fresh noise; the run's result is the last step's {@code denoised} ({@link #resultIsDenoised()}).
 *
 * <p>Stochastic: every step except the last draws one sample-shaped block from {@link NoiseStream#drawForStep}.
 * {@code timestep_spacing} and {@code steps_offset} do not apply (diffusers 0.23.1 ignores them for this class).
 */
@Extension
@Recommended(steps = {2, 8}, guidance = {1, 2}, reason = "latent consistency models (LCM, LCM-LoRA) sample in 2 to 8 "
        + "steps with little or no classifier-free guidance; more steps or CFG 7.5 give the wrong content")
@Component(name = "lcm", description = "Latent consistency (diffusers LCMScheduler)",
        settings = SchedulerSettings.class,
        keys = {"num-train-timesteps", "beta-start", "beta-end", "beta-schedule", "prediction-type",
                "set-alpha-to-one", "clip-sample", "clip-sample-range", "original-inference-steps",
                "timestep-scaling", "model-dir"})
public final class LcmScheduler extends AbstractDiffusersScheduler {

    static final ClassSpec SPEC = ClassSpec.of("lcm", "LCMScheduler", ConfigKey.ORIGINAL_INFERENCE_STEPS,
                    ConfigKey.CLIP_SAMPLE, ConfigKey.CLIP_SAMPLE_RANGE, ConfigKey.SET_ALPHA_TO_ONE,
                    ConfigKey.TIMESTEP_SCALING)
            .fixed("thresholding", false)
            .fixed("rescale_betas_zero_snr", false)
            .inert("dynamic_thresholding_ratio", "sample_max_value", "timestep_spacing", "steps_offset")
            .build();

    /** The data standard deviation of the consistency boundary condition. */
    private static final float SIGMA_DATA = 0.5f;

    /** Creates the scheduler from its settings. */
    @Inject
    public LcmScheduler(SchedulerSettings settings, StageContext context) {
        super(SPEC, settings, context);
    }

    @Override
    int maxSteps() {
        return config().originalInferenceSteps();
    }

    @Override
    String maxStepsReason() {
        return "original-inference-steps = " + config().originalInferenceSteps();
    }

    @Override
    Run newRun(int steps) {
        int original = config().originalInferenceSteps();
        int c = config().numTrainTimesteps() / original;
        int skip = original / steps;
        double[] timesteps = new double[steps];
        // lcm_origin_timesteps[::-skip][:steps] with lcm_origin_timesteps = [1..original] * c - 1
        for (int i = 0; i < steps; i++) {
            timesteps[i] = (double) (original - i * skip) * c - 1;
        }
        int[] ts = toInts(timesteps);
        float scaling = (float) config().timestepScaling();
        return new Run(steps, timesteps) {
            @Override
            public boolean resultIsDenoised() {
                return true;
            }

            @Override
            Scheduler.Step advance(float[] model, int i, float[] x, long[] shape, NoiseStream noise) {
                int t = ts[i];
                int prevT = i + 1 < ts.length ? ts[i + 1] : t;
                float alphaProd = schedule().alphaCumprod(t);
                float alphaProdPrev = alphaCumprodOrFinal(prevT);
                float betaProd = 1f - alphaProd;
                float betaProdPrev = 1f - alphaProdPrev;
                // get_scalings_for_boundary_condition_discrete, in float32 (int64 timestep * float -> float32)
                float scaled = (float) t * scaling;
                float scaled2 = scaled * scaled;
                float cSkip = SIGMA_DATA * SIGMA_DATA / (scaled2 + SIGMA_DATA * SIGMA_DATA);
                float cOut = scaled / Numerics.sqrt(scaled2 + SIGMA_DATA * SIGMA_DATA);
                float sqrtAlpha = Numerics.sqrt(alphaProd);
                float sqrtBeta = Numerics.sqrt(betaProd);
                int n = x.length;
                float[] x0 = new float[n];
                switch (predictionType()) {
                    case EPSILON -> {
                        for (int j = 0; j < n; j++) {
                            x0[j] = (x[j] - sqrtBeta * model[j]) / sqrtAlpha;
                        }
                    }
                    case SAMPLE -> System.arraycopy(model, 0, x0, 0, n);
                    case V_PREDICTION -> {
                        for (int j = 0; j < n; j++) {
                            x0[j] = sqrtAlpha * x[j] - sqrtBeta * model[j];
                        }
                    }
                    default -> throw new IllegalStateException("unknown prediction type " + predictionType());
                }
                if (config().clipSample()) {
                    clamp(x0, config().clipSampleRange());
                }
                float[] denoised = new float[n];
                for (int j = 0; j < n; j++) {
                    denoised[j] = cOut * x0[j] + cSkip * x[j];
                }
                float[] prev;
                if (i != steps - 1) {
                    float[] z = drawNoise(noise, i, shape);
                    float a = Numerics.sqrt(alphaProdPrev);
                    float b = Numerics.sqrt(betaProdPrev);
                    prev = new float[n];
                    for (int j = 0; j < n; j++) {
                        prev[j] = a * denoised[j] + b * z[j];
                    }
                } else {
                    prev = denoised.clone();
                }
                return new Scheduler.Step(shaped(prev, shape), shaped(denoised, shape));
            }
        };
    }
}
