package io.assay.plugins.schedulers;

import io.assay.sdk.Component;
import io.assay.sdk.StageContext;
import io.assay.sdk.diffusion.NoiseStream;
import io.assay.sdk.diffusion.Scheduler;
import jakarta.inject.Inject;
import org.pf4j.Extension;

/**
 * DPM-Solver++ multistep (Lu et al. 2022), as diffusers v0.23.1's {@code DPMSolverMultistepScheduler} with
 * {@code algorithm_type = "dpmsolver++"} and {@code solver_type = "midpoint"}: data-prediction updates in
 * half-log-SNR λ, first order on the first step, then order {@code solver-order} (default 2: "DPM++ 2M") from the
 * stored predictions of the previous steps. {@code lower-order-final} lowers the order of the last steps only for
 * runs under 15 steps, as in this diffusers version. One deliberate difference: a third-order step over a zero
 * λ interval (the repeated final Karras σ) returns its h → 0 limit, the unchanged sample, where diffusers 0.23.1
 * computes 0/0 and returns NaN. The sample lives in the DDPM space (no input scaling, initial
 * noise σ 1), and the σ table ends at σ(t = 0), not 0.
 */
@Extension
@Component(name = "dpmpp-2m", description = "DPM-Solver++ 2M (diffusers DPMSolverMultistepScheduler)",
        settings = SchedulerSettings.class,
        keys = {"num-train-timesteps", "beta-start", "beta-end", "beta-schedule", "prediction-type", "steps-offset",
                "timestep-spacing", "use-karras-sigmas", "solver-order", "lower-order-final", "model-dir"})
public class DpmSolverMultistepScheduler extends AbstractDiffusersScheduler {

    static final ClassSpec SPEC = spec("dpmpp-2m").build();

    /** Creates the scheduler from its settings. */
    @Inject
    public DpmSolverMultistepScheduler(SchedulerSettings settings, StageContext context) {
        this(SPEC, settings, context);
    }

    DpmSolverMultistepScheduler(ClassSpec spec, SchedulerSettings settings, StageContext context) {
        super(spec, settings, context);
    }

    static ClassSpec.Builder spec(String component) {
        return ClassSpec.of(component, "DPMSolverMultistepScheduler", ConfigKey.SOLVER_ORDER,
                        ConfigKey.LOWER_ORDER_FINAL, ConfigKey.USE_KARRAS_SIGMAS, ConfigKey.TIMESTEP_SPACING,
                        ConfigKey.STEPS_OFFSET)
                .defaultValue(ConfigKey.TIMESTEP_SPACING, "linspace")
                .fixed("thresholding", false)
                .fixed("algorithm_type", "dpmsolver++")
                .fixed("solver_type", "midpoint")
                .fixed("euler_at_final", false)
                .fixed("use_lu_lambdas", false)
                .fixed("lambda_min_clipped", Double.NEGATIVE_INFINITY)
                .fixed("variance_type", null)
                .inert("dynamic_thresholding_ratio", "sample_max_value");
    }

    @Override
    final Run newRun(int steps) {
        int train = config().numTrainTimesteps();
        double[] timesteps;
        switch (config().timestepSpacing()) {
            case "linspace" -> {
                double[] lin = Numerics.linspace(0, train - 1, steps + 1);
                timesteps = new double[steps];
                for (int i = 0; i < steps; i++) {
                    timesteps[i] = Numerics.round(lin[steps - i]);
                }
            }
            case "leading" -> {
                int ratio = train / (steps + 1);
                timesteps = new double[steps];
                for (int i = 0; i < steps; i++) {
                    timesteps[i] = (double) (steps - i) * ratio + config().stepsOffset();
                }
            }
            case "trailing" -> timesteps = trailingTimesteps(steps);
            default -> throw new IllegalStateException("validated spacing " + config().timestepSpacing());
        }
        requireInRange(timesteps, steps);
        float[] table = schedule().sigmaTable();
        float[] sigmas = new float[timesteps.length + 1];
        if (config().useKarrasSigmas()) {
            double[] karras = Numerics.karras(table[0], table[train - 1], steps);
            timesteps = new double[karras.length];
            for (int i = 0; i < karras.length; i++) {
                timesteps[i] = Numerics.round(Numerics.sigmaToT(karras[i], schedule().logSigmaTable()));
                sigmas[i] = (float) karras[i];
            }
            sigmas[karras.length] = sigmas[karras.length - 1];
        } else {
            for (int i = 0; i < timesteps.length; i++) {
                sigmas[i] = (float) schedule().sigmaAt(timesteps[i]);
            }
            sigmas[timesteps.length] = table[0];
        }
        // Karras timesteps may repeat (… 2, 1, 1, 0 for 50 steps); diffusers 0.23.1 keeps the repeats.
        return new DpmRun(steps, timesteps, sigmas);
    }

    private final class DpmRun extends Run {

        private final float[] sigmas;
        private final int order = config().solverOrder();
        private final boolean lowerOrderFinal = config().lowerOrderFinal();
        /** The converted model outputs (x0 predictions) of the latest steps, oldest first. */
        private final float[][] modelOutputs = new float[order][];
        private int lowerOrderNums;

        DpmRun(int steps, double[] timesteps, float[] sigmas) {
            super(steps, timesteps);
            this.sigmas = sigmas;
        }

        @Override
        public double sigma(int i) {
            return sigmas[checkIteration(i)];
        }

        @Override
        Scheduler.Step advance(float[] model, int i, float[] x, long[] shape, NoiseStream noise) {
            int count = timesteps.length;
            boolean lastStep = i == count - 1 && lowerOrderFinal && count < 15;
            boolean secondLastStep = i == count - 2 && lowerOrderFinal && count < 15;
            float[] x0 = convert(model, x, sigmas[i]);
            System.arraycopy(modelOutputs, 1, modelOutputs, 0, order - 1);
            modelOutputs[order - 1] = x0;
            float[] out;
            if (order == 1 || lowerOrderNums < 1 || lastStep) {
                out = firstOrder(x0, i, x);
            } else if (order == 2 || lowerOrderNums < 2 || secondLastStep) {
                out = secondOrder(i, x);
            } else {
                out = thirdOrder(i, x);
            }
            if (lowerOrderNums < order) {
                lowerOrderNums++;
            }
            return new Scheduler.Step(shaped(out, shape), shaped(x0.clone(), shape));
        }

        /** The data prediction x0 (diffusers' {@code convert_model_output} for dpmsolver++). */
        private float[] convert(float[] model, float[] x, float sigma) {
            float alpha = alphaOf(sigma);
            float sigmaT = sigma * alpha;
            float[] out = new float[x.length];
            switch (predictionType()) {
                case EPSILON -> {
                    for (int j = 0; j < out.length; j++) {
                        out[j] = (x[j] - sigmaT * model[j]) / alpha;
                    }
                }
                case SAMPLE -> System.arraycopy(model, 0, out, 0, out.length);
                case V_PREDICTION -> {
                    for (int j = 0; j < out.length; j++) {
                        out[j] = alpha * x[j] - sigmaT * model[j];
                    }
                }
                default -> throw new IllegalStateException("unknown prediction type " + predictionType());
            }
            return out;
        }

        private float alphaOf(float sigma) {
            return 1f / Numerics.sqrt(sigma * sigma + 1f);
        }

        private float lambda(float sigma) {
            float alpha = alphaOf(sigma);
            return Numerics.log(alpha) - Numerics.log(sigma * alpha);
        }

        private float[] firstOrder(float[] m, int i, float[] x) {
            float sigmaT = sigmas[i + 1];
            float sigmaS = sigmas[i];
            float alphaT = alphaOf(sigmaT);
            float h = lambda(sigmaT) - lambda(sigmaS);
            float a = (sigmaT * alphaT) / (sigmaS * alphaOf(sigmaS));
            float b = alphaT * (Numerics.exp(-h) - 1f);
            float[] out = new float[x.length];
            for (int j = 0; j < out.length; j++) {
                out[j] = a * x[j] - b * m[j];
            }
            return out;
        }

        private float[] secondOrder(int i, float[] x) {
            float sigmaT = sigmas[i + 1];
            float sigmaS0 = sigmas[i];
            float sigmaS1 = sigmas[i - 1];
            float alphaT = alphaOf(sigmaT);
            float lambdaT = lambda(sigmaT);
            float lambdaS0 = lambda(sigmaS0);
            float lambdaS1 = lambda(sigmaS1);
            float[] m0 = modelOutputs[order - 1];
            float[] m1 = modelOutputs[order - 2];
            float h = lambdaT - lambdaS0;
            float h0 = lambdaS0 - lambdaS1;
            float r0 = h0 / h;
            float invR0 = 1f / r0;
            float a = (sigmaT * alphaT) / (sigmaS0 * alphaOf(sigmaS0));
            float b = alphaT * (Numerics.exp(-h) - 1f);
            float c = 0.5f * b;
            float[] out = new float[x.length];
            for (int j = 0; j < out.length; j++) {
                float d1 = invR0 * (m0[j] - m1[j]);
                out[j] = a * x[j] - b * m0[j] - c * d1;
            }
            return out;
        }

        private float[] thirdOrder(int i, float[] x) {
            float sigmaT = sigmas[i + 1];
            float sigmaS0 = sigmas[i];
            float sigmaS1 = sigmas[i - 1];
            float sigmaS2 = sigmas[i - 2];
            float alphaT = alphaOf(sigmaT);
            float lambdaT = lambda(sigmaT);
            float lambdaS0 = lambda(sigmaS0);
            float lambdaS1 = lambda(sigmaS1);
            float lambdaS2 = lambda(sigmaS2);
            float[] m0 = modelOutputs[order - 1];
            float[] m1 = modelOutputs[order - 2];
            float[] m2 = modelOutputs[order - 3];
            float h = lambdaT - lambdaS0;
            if (h == 0) {
                // sigma_next == sigma (Karras's repeated final sigma): diffusers 0.23.1 computes 0/0 = NaN here;
                // the h -> 0 limit of its formula is the identity, which is what this step returns.
                return x.clone();
            }
            float h0 = lambdaS0 - lambdaS1;
            float h1 = lambdaS1 - lambdaS2;
            float r0 = h0 / h;
            float r1 = h1 / h;
            float invR0 = 1f / r0;
            float invR1 = 1f / r1;
            float w = r0 / (r0 + r1);
            float invSum = 1f / (r0 + r1);
            float expm1 = Numerics.exp(-h) - 1f;
            float a = (sigmaT * alphaT) / (sigmaS0 * alphaOf(sigmaS0));
            float b = alphaT * expm1;
            float c = alphaT * (expm1 / h + 1f);
            float d = alphaT * ((expm1 + h) / (h * h) - 0.5f);
            float[] out = new float[x.length];
            for (int j = 0; j < out.length; j++) {
                float d10 = invR0 * (m0[j] - m1[j]);
                float d11 = invR1 * (m1[j] - m2[j]);
                float d1 = d10 + w * (d10 - d11);
                float d2 = invSum * (d10 - d11);
                out[j] = a * x[j] - b * m0[j] + c * d1 - d * d2;
            }
            return out;
        }
    }
}
