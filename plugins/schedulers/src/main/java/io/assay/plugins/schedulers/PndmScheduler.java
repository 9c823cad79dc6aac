package io.assay.plugins.schedulers;

import io.assay.sdk.Component;
import io.assay.sdk.StageContext;
import io.assay.sdk.diffusion.NoiseStream;
import io.assay.sdk.diffusion.PredictionType;
import io.assay.sdk.diffusion.Scheduler;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import org.pf4j.Extension;

/**
 * Pseudo linear multistep (PLMS, Liu et al. 2022), as diffusers v0.23.1's {@code PNDMScheduler} with
 * {@code skip_prk_steps = true} (Stable Diffusion's setting): a run of N steps has N + 1 iterations, the second
 * timestep repeated ({@code 951, 901, 901, 851, …}); the first two iterations form a second-order warm-up step, then
 * Adams–Bashforth combinations of up to four model outputs follow. The Runge–Kutta warm-up ({@code skip_prk_steps =
 * false}) is not implemented, and like diffusers it supports epsilon and v-prediction only.
 */
@Extension
@Component(name = "pndm", description = "PLMS (diffusers PNDMScheduler, skip_prk_steps)",
        settings = SchedulerSettings.class,
        keys = {"num-train-timesteps", "beta-start", "beta-end", "beta-schedule", "prediction-type", "steps-offset",
                "timestep-spacing", "set-alpha-to-one", "model-dir"})
public final class PndmScheduler extends AbstractDiffusersScheduler {

    static final ClassSpec SPEC = ClassSpec.of("pndm", "PNDMScheduler", ConfigKey.STEPS_OFFSET,
                    ConfigKey.TIMESTEP_SPACING, ConfigKey.SET_ALPHA_TO_ONE)
            .defaultValue(ConfigKey.TIMESTEP_SPACING, "leading")
            .fixed("skip_prk_steps", true)
            .predictionTypes(PredictionType.EPSILON, PredictionType.V_PREDICTION)
            .build();

    /** Creates the scheduler from its settings. */
    @Inject
    public PndmScheduler(SchedulerSettings settings, StageContext context) {
        super(SPEC, settings, context);
    }

    @Override
    Run newRun(int steps) {
        double[] base = spacedTimesteps(steps, true);
        requireInRange(base, steps);
        // plms_timesteps = concat(ts[:-1], ts[-2:-1], ts[-1:])[::-1] on the ascending list: the second entry repeats
        // (with one step, ts[-2:-1] is empty and nothing repeats)
        int n = base.length;
        double[] timesteps = new double[n + 1];
        if (n == 1) {
            timesteps = new double[] {base[0]};
        } else {
            timesteps[0] = base[0];
            timesteps[1] = base[1];
            System.arraycopy(base, 1, timesteps, 2, n - 1);
        }
        int[] ts = toInts(timesteps);
        int stride = config().numTrainTimesteps() / steps;
        return new Run(steps, timesteps) {
            private final List<float[]> ets = new ArrayList<>();
            private float[] curSample;
            private int counter;

            @Override
            Scheduler.Step advance(float[] model, int i, float[] x, long[] shape, NoiseStream noise) {
                int timestep = ts[i];
                int prevTimestep = timestep - stride;
                if (counter != 1) {
                    while (ets.size() > 3) {
                        ets.remove(0);
                    }
                    ets.add(model.clone());
                } else {
                    prevTimestep = timestep;
                    timestep = timestep + stride;
                }
                int e = ets.size();
                float[] m = new float[x.length];
                float[] sample = x;
                if (e == 1 && counter == 0) {
                    System.arraycopy(model, 0, m, 0, m.length);
                    curSample = x.clone();
                } else if (e == 1 && counter == 1) {
                    float[] e1 = ets.get(0);
                    for (int j = 0; j < m.length; j++) {
                        m[j] = (model[j] + e1[j]) / 2f;
                    }
                    sample = curSample;
                    curSample = null;
                } else if (e == 2) {
                    float[] e1 = ets.get(1);
                    float[] e2 = ets.get(0);
                    for (int j = 0; j < m.length; j++) {
                        m[j] = (3f * e1[j] - e2[j]) / 2f;
                    }
                } else if (e == 3) {
                    float[] e1 = ets.get(2);
                    float[] e2 = ets.get(1);
                    float[] e3 = ets.get(0);
                    for (int j = 0; j < m.length; j++) {
                        m[j] = (23f * e1[j] - 16f * e2[j] + 5f * e3[j]) / 12f;
                    }
                } else {
                    float[] e1 = ets.get(3);
                    float[] e2 = ets.get(2);
                    float[] e3 = ets.get(1);
                    float[] e4 = ets.get(0);
                    float c = (float) (1.0 / 24);
                    for (int j = 0; j < m.length; j++) {
                        m[j] = c * (55f * e1[j] - 59f * e2[j] + 37f * e3[j] - 9f * e4[j]);
                    }
                }
                float[] out = previousSample(sample, timestep, prevTimestep, m);
                counter++;
                return new Scheduler.Step(shaped(out, shape), null);
            }
        };
    }

    /** Diffusers' {@code _get_prev_sample} (formula (9) of the PNDM paper). */
    private float[] previousSample(float[] sample, int timestep, int prevTimestep, float[] modelOutput) {
        float alphaProd = schedule().alphaCumprod(timestep);
        float alphaProdPrev = alphaCumprodOrFinal(prevTimestep);
        float betaProd = 1f - alphaProd;
        float betaProdPrev = 1f - alphaProdPrev;
        int n = sample.length;
        float[] m = modelOutput;
        if (predictionType() == PredictionType.V_PREDICTION) {
            float a = Numerics.sqrt(alphaProd);
            float b = Numerics.sqrt(betaProd);
            m = new float[n];
            for (int j = 0; j < n; j++) {
                m[j] = a * modelOutput[j] + b * sample[j];
            }
        }
        float sampleCoeff = Numerics.sqrt(alphaProdPrev / alphaProd);
        float denom = alphaProd * Numerics.sqrt(betaProdPrev) + Numerics.sqrt(alphaProd * betaProd * alphaProdPrev);
        float diff = alphaProdPrev - alphaProd;
        float[] out = new float[n];
        for (int j = 0; j < n; j++) {
            out[j] = sampleCoeff * sample[j] - diff * m[j] / denom;
        }
        return out;
    }
}
