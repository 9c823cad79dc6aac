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

    /**
     * Called once before the first denoising iteration: the loop runs iterations {@code firstIteration} …
     * {@code iterations − 1} of a schedule of {@code iterations} loop iterations ({@code firstIteration} is above 0
     * for image-to-image). A replaying stream uses it to accept a recording of either the whole schedule or only the
     * executed iterations. Does nothing by default (since SDK 1.1).
     *
     * @param firstIteration the first iteration the loop runs
     * @param iterations the schedule's loop iterations
     */
    default void beginLoop(int firstIteration, int iterations) {
    }
}
