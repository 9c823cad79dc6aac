package io.assay.sdk.diffusion;

import io.assay.sdk.Stage;

/**
 * Seed → noise. A seed must mean the same noise on every machine: the same seed and the same sequence of draws give
 * bit-identical tensors.
 */
public interface NoiseSource extends Stage {

    /** Opens a stream positioned at {@code seed}. Each call returns an independent stream. */
    NoiseStream open(long seed);
}
