/**
 * Value types stages exchange: {@link io.assay.sdk.tensor.Tensor} (float32 data with a {@code long[]} shape, row-major,
 * layout {@code [B, C, H, W]} for images and latents), {@link io.assay.sdk.tensor.RgbImage} (8-bit pictures) and
 * {@link io.assay.sdk.tensor.Npy} (NumPy {@code .npy} files, the format of recorded latents and references).
 */
package io.assay.sdk.tensor;
