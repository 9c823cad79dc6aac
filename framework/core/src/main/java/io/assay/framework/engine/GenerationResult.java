package io.assay.framework.engine;

import io.assay.sdk.tensor.RgbImage;
import io.assay.sdk.tensor.Tensor;
import java.util.List;
import java.util.Map;

/**
 * What a run produced.
 *
 * @param images one 8-bit image per batch item
 * @param decoded the decoder output {@code [B, 3, H, W]}, unclamped
 * @param initialLatents the latents the loop started from (after {@code initNoiseSigma} or image noising)
 * @param initialNoise the unit-normal noise drawn for the start (its hash is the run's noise identity)
 * @param finalLatents the latents handed to the decoder
 * @param iterations the loop iterations executed
 * @param denoiserCalls batched denoiser calls made
 * @param guidance what the guidance did ({@code Guidance.Run.describe()})
 * @param timingsMillis wall time per stage: text-encoder, denoiser, guidance, scheduler, autoencoder, total
 */
public record GenerationResult(List<RgbImage> images, Tensor decoded, Tensor initialLatents, Tensor initialNoise,
        Tensor finalLatents, int iterations, int denoiserCalls, String guidance, Map<String, Double> timingsMillis) {
}
