package io.assay.sdk.diffusion;

import static java.util.Objects.requireNonNull;

import io.assay.sdk.tensor.Tensor;

/**
 * A text encoder's output for a batch of prompts.
 *
 * @param hiddenStates {@code [B, L, D]}: what the denoiser cross-attends to ({@code L} = 77 per window for CLIP)
 * @param pooled {@code [B, D']}: one vector per prompt (CLIP's pooled output), or {@code null} if the encoder has none
 */
public record Conditioning(Tensor hiddenStates, Tensor pooled) {

    /** Validates the ranks. */
    public Conditioning {
        requireNonNull(hiddenStates, "hiddenStates is null");
        if (hiddenStates.rank() != 3) {
            throw new IllegalArgumentException("hidden states must be [B, L, D] but are " + hiddenStates.shapeString());
        }
        if (pooled != null && (pooled.rank() != 2 || pooled.dim(0) != hiddenStates.dim(0))) {
            throw new IllegalArgumentException("pooled output must be [B, D] with B = " + hiddenStates.dim(0)
                    + " but is " + pooled.shapeString());
        }
    }
}
