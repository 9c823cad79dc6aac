package io.assay.plugins.schedulers;

import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;

/**
 * The training noise schedule shared by every scheduler: betas, cumulative alpha products and the sigma table
 * {@code sqrt((1 − ᾱ)/ᾱ)}, all float32 and computed as diffusers v0.23.1 computes them with PyTorch (betas by
 * {@code torch.linspace} in float32, {@code torch.cumprod} accumulating in float64, sigmas in float32 tensor
 * arithmetic). Immutable.
 */
final class NoiseSchedule {

    private final float[] betas;
    private final float[] alphasCumprod;
    private final float[] sigmas;
    private final float[] logSigmas;

    private NoiseSchedule(float[] betas) {
        this.betas = betas;
        int n = betas.length;
        alphasCumprod = new float[n];
        double acc = 1.0;
        for (int i = 0; i < n; i++) {
            acc *= 1f - betas[i];
            alphasCumprod[i] = (float) acc;
        }
        sigmas = new float[n];
        logSigmas = new float[n];
        for (int i = 0; i < n; i++) {
            float ac = alphasCumprod[i];
            sigmas[i] = Numerics.sqrt((1f - ac) / ac);
            logSigmas[i] = Numerics.log(sigmas[i]);
        }
    }

    /** Builds the schedule of a validated configuration; refuses betas outside (0, 1). */
    static NoiseSchedule of(SchedulerConfig config) {
        int n = config.numTrainTimesteps();
        float[] betas = switch (config.betaSchedule()) {
            case "linear" -> Numerics.torchLinspace((float) config.betaStart(), (float) config.betaEnd(), n);
            case "scaled_linear" -> {
                float[] b = Numerics.torchLinspace((float) Math.sqrt(config.betaStart()),
                        (float) Math.sqrt(config.betaEnd()), n);
                for (int i = 0; i < n; i++) {
                    b[i] = b[i] * b[i];
                }
                yield b;
            }
            case "squaredcos_cap_v2" -> squaredCosine(n);
            default -> throw new IllegalStateException("validated beta schedule " + config.betaSchedule());
        };
        for (int i = 0; i < n; i++) {
            if (!(betas[i] > 0 && betas[i] < 1)) {
                throw new StageException(ErrorCode.INVALID_SETTING, "Component '" + config.component()
                        + "': beta-schedule '" + config.betaSchedule() + "' with beta-start " + config.betaStart()
                        + " and beta-end " + config.betaEnd() + " gives beta[" + i + "] = " + betas[i]
                        + "; every beta must be in (0, 1)");
            }
        }
        return new NoiseSchedule(betas);
    }

    /** The Glide cosine schedule ({@code betas_for_alpha_bar}, max beta 0.999), computed in double. */
    private static float[] squaredCosine(int n) {
        float[] b = new float[n];
        for (int i = 0; i < n; i++) {
            double t1 = (double) i / n;
            double t2 = (double) (i + 1) / n;
            b[i] = (float) Math.min(1 - alphaBar(t2) / alphaBar(t1), 0.999);
        }
        return b;
    }

    private static double alphaBar(double t) {
        double c = StrictMath.cos((t + 0.008) / 1.008 * Math.PI / 2);
        return c * c;
    }

    /** The number of training timesteps. */
    int size() {
        return betas.length;
    }

    /** Beta at training timestep {@code t}. */
    float beta(int t) {
        return betas[t];
    }

    /** ᾱ at training timestep {@code t}. */
    float alphaCumprod(int t) {
        return alphasCumprod[t];
    }

    /** The float32 sigma table, ascending with the timestep (shared array: do not modify). */
    float[] sigmaTable() {
        return sigmas;
    }

    /** The float32 log of {@link #sigmaTable()} (shared array: do not modify). */
    float[] logSigmaTable() {
        return logSigmas;
    }

    /** σ at a possibly fractional timestep, linearly interpolated in the table as {@code numpy.interp} does. */
    double sigmaAt(double t) {
        return Numerics.interp(t, sigmas);
    }

    /** A copy of the betas. */
    float[] betas() {
        return betas.clone();
    }

    /** A copy of the ᾱ table. */
    float[] alphasCumprod() {
        return alphasCumprod.clone();
    }
}
