package io.assay.framework.settings;

import io.assay.sdk.Setting;
import java.nio.file.Path;

/** The {@code model} section: where the model directory is. */
public record ModelSettings(
        @Setting(doc = "A model directory in the Stable Diffusion ONNX layout; unset = the embedded procedural world.")
        Path dir,
        @Setting(doc = "Where the embedded world is built on first use and reused after.",
                defaultValue = "\"~/.cache/assay\"") String cacheDir) {
}
