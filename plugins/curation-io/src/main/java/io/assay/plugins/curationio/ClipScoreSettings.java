package io.assay.plugins.curationio;

import io.assay.sdk.Setting;
import java.nio.file.Path;

/**
 * Settings of {@code clip-score}.
 *
 * @param modelDir the scorer's directory
 * @param batchSize pairs scored per model call
 */
public record ClipScoreSettings(
        @Setting(doc = "A CLIP export in ONNX (model.onnx: input_ids, attention_mask, pixel_values → text_embeds, "
                + "image_embeds; vocab.json, merges.txt, preprocessor_config.json) or a model directory with "
                + "image_encoder/ (the embedded world); defaults to model.dir") Path modelDir,
        @Setting(doc = "Image–text pairs scored per model call", defaultValue = "32", min = 1, max = 4096)
        int batchSize) {
}
