package io.assay.plugins.schedulers;

import io.assay.sdk.StageContext;
import io.assay.sdk.tensor.Tensor;

/**
 * The k-diffusion-style schedulers (LMS, Euler, Euler-a, Heun): they walk a table of σ values, the sample lives at
 * scale {@code sqrt(σ² + 1)}, the model input is divided by that scale, and noising is {@code x0 + σ·noise}.
 *
 * <p>The σ table is built as diffusers builds it: the float32 training σ table interpolated at the (float32)
 * inference timesteps in float64 ({@code numpy.interp}), optionally replaced by Karras sigmas, then cast to float32
 * with a final 0 appended.
 */
public abstract class AbstractSigmaScheduler extends AbstractDiffusersScheduler {

    AbstractSigmaScheduler(ClassSpec spec, SchedulerSettings settings, StageContext context) {
        super(spec, settings, context);
    }

    /**
     * A run's timesteps and σ values ({@code sigmas.length == timesteps.length + 1}, last 0).
     *
     * @param timesteps descending, possibly fractional
     * @param sigmas float32, descending, ending in 0
     */
    record Table(double[] timesteps, float[] sigmas) {
    }

    /** Whether Karras timesteps are kept as float64 (LMS, Heun) rather than cast to float32 (Euler). */
    boolean karrasTimestepsAreDouble() {
        return true;
    }

    /** Builds the timesteps and σ table of an {@code n}-step run. */
    final Table table(int n) {
        double[] timesteps = spacedTimesteps(n, false);
        requireInRange(timesteps, n);
        double[] sigmas = new double[timesteps.length];
        for (int i = 0; i < sigmas.length; i++) {
            sigmas[i] = schedule().sigmaAt(timesteps[i]);
        }
        if (config().useKarrasSigmas()) {
            sigmas = Numerics.karras(sigmas[sigmas.length - 1], sigmas[0], n);
            float[] logSigmas = schedule().logSigmaTable();
            timesteps = new double[sigmas.length];
            for (int i = 0; i < sigmas.length; i++) {
                double t = Numerics.sigmaToT(sigmas[i], logSigmas);
                timesteps[i] = karrasTimestepsAreDouble() ? t : (float) t;
            }
        }
        float[] table = new float[sigmas.length + 1];
        for (int i = 0; i < sigmas.length; i++) {
            table[i] = (float) sigmas[i];
        }
        return new Table(timesteps, table);
    }

    /**
     * A run over a σ table indexed by iteration ({@code sigmas[i]} is iteration {@code i}'s σ, {@code sigmas[i+1]}
     * the next one).
     */
    abstract class SigmaRun extends Run {

        /** Iteration → σ (float32), one more entry than iterations. */
        final float[] sigmas;

        SigmaRun(int steps, double[] timesteps, float[] sigmas) {
            super(steps, timesteps);
            this.sigmas = sigmas;
        }

        @Override
        public double sigma(int i) {
            return sigmas[checkIteration(i)];
        }

        /** {@code max(σ)} for linspace and trailing spacing, else {@code sqrt(max(σ)² + 1)} (float32). */
        @Override
        public double initNoiseSigma() {
            float max = 0;
            for (float s : sigmas) {
                max = Math.max(max, s);
            }
            String spacing = config().timestepSpacing();
            if (spacing.equals("linspace") || spacing.equals("trailing")) {
                return max;
            }
            return Numerics.sqrt(max * max + 1f);
        }

        /** {@code sample / sqrt(σ² + 1)}. */
        @Override
        public Tensor scaleModelInput(Tensor sample, int i) {
            float sigma = sigmas[checkIteration(i)];
            float scale = Numerics.sqrt(sigma * sigma + 1f);
            float[] x = sample.data();
            float[] out = new float[x.length];
            for (int j = 0; j < out.length; j++) {
                out[j] = x[j] / scale;
            }
            return new Tensor(sample.shape(), out);
        }

        /** {@code original + noise·σ}. */
        @Override
        public Tensor addNoise(Tensor original, Tensor noise, int i) {
            requireSameShape("noise", noise, original);
            float sigma = sigmas[checkIteration(i)];
            float[] x = original.data();
            float[] n = noise.data();
            float[] out = new float[x.length];
            for (int j = 0; j < out.length; j++) {
                out[j] = x[j] + n[j] * sigma;
            }
            return new Tensor(original.shape(), out);
        }

        /**
         * The predicted clean sample at σ (diffusers' {@code pred_original_sample}): {@code x − σ·m} (epsilon),
         * {@code m·(−σ/sqrt(σ²+1)) + x/(σ²+1)} (v), or {@code m} (sample).
         */
        final float[] predictOriginal(float[] model, float[] x, float sigma) {
            float[] out = new float[x.length];
            switch (predictionType()) {
                case EPSILON -> {
                    for (int j = 0; j < out.length; j++) {
                        out[j] = x[j] - sigma * model[j];
                    }
                }
                case V_PREDICTION -> {
                    float s2 = sigma * sigma + 1f;
                    float c = -sigma / Numerics.sqrt(s2);
                    for (int j = 0; j < out.length; j++) {
                        out[j] = model[j] * c + x[j] / s2;
                    }
                }
                case SAMPLE -> System.arraycopy(model, 0, out, 0, out.length);
                default -> throw new IllegalStateException("unknown prediction type " + predictionType());
            }
            return out;
        }
    }
}
