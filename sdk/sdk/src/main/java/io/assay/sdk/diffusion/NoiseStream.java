package io.assay.sdk.diffusion;

import io.assay.sdk.tensor.Tensor;

/**
 * A seeded stream of standard-normal noise for one run. Not thread-safe.
 *
 * <p>Draws are sequential: the initial latents first, then whatever the run draws later (a stochastic scheduler's
 * per-step noise, the noise img2img adds, an autoencoder's latent sample), in call order, as one
 * {@code torch.Generator} passed through a diffusers pipeline would serve them.
 */
public interface NoiseStream {

    /** The next {@code shape}-sized block of N(0, 1) noise. */
    Tensor draw(long[] shape);

    /**
     * The noise a stochastic scheduler step draws at loop iteration {@code iteration}. By default the next
     * sequential draw; a replaying stream serves the recording of that iteration instead.
     */
    default Tensor drawForStep(int iteration, long[] shape) {
        return draw(shape);
    }
}
