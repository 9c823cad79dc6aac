package io.assay.plugins.onnxsd;

import io.assay.sdk.Setting;
import java.nio.file.Path;

/**
 * Settings of {@code onnx-unet}.
 *
 * @param modelDir the model directory
 * @param predictionType what the U-Net predicts, or null for the model's scheduler configuration
 * @param maxBatch the most batch rows per call ({@link io.assay.sdk.diffusion.Denoiser#maxBatch()}), 0 for no limit
 */
public record UnetSettings(
        @Setting(doc = "Model directory (unet/model.onnx); defaults to model.dir.") Path modelDir,
        @Setting(doc = "What the U-Net predicts: epsilon, v_prediction or sample; unset = "
                + "scheduler/scheduler_config.json's prediction_type, else epsilon.",
                oneOf = {"epsilon", "v_prediction", "sample"}, diffusersKey = "prediction_type")
        String predictionType,
        @Setting(doc = "Most batch rows per U-Net call (images × conditionings of a step); the engine splits a step "
                + "into calls of at most this many (the same image up to float rounding). Bounds peak memory at "
                + "large sizes or batches; 0 = no limit.", defaultValue = "0", min = 0)
        int maxBatch) {
}
