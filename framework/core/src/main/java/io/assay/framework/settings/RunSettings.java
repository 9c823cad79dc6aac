package io.assay.framework.settings;

import io.assay.sdk.Setting;
import io.assay.sdk.diffusion.LatentSampling;
import java.nio.file.Path;

/** The {@code run} section: what one generation asks for. */
public record RunSettings(
        @Setting(doc = "The prompt.", defaultValue = "\"\"") String prompt,
        @Setting(doc = "The negative prompt (\"\" = the empty unconditional prompt).", defaultValue = "\"\"")
        String negative,
        @Setting(doc = "Noise seed; the same seed gives the same initial latents in every pipeline. -1 = a random "
                + "seed for each run, reported on stderr and recorded in the image.", defaultValue = "0")
        long seed,
        @Setting(doc = "Inference steps (a scheduler may run more loop iterations: PNDM N+1, Heun 2N-1).",
                defaultValue = "20", min = 1, max = 1000) int steps,
        @Setting(doc = "Image width in pixels, a multiple of the autoencoder's factor; unset = the model's native size.",
                min = 8, max = 16384) Integer width,
        @Setting(doc = "Image height in pixels, a multiple of the autoencoder's factor; unset = the model's native size.",
                min = 8, max = 16384) Integer height,
        @Setting(doc = "Images per run, drawn as one noise tensor [batch, C, h, w].", defaultValue = "1", min = 1,
                max = 64) int batch,
        @Setting(doc = "Image-to-image: the picture to start from; unset = text-to-image.") Path initImage,
        @Setting(doc = "Image-to-image strength in (0, 1]: the share of the schedule that runs.", defaultValue = "0.8")
        double strength,
        @Setting(doc = "Image-to-image: take the init image's latent mean or a seeded sample.",
                defaultValue = "mean") LatentSampling initSampling,
        @Setting(doc = "Budget of one run: width × height × batch at most this many pixels, checked before anything "
                + "is allocated (64 Mi = 8 images of 2048×2048 … 1 of 8192×8192).", defaultValue = "67108864",
                min = 64) long maxPixels,
        @Setting(doc = "Largest init image accepted, in pixels (width × height as its header declares them, read "
                + "before decoding).", defaultValue = "16777216", min = 64) long maxInitPixels) {

    /** Validates what the annotations cannot. */
    public RunSettings {
        if (!(strength > 0 && strength <= 1)) {
            throw new IllegalArgumentException("strength must be in (0, 1] (the share of the schedule that runs), got "
                    + strength);
        }
    }
}
