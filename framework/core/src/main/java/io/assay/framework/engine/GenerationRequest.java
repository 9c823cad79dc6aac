package io.assay.framework.engine;

import static java.util.Objects.requireNonNull;

import io.assay.sdk.diffusion.LatentSampling;
import io.assay.sdk.tensor.Tensor;

/**
 * What to generate.
 *
 * @param prompt the prompt
 * @param negative the negative prompt ({@code ""} = the empty unconditional prompt)
 * @param seed the noise seed
 * @param steps inference steps (the scheduler may run more loop iterations)
 * @param width image width in pixels, a multiple of the autoencoder's factor
 * @param height image height in pixels, a multiple of the autoencoder's factor
 * @param batch images per run (all from one noise draw of shape {@code [batch, C, h, w]}, as diffusers does)
 * @param initImage for image-to-image: {@code [1, 3, height, width]} in [-1, 1]; {@code null} for text-to-image
 * @param strength image-to-image strength in (0, 1]
 * @param initSampling how the init image's latents are taken
 */
public record GenerationRequest(String prompt, String negative, long seed, int steps, int width, int height, int batch,
        Tensor initImage, double strength, LatentSampling initSampling) {

    /** Validates. */
    public GenerationRequest {
        requireNonNull(prompt, "prompt is null");
        requireNonNull(negative, "negative is null");
        requireNonNull(initSampling, "initSampling is null");
        if (steps <= 0) {
            throw new IllegalArgumentException("steps must be positive: " + steps);
        }
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("width and height must be positive: " + width + "x" + height);
        }
        if (batch <= 0) {
            throw new IllegalArgumentException("batch must be positive: " + batch);
        }
        if (initImage != null && !(strength > 0 && strength <= 1)) {
            throw new IllegalArgumentException("strength must be in (0, 1]: " + strength);
        }
    }

    /** A text-to-image request. */
    public static GenerationRequest text(String prompt, String negative, long seed, int steps, int width, int height,
            int batch) {
        return new GenerationRequest(prompt, negative, seed, steps, width, height, batch, null, 1.0,
                LatentSampling.MEAN);
    }
}
