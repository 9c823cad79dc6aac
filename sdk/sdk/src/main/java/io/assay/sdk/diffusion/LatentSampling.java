package io.assay.sdk.diffusion;

/** How an autoencoder turns an image's latent distribution into latents. */
public enum LatentSampling {
    /** The distribution's mean: deterministic. */
    MEAN,
    /** A sample {@code mean + std·noise}, the noise drawn from the run's {@link NoiseStream}. */
    SAMPLE
}
