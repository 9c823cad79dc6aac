/**
 * The generation stages and the values they exchange.
 *
 * <p>One run, as the host's engine drives it (SDK 1.1):
 * <pre>
 * Guidance.start(prompt, iterations) ─► conditionings() (key + text each)
 *   ─► TextEncoder.encode(the texts the run's steps need, in declaration order)
 *   ─► NoiseSource.open(seed).draw(latent shape) ─► Scheduler.plan(steps) ─► for each iteration i:
 *        KeyedRun.needs(i) → Denoiser.predict (one batched call: B rows per key, in needs order)
 *        → KeyedRun.combine → Sampling.step
 *   ─► Autoencoder.decode
 * </pre>
 * The engine owns the loop, batching and buffers; each stage owns its math. Latents handed between stages are
 * always <em>scaled</em> latents (the autoencoder's {@link io.assay.sdk.diffusion.Autoencoder#scalingFactor()}
 * already applied), shape {@code [B, C, H/f, W/f]}.
 *
 * <p>Guidance: an SDK 1.0 guidance combines {@link io.assay.sdk.diffusion.ConditioningKind#UNCOND} (the negative
 * prompt) and {@link io.assay.sdk.diffusion.ConditioningKind#COND} (the prompt) through
 * {@link io.assay.sdk.diffusion.Guidance.Run}; since 1.1 a guidance may declare any number of named conditionings
 * ({@link io.assay.sdk.diffusion.ConditioningKey}, {@link io.assay.sdk.diffusion.ConditioningText}) through
 * {@link io.assay.sdk.diffusion.Guidance.KeyedRun}, and the 1.0 form is adapted to it. A scheduler may declare the
 * runs it suits ({@link io.assay.sdk.diffusion.Recommended}).
 */
package io.assay.sdk.diffusion;
