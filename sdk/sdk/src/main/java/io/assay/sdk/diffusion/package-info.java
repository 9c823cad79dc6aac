/**
 * The generation stages and the values they exchange.
 *
 * <p>One run, as the host's engine drives it:
 * <pre>
 * TextEncoder.encode(prompt, negative) ─► NoiseSource.open(seed).draw(latent shape)
 *   ─► Scheduler.plan(steps) ─► for each iteration i:
 *        Guidance.Run.needs(i) → Denoiser.predict (one batched call) → Guidance.Run.combine → Sampling.step
 *   ─► Autoencoder.decode
 * </pre>
 * The engine owns the loop, batching and buffers; each stage owns its math. Latents handed between stages are
 * always <em>scaled</em> latents (the autoencoder's {@link io.assay.sdk.diffusion.Autoencoder#scalingFactor()}
 * already applied), shape {@code [B, C, H/f, W/f]}.
 */
package io.assay.sdk.diffusion;
