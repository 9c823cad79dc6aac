package io.assay.framework.settings;

import io.assay.sdk.Setting;

/** The {@code metrics} section: what {@code assay compare} measures beyond pixels and latents. */
public record MetricsSettings(
        @Setting(key = "image-text", doc = "Prompt–image similarity: 'auto' uses the model directory's "
                + "image_encoder/ when it has one (the embedded world does), 'none' turns it off, and a directory "
                + "names a CLIP export in ONNX (model.onnx: input_ids, attention_mask, pixel_values → text_embeds, "
                + "image_embeds, with vocab.json, merges.txt, preprocessor_config.json).", defaultValue = "auto")
        String imageText,
        @Setting(doc = "A SimilarityMetric component (SDK 1.1, e.g. clip-score from plugin curation-io) that scores "
                + "each compare cell's image against its prompt in place of image-text; it runs with its declared "
                + "defaults and the cell's model.dir as its model-dir. Unset: image-text.") String similarity) {
}
