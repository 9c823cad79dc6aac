package com.example.assay.exampleddim;

import io.assay.sdk.Component;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import io.assay.sdk.diffusion.NoiseStream;
import io.assay.sdk.diffusion.PredictionType;
import io.assay.sdk.diffusion.Scheduler;
import io.assay.sdk.tensor.Tensor;
import jakarta.inject.Inject;
import org.pf4j.Extension;

/**
 * Deterministic DDIM (Song et al. 2020, η = 0) with diffusers' "leading" timestep spacing, written against the SDK
 * alone: {@code x' = sqrt(ᾱ_prev)·x0 + sqrt(1 − ᾱ_prev)·ε} with {@code x0 = (x − sqrt(1 − ᾱ_t)·ε)/sqrt(ᾱ_t)}. Its
 * noise schedule comes from its settings, which the host fills from the model's {@code scheduler_config.json}
 * ({@link ExampleDdimSettings}).
 *
 * <p>Select it with {@code scheduler { name = example-ddim }}; the instance holds configuration only, each
 * {@link #plan} returns an independent run.
 */
@Extension
@Component(name = "example-ddim", description = "Deterministic DDIM (leading spacing) following the model's "
        + "scheduler_config.json", settings = ExampleDdimSettings.class)
public final class ExampleDdim implements Scheduler {

    private final ExampleDdimSettings settings;
    private final double[] alphaCumprod;
    private volatile boolean closed;

    /** The host injects the settings bound from the config block and the model's file. */
    @Inject
    public ExampleDdim(ExampleDdimSettings settings) {
        this.settings = settings;
        // As diffusers computes the schedule: betas in float32 (torch.linspace, squared for scaled_linear), their
        // cumulative product accumulated in float64 and stored as float32.
        int n = settings.numTrainTimesteps();
        alphaCumprod = new double[n];
        boolean linear = settings.betaSchedule().equals("linear");
        double from = linear ? settings.betaStart() : Math.sqrt(settings.betaStart());
        double to = linear ? settings.betaEnd() : Math.sqrt(settings.betaEnd());
        double product = 1;
        for (int t = 0; t < n; t++) {
            float x = (float) (from + (n == 1 ? 0 : (double) t / (n - 1)) * (to - from));
            float beta = linear ? x : x * x;
            product *= 1f - beta;
            alphaCumprod[t] = (float) product;
        }
    }

    @Override
    public PredictionType predictionType() {
        return PredictionType.EPSILON;
    }

    @Override
    public Sampling plan(int steps) {
        if (closed) {
            throw new StageException(ErrorCode.CLOSED, "Component 'example-ddim' was closed");
        }
        int train = settings.numTrainTimesteps();
        if (steps < 1 || steps > train) {
            throw new StageException(ErrorCode.INVALID_INPUT, "Component 'example-ddim' cannot plan " + steps
                    + " steps; expected 1 to " + train + " (num-train-timesteps)");
        }
        int ratio = train / steps;
        int[] timesteps = new int[steps];
        for (int i = 0; i < steps; i++) {
            timesteps[i] = (steps - 1 - i) * ratio + settings.stepsOffset();
            if (timesteps[i] > train - 1) {
                throw new StageException(ErrorCode.INVALID_INPUT, "Component 'example-ddim': " + steps + " steps "
                        + "with steps-offset " + settings.stepsOffset() + " give timestep " + timesteps[i]
                        + ", past the last training timestep " + (train - 1));
            }
        }
        return new Run(timesteps, ratio);
    }

    @Override
    public void close() {
        closed = true;
    }

    /** One planned run; DDIM with η = 0 keeps no state between steps. */
    private final class Run implements Sampling {
        private final int[] timesteps;
        private final int ratio;

        Run(int[] timesteps, int ratio) {
            this.timesteps = timesteps;
            this.ratio = ratio;
        }

        private int t(int i) {
            if (i < 0 || i >= timesteps.length) {
                throw new StageException(ErrorCode.INVALID_INPUT, "Iteration " + i + " is out of range for component "
                        + "'example-ddim'; this run has iterations 0 to " + (timesteps.length - 1));
            }
            return timesteps[i];
        }

        @Override
        public int iterations() {
            return timesteps.length;
        }

        @Override
        public double timestep(int i) {
            return t(i);
        }

        @Override
        public double sigma(int i) {
            double a = alphaCumprod[t(i)];
            return Math.sqrt((1 - a) / a);
        }

        @Override
        public double initNoiseSigma() {
            return 1.0;
        }

        @Override
        public Tensor scaleModelInput(Tensor sample, int i) {
            t(i);
            return sample.copy();
        }

        @Override
        public Step step(Tensor modelOutput, int i, Tensor sample, NoiseStream noise) {
            if (!modelOutput.sameShape(sample)) {
                throw new StageException(ErrorCode.INVALID_INPUT, "Component 'example-ddim': modelOutput has shape "
                        + modelOutput.shapeString() + " but the sample has shape " + sample.shapeString());
            }
            int t = t(i);
            int prev = t - ratio;
            double at = alphaCumprod[t];
            double ap = prev >= 0 ? alphaCumprod[prev] : settings.setAlphaToOne() ? 1 : alphaCumprod[0];
            float[] eps = modelOutput.data();
            float[] x = sample.data();
            float[] x0 = new float[x.length];
            float[] next = new float[x.length];
            for (int j = 0; j < x.length; j++) {
                x0[j] = (float) ((x[j] - Math.sqrt(1 - at) * eps[j]) / Math.sqrt(at));
                next[j] = (float) (Math.sqrt(ap) * x0[j] + Math.sqrt(1 - ap) * eps[j]);
            }
            return new Step(new Tensor(sample.shape(), next), new Tensor(sample.shape(), x0));
        }

        @Override
        public Tensor addNoise(Tensor original, Tensor noise, int i) {
            double a = alphaCumprod[t(i)];
            float[] x = original.data();
            float[] n = noise.data();
            float[] out = new float[x.length];
            for (int j = 0; j < x.length; j++) {
                out[j] = (float) (Math.sqrt(a) * x[j] + Math.sqrt(1 - a) * n[j]);
            }
            return new Tensor(original.shape(), out);
        }

        @Override
        public int firstIteration(int steps, double strength) {
            if (!(strength > 0 && strength <= 1)) {
                throw new StageException(ErrorCode.INVALID_INPUT, "Strength " + strength + " is out of range; "
                        + "expected a number in (0, 1]");
            }
            return steps - Math.min((int) (steps * strength), steps);
        }
    }
}
