package io.assay.plugins.curation;

import io.assay.sdk.Setting;
import java.nio.file.Path;

/**
 * Settings of {@code image-text}.
 *
 * @param modelDir the scorer's directory
 * @param threshold the smallest similarity kept
 * @param withoutImage what happens to records without image bytes
 * @param batchSize records scored per model call
 * @param maxPixels the decoder's pixel budget
 */
public record ImageTextSettings(
        @Setting(doc = "A CLIP export in ONNX (model.onnx: input_ids, attention_mask, pixel_values → text_embeds, "
                + "image_embeds; vocab.json, merges.txt, preprocessor_config.json) or a model directory with "
                + "image_encoder/ (the embedded world); defaults to model.dir.") Path modelDir,
        @Setting(doc = "Smallest cosine similarity kept. LAION-400M used 0.3 with CLIP ViT-B/32 (LAION-5B 0.28); "
                + "other encoders need their own value (see the score histogram in summary.json).",
                defaultValue = "0.28", min = -1, max = 1) double threshold,
        @Setting(doc = "Records without image bytes (the source only references the image): keep unjudged or "
                + "reject (reason no-image), as a downloader that failed would.", defaultValue = "reject",
                oneOf = {"keep", "reject"}) String withoutImage,
        @Setting(doc = "Records scored per model call.", defaultValue = "64", min = 1, max = 4096) int batchSize,
        @Setting(doc = "Images declaring more pixels than this are unreadable (decompression bombs).",
                defaultValue = "40000000", min = 1) long maxPixels) {

    /** Validates. */
    public ImageTextSettings {
        if (!(threshold >= -1 && threshold <= 1)) {
            throw new IllegalArgumentException("'threshold' must be in [-1, 1], got " + threshold);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("'batch-size' must be at least 1");
        }
    }
}
