package io.assay.lib.forge;

import java.util.Arrays;

/**
 * Shapes of a diffusers {@code UNet2DConditionModel} in Stable Diffusion's layout: down blocks with cross-attention
 * except the last ({@code CrossAttnDownBlock2D} …, {@code DownBlock2D}), a {@code UNetMidBlock2DCrossAttn}, up blocks
 * mirroring them ({@code UpBlock2D}, {@code CrossAttnUpBlock2D} …), 4 latent channels in and out.
 *
 * @param blockOut           {@code block_out_channels}
 * @param layersPerBlock     {@code layers_per_block}
 * @param heads              attention heads per down block (diffusers' {@code attention_head_dim}, which SD 1.x/2.x
 *                           configs use as the head count); the mid block uses the last, up blocks the reverse
 * @param crossAttention     {@code cross_attention_dim} (the text encoder's width)
 * @param linearProjection   {@code use_linear_projection} (SD 2.x: Linear proj_in/proj_out instead of 1×1 convs)
 * @param sampleSize         {@code sample_size} (default latent side)
 */
public record UnetSpec(int[] blockOut, int layersPerBlock, int[] heads, int crossAttention, boolean linearProjection,
        int sampleSize) {

    /** GroupNorm groups. */
    public static final int GROUPS = 32;
    /** Latent channels in and out. */
    public static final int CHANNELS = 4;

    /** Validates the shapes. */
    public UnetSpec {
        blockOut = blockOut.clone();
        heads = heads.clone();
        if (blockOut.length < 2 || heads.length != blockOut.length || layersPerBlock <= 0) {
            throw new IllegalArgumentException("unet: need >= 2 blocks, one head count per block and layers_per_block"
                    + " > 0; found block_out_channels " + Arrays.toString(blockOut) + ", heads "
                    + Arrays.toString(heads) + ", layers_per_block " + layersPerBlock);
        }
        for (int i = 0; i < blockOut.length; i++) {
            if (blockOut[i] % GROUPS != 0 || blockOut[i] % heads[i] != 0) {
                throw new IllegalArgumentException("unet: block " + i + " width " + blockOut[i]
                        + " must be a multiple of " + GROUPS + " groups and of its " + heads[i] + " heads");
            }
        }
    }

    @Override
    public int[] blockOut() {
        return blockOut.clone();
    }

    @Override
    public int[] heads() {
        return heads.clone();
    }

    /** Whether down block {@code i} has cross-attention (all but the last). */
    boolean downAttention(int i) {
        return i < blockOut.length - 1;
    }

    /** Whether up block {@code i} has cross-attention (all but the first). */
    boolean upAttention(int i) {
        return i > 0;
    }

    /** The time embedding width: 4 × the first block's. */
    int timeDim() {
        return 4 * blockOut[0];
    }
}
