/**
 * Stable Diffusion's neural stages on ONNX Runtime, for any model directory in the standard ONNX export layout
 * (optimum or diffusers' script; SD 1.x and 2.x): {@code clip} ({@link io.assay.plugins.onnxsd.ClipTextEncoder}),
 * {@code onnx-unet} ({@link io.assay.plugins.onnxsd.OnnxUnetDenoiser}) and {@code onnx-vae}
 * ({@link io.assay.plugins.onnxsd.OnnxVaeAutoencoder}). Each opens and validates its model files in its constructor,
 * so a broken or mismatched file is refused when the pipeline is assembled, not at the first step.
 */
package io.assay.plugins.onnxsd;
