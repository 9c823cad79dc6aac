package io.assay.plugins.onnxsd;

import io.assay.sdk.Setting;
import java.nio.file.Path;

/** Settings of {@code onnx-vae}. */
public record VaeSettings(
        @Setting(doc = "Model directory (vae_decoder/, optional vae_encoder/); defaults to model.dir.") Path modelDir,
        @Setting(doc = "Latent scaling factor; unset = the VAE's config.json scaling_factor, else 0.18215.",
                diffusersKey = "scaling_factor") Double scalingFactor) {
}
