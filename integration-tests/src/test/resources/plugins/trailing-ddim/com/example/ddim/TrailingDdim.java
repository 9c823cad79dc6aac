package com.example.ddim;

import io.assay.sdk.Component;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageContext;
import io.assay.sdk.StageException;
import io.assay.sdk.diffusion.NoiseStream;
import io.assay.sdk.diffusion.PredictionType;
import io.assay.sdk.diffusion.Scheduler;
import io.assay.sdk.tensor.Tensor;

/**
 * Deterministic DDIM (η = 0) with scaled-linear betas over trailing timesteps t_i = round(T − i·T/N) − 1, so the first
 * timestep is T − 1: what the model's num_train_timesteps says is directly visible in a run's trace.
 */
@org.pf4j.Extension
@Component(name = "trailing-ddim", description = "DDIM over trailing timesteps (test plugin)",
        settings = TrailingDdimSettings.class)
public final class TrailingDdim implements Scheduler {

    private final TrailingDdimSettings settings;
    private final double[] alphasCumprod;

    @jakarta.inject.Inject
    public TrailingDdim(TrailingDdimSettings settings, StageContext context) {
        this.settings = settings;
        int t = settings.trainTimesteps();
        alphasCumprod = new double[t];
        double a = 1;
        double s0 = Math.sqrt(settings.betaStart());
        double s1 = Math.sqrt(settings.betaEnd());
        for (int i = 0; i < t; i++) {
            double sb = s0 + (s1 - s0) * i / (t - 1);
            a *= 1 - sb * sb;
            alphasCumprod[i] = a;
        }
        context.trace().record("schedule", java.util.Map.of("trainTimesteps", t, "modelFiles",
                String.valueOf(context.model().files())));
    }

    @Override
    public PredictionType predictionType() {
        return settings.predictionType().equals("v_prediction") ? PredictionType.V_PREDICTION : PredictionType.EPSILON;
    }

    @Override
    public Sampling plan(int steps) {
        int t = settings.trainTimesteps();
        if (steps < 1 || steps > t) {
            throw new StageException(ErrorCode.INVALID_INPUT, "steps must be in [1, " + t + "], got " + steps);
        }
        int[] ts = new int[steps];
        for (int i = 0; i < steps; i++) {
            ts[i] = (int) Math.round(t - (double) i * t / steps) - 1;
        }
        boolean v = predictionType() == PredictionType.V_PREDICTION;
        return new Sampling() {
            @Override
            public int iterations() {
                return steps;
            }

            @Override
            public double timestep(int i) {
                return ts[i];
            }

            @Override
            public double sigma(int i) {
                double a = alphasCumprod[ts[i]];
                return Math.sqrt((1 - a) / a);
            }

            @Override
            public double initNoiseSigma() {
                return 1;
            }

            @Override
            public Tensor scaleModelInput(Tensor sample, int i) {
                return sample.copy();
            }

            @Override
            public Step step(Tensor out, int i, Tensor sample, NoiseStream noise) {
                double a = alphasCumprod[ts[i]];
                double ap = i + 1 < steps ? alphasCumprod[ts[i + 1]] : 1.0;
                float[] x = sample.data();
                float[] o = out.data();
                float[] prev = new float[x.length];
                float[] x0 = new float[x.length];
                for (int k = 0; k < x.length; k++) {
                    double eps = v ? Math.sqrt(a) * o[k] + Math.sqrt(1 - a) * x[k] : o[k];
                    double clean = v ? Math.sqrt(a) * x[k] - Math.sqrt(1 - a) * o[k]
                            : (x[k] - Math.sqrt(1 - a) * eps) / Math.sqrt(a);
                    x0[k] = (float) clean;
                    prev[k] = (float) (Math.sqrt(ap) * clean + Math.sqrt(1 - ap) * eps);
                }
                return new Step(new Tensor(sample.shape(), prev), new Tensor(sample.shape(), x0));
            }

            @Override
            public Tensor addNoise(Tensor original, Tensor n, int i) {
                double a = alphasCumprod[ts[i]];
                float[] x = original.data();
                float[] e = n.data();
                float[] o = new float[x.length];
                for (int k = 0; k < x.length; k++) {
                    o[k] = (float) (Math.sqrt(a) * x[k] + Math.sqrt(1 - a) * e[k]);
                }
                return new Tensor(original.shape(), o);
            }

            @Override
            public int firstIteration(int n, double strength) {
                return n - Math.min((int) (n * strength), n);
            }
        };
    }
}
