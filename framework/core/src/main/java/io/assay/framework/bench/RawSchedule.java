package io.assay.framework.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;

/**
 * The scheduler arithmetic of the raw loop, written out plainly from a model's {@code scheduler_config.json}: the
 * training noise schedule ({@code scaled_linear} or {@code linear} betas), the inference timesteps ({@code leading},
 * {@code trailing} or {@code linspace} spacing) and one step of Euler (diffusers' {@code EulerDiscreteScheduler}) or
 * DDIM with η = 0, for epsilon or v-prediction models. No framework types: this is what a hand-written ONNX Runtime
 * program does around its model calls.
 */
final class RawSchedule {

    /** Which update rule. */
    enum Kind { EULER, DDIM }

    private final Kind kind;
    private final boolean vPrediction;
    private final int trainSteps;
    private final double[] alphasCumprod;
    private final double finalAlphaCumprod;
    /** Timesteps of the run, descending (Euler with linspace spacing: fractional; the U-Net gets them truncated). */
    final double[] timesteps;
    /** Euler: σ per iteration plus a final 0; DDIM: unused. */
    final double[] sigmas;
    private final int stride;
    private final String spacing;

    RawSchedule(JsonNode config, Kind kind, int steps) {
        this.kind = kind;
        this.trainSteps = config.path("num_train_timesteps").asInt(1000);
        double betaStart = config.path("beta_start").asDouble(0.00085);
        double betaEnd = config.path("beta_end").asDouble(0.012);
        String schedule = config.path("beta_schedule").asText("scaled_linear");
        this.vPrediction = "v_prediction".equals(config.path("prediction_type").asText("epsilon"));
        int offset = config.path("steps_offset").asInt(0);
        // Each diffusers class has its own default spacing when the config names none.
        this.spacing = config.path("timestep_spacing").asText(kind == Kind.EULER ? "linspace" : "leading");
        if (steps < 1 || steps > trainSteps) {
            throw new StageException(ErrorCode.INVALID_INPUT, "steps must be in 1.." + trainSteps + " but is "
                    + steps);
        }
        alphasCumprod = new double[trainSteps];
        double prod = 1;
        for (int i = 0; i < trainSteps; i++) {
            double f = trainSteps == 1 ? 0 : (double) i / (trainSteps - 1);
            double beta = switch (schedule) {
                case "linear" -> betaStart + f * (betaEnd - betaStart);
                case "scaled_linear" -> {
                    double s = Math.sqrt(betaStart) + f * (Math.sqrt(betaEnd) - Math.sqrt(betaStart));
                    yield s * s;
                }
                default -> throw new StageException(ErrorCode.MODEL_INVALID, "scheduler_config.json: beta_schedule '"
                        + schedule + "' is not supported by the raw loop (linear, scaled_linear)");
            };
            prod *= 1 - beta;
            alphasCumprod[i] = (float) prod;
        }
        finalAlphaCumprod = config.path("set_alpha_to_one").asBoolean(false) ? 1.0 : alphasCumprod[0];
        stride = trainSteps / steps;
        timesteps = new double[steps];
        for (int i = 0; i < steps; i++) {
            int up = steps - 1 - i; // ascending index
            timesteps[i] = switch (spacing) {
                case "trailing" -> Math.round(trainSteps - (double) trainSteps / steps * i) - 1;
                case "linspace" -> {
                    // numpy.linspace(0, T - 1, n, dtype=float32): Euler keeps the fractions, DDIM rounds them.
                    float t = (float) ((trainSteps - 1) * (double) up / Math.max(1, steps - 1));
                    yield kind == Kind.EULER ? t : Math.rint(t);
                }
                default -> up * stride + offset;
            };
        }
        // σ(t) = sqrt((1 − ᾱ)/ᾱ) of the training table, linearly interpolated at fractional t (numpy.interp).
        double[] table = new double[trainSteps];
        for (int i = 0; i < trainSteps; i++) {
            table[i] = (float) Math.sqrt((1 - alphasCumprod[i]) / alphasCumprod[i]);
        }
        sigmas = new double[steps + 1];
        for (int i = 0; i < steps; i++) {
            double t = timesteps[i];
            int lo = (int) Math.floor(t);
            int hi = Math.min(lo + 1, trainSteps - 1);
            double f = t - lo;
            sigmas[i] = (float) (table[lo] + f * (table[hi] - table[lo]));
        }
        sigmas[steps] = 0;
    }

    /** What the initial unit-normal noise is multiplied by. */
    double initNoiseSigma() {
        if (kind == Kind.DDIM) {
            return 1;
        }
        double max = 0;
        for (double s : sigmas) {
            max = Math.max(max, s);
        }
        // diffusers: max σ for linspace and trailing spacing, sqrt(max σ² + 1) for leading.
        return spacing.equals("leading") ? (float) Math.sqrt(max * max + 1) : max;
    }

    /** The factor the U-Net input is multiplied by at iteration {@code i}. */
    float inputScale(int i) {
        return kind == Kind.DDIM ? 1f : (float) (1 / Math.sqrt(sigmas[i] * sigmas[i] + 1));
    }

    /** One update of {@code x} in place from the guided model output {@code m} at iteration {@code i}. */
    void step(float[] x, float[] m, int i) {
        if (kind == Kind.EULER) {
            float sigma = (float) sigmas[i];
            float dt = (float) sigmas[i + 1] - sigma;
            float s2 = sigma * sigma + 1f;
            float c = (float) (-sigma / Math.sqrt(s2));
            for (int j = 0; j < x.length; j++) {
                float x0 = vPrediction ? m[j] * c + x[j] / s2 : x[j] - sigma * m[j];
                x[j] = x[j] + (x[j] - x0) / sigma * dt;
            }
            return;
        }
        int t = (int) timesteps[i];
        int prev = t - stride;
        double a = alphasCumprod[t];
        double ap = prev >= 0 ? alphasCumprod[prev] : finalAlphaCumprod;
        float sa = (float) Math.sqrt(a);
        float sb = (float) Math.sqrt(1 - a);
        float sap = (float) Math.sqrt(ap);
        float sbp = (float) Math.sqrt(1 - ap);
        for (int j = 0; j < x.length; j++) {
            float x0;
            float eps;
            if (vPrediction) {
                x0 = sa * x[j] - sb * m[j];
                eps = sa * m[j] + sb * x[j];
            } else {
                x0 = (x[j] - sb * m[j]) / sa;
                eps = m[j];
            }
            x[j] = sap * x0 + sbp * eps;
        }
    }
}
