package io.assay.plugins.onnxsd;

import io.assay.sdk.Setting;
import java.nio.file.Path;

/** Settings of {@code clip}. */
public record ClipSettings(
        @Setting(doc = "Model directory (tokenizer/ and text_encoder/model.onnx); defaults to model.dir.")
        Path modelDir,
        @Setting(doc = "Prompts longer than the 77-token window: truncate (SD's default; dropped tokens are reported)"
                + " or chunk (75-token windows encoded separately and concatenated).", defaultValue = "truncate",
                oneOf = {"truncate", "chunk"}) String longPrompt) {
}
