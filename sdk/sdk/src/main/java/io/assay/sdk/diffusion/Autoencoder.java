package io.assay.sdk.diffusion;

import io.assay.sdk.Stage;
import io.assay.sdk.tensor.Tensor;

/**
 * Image ↔ latent (SD's VAE). Images are {@code [B, 3, H, W]} RGB in nominal [-1, 1]; latents are
 * {@code [B, C, H/f, W/f]} and <em>scaled</em>: {@link #encode} multiplies by {@link #scalingFactor()} and
 * {@link #decode} divides by it.
 */
public interface Autoencoder extends Stage {

    /** {@code f}: the spatial down-sampling factor (8 for SD). */
    int downsamplingFactor();

    /** {@code C}: latent channels (4 for SD). */
    int latentChannels();

    /** The factor giving latents roughly unit variance (0.18215 for SD 1.x). */
    double scalingFactor();

    /**
     * Encodes images to scaled latents.
     *
     * @param image {@code [B, 3, H, W]} in [-1, 1], {@code H} and {@code W} multiples of {@link #downsamplingFactor()}
     * @param sampling mean or sample; {@code SAMPLE} draws from {@code noise}
     * @param noise the run's noise stream (unused for {@code MEAN})
     * @throws io.assay.sdk.StageException {@code UNSUPPORTED} if the component has no encoder
     */
    Tensor encode(Tensor image, LatentSampling sampling, NoiseStream noise);

    /** Decodes scaled latents {@code [B, C, h, w]} to images {@code [B, 3, h·f, w·f]}, unclamped. */
    Tensor decode(Tensor latents);
}
