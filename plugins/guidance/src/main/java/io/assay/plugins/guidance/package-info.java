/**
 * Guidance stages: how the conditional and unconditional denoiser predictions of a step are combined
 * ({@code none}, {@code cfg}, {@code cfg-rescale}, {@code cfg-interval}, {@code apg}).
 *
 * <p>Arithmetic follows what diffusers does in float32 with torch on CPU: element-wise operations in float32 in
 * the same order, reductions (norms, standard deviations, projections) accumulated in float64.
 */
package io.assay.plugins.guidance;
