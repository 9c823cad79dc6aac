package com.example.ddim;

import io.assay.sdk.Setting;

/** Settings of {@code trailing-ddim}; unset ones are filled from the model's scheduler_config.json by the host. */
public record TrailingDdimSettings(
        @Setting(doc = "Training timesteps T", defaultValue = "1000", min = 2, diffusersKey = "num_train_timesteps")
        int trainTimesteps,
        @Setting(doc = "β at t = 0", defaultValue = "0.00085", min = 0, diffusersKey = "beta_start") double betaStart,
        @Setting(doc = "β at t = T − 1", defaultValue = "0.012", min = 0, diffusersKey = "beta_end") double betaEnd,
        @Setting(doc = "What the denoiser predicts", defaultValue = "\"epsilon\"", oneOf = {"epsilon", "v_prediction"},
                diffusersKey = "prediction_type") String predictionType) {
}
