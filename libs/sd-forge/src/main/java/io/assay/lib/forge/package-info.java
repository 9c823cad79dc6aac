/**
 * The forge: {@link io.assay.lib.forge.Forge#write} writes a Stable Diffusion model directory in optimum's ONNX
 * layout for a {@link io.assay.lib.forge.Preset} (tiny, mid, sd15, sd21) in a {@link io.assay.lib.forge.Dtype}, with
 * the real architectures (CLIP text transformer, UNet2DConditionModel, AutoencoderKL) built as ONNX graphs and
 * deterministic random weights generated from the seed while they are written.
 */
package io.assay.lib.forge;
