package io.assay.plugins.onnxsd;

import io.assay.sdk.Setting;
import java.nio.file.Path;

/** Settings of {@code onnx-vae}. */
public record VaeSettings(
        @Setting(doc = "Model directory (vae_decoder/, optional vae_encoder/); defaults to model.dir.") Path modelDir,
        @Setting(doc = "Latent scaling factor; unset = the VAE's config.json scaling_factor, else 0.18215.",
                diffusersKey = "scaling_factor") Double scalingFactor,
        @Setting(doc = "Decode large latents in overlapping tiles (bounded memory, for images beyond the model's "
                + "native size); blends the overlaps linearly.", defaultValue = "false") boolean tiledDecode,
        @Setting(doc = "Tile side in latent pixels (8 image pixels each).", defaultValue = "64", min = 4)
        int tileSize,
        @Setting(doc = "Overlap between neighbouring tiles in latent pixels.", defaultValue = "8", min = 0)
        int tileOverlap) {

    /** Validates the tiling. */
    public VaeSettings {
        if (tileOverlap >= tileSize) {
            throw new IllegalArgumentException("tile-overlap " + tileOverlap + " must be smaller than tile-size "
                    + tileSize);
        }
    }

    /** Settings without tiling. */
    public VaeSettings(Path modelDir, Double scalingFactor) {
        this(modelDir, scalingFactor, false, 64, 8);
    }
}
