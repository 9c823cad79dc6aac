package io.assay.plugins.onnxsd;

import io.assay.sdk.Setting;
import java.nio.file.Path;

/** Settings of {@code onnx-unet}. */
public record UnetSettings(
        @Setting(doc = "Model directory (unet/model.onnx); defaults to model.dir.") Path modelDir,
        @Setting(doc = "What the U-Net predicts: epsilon, v_prediction or sample; unset = "
                + "scheduler/scheduler_config.json's prediction_type, else epsilon.",
                oneOf = {"epsilon", "v_prediction", "sample"}, diffusersKey = "prediction_type")
        String predictionType) {
}
