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
                + "only when dir is unset.") Path worldDataset) {
}
