/**
 * Noise sources for the diffusion engine: {@code torch-cpu} (bit-compatible with {@code torch.randn} on CPU),
 * {@code replay} (recorded {@code .npy} noise) and {@code fast} (a quick generator, not torch-compatible).
 */
package io.assay.plugins.noise;
