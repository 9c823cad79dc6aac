package io.assay.lib.forge;

import java.util.Arrays;

/**
 * Shapes of a diffusers {@code AutoencoderKL} (Stable Diffusion's VAE): RGB in and out, 4 latent channels, one
 * ×2 down/up sampling between consecutive blocks.
 *
 * @param blockOut       {@code block_out_channels}
 * @param layersPerBlock {@code layers_per_block}
 * @param sampleSize     {@code sample_size} (default image side)
 * @param scalingFactor  {@code scaling_factor}
 */
public record VaeSpec(int[] blockOut, int layersPerBlock, int sampleSize, double scalingFactor) {

    /** GroupNorm groups. */
    public static final int GROUPS = 32;
    /** Latent channels. */
    public static final int LATENT = 4;

    /** Validates the shapes. */
    public VaeSpec {
        blockOut = blockOut.clone();
        if (blockOut.length < 1 || layersPerBlock <= 0) {
            throw new IllegalArgumentException("vae: need >= 1 block and layers_per_block > 0; found "
                    + Arrays.toString(blockOut) + ", " + layersPerBlock);
        }
        for (int c : blockOut) {
            if (c % GROUPS != 0) {
                throw new IllegalArgumentException("vae: width " + c + " must be a multiple of " + GROUPS + " groups");
            }
        }
    }

    @Override
    public int[] blockOut() {
        return blockOut.clone();
    }

    /** Image side / latent side. */
    public int downsamplingFactor() {
        return 1 << (blockOut.length - 1);
    }
}
