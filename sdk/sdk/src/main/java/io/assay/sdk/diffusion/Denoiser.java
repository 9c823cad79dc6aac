package io.assay.sdk.diffusion;

import io.assay.sdk.Stage;
import io.assay.sdk.tensor.Tensor;

/**
 * The network that predicts noise (or velocity, or the clean sample) from a noisy latent: a U-Net with
 * cross-attention in Stable Diffusion, but anything with this contract fits.
 */
public interface Denoiser extends Stage {

    /**
     * One batched model call.
     *
     * @param sample {@code [B, C, h, w]}, already passed through the scheduler's {@code scaleModelInput}; not modified
     * @param timestep the scheduler's timestep for this iteration (possibly fractional; how it is fed to the model —
     *     truncated, float, rank 0 — is the denoiser's business)
     * @param encoderHiddenStates {@code [B, L, D]}: the conditioning for each batch row; not modified
     * @return the model output, same shape as {@code sample}, meaning given by {@link #predictionType()}
     */
    Tensor predict(Tensor sample, double timestep, Tensor encoderHiddenStates);

    /** What {@link #predict} returns. */
    PredictionType predictionType();

    /** {@code C}: the latent channels the model takes (4 for SD 1.x/2.x). */
    int latentChannels();

    /** The width {@code D} of the hidden states it cross-attends to, or -1 if the model does not say. */
    int crossAttentionDim();

    /**
     * The most batch rows one {@link #predict} call may take (e.g. a model exported with a fixed batch, or a memory
     * bound), or 0 for no limit (since SDK 1.1; the default). A host with SDK 1.1 splits a step's rows — {@code B}
     * per conditioning the guidance needs — into calls of at most this many.
     */
    default int maxBatch() {
        return 0;
    }
}
