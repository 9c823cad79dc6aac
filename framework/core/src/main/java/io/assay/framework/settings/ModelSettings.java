package io.assay.framework.settings;

import io.assay.sdk.Setting;
import java.nio.file.Path;

/** The {@code model} section: where the model directory is. */
public record ModelSettings(
        @Setting(doc = "A model directory in the Stable Diffusion ONNX layout; unset = the embedded procedural world.")
        Path dir,
        @Setting(doc = "Where the embedded world is built on first use and reused after.",
                defaultValue = "\"~/.cache/assay\"") String cacheDir,
        @Setting(doc = "Compile the embedded world from this curated dataset (the kept/ directory assay curate "
                + "writes: webdataset shards or images + manifest.jsonl) instead of the whole procedural web; "
                + "only when dir is unset.") Path worldDataset,
        @Setting(doc = "The embedded world's U-Net: 'local' composes new images from training windows, conditioned "
                + "locally on the prompt, at any size (a multiple of 8 from 64 to 512); 'memorize' is the exact "
                + "posterior mean over whole training pictures (round 1's world: reproduces its training images, "
                + "64×64 only). Only when dir is unset.", defaultValue = "\"local\"", oneOf = {"local", "memorize"})
        String worldDenoiser) {
}
