package com.example.assay.exampleddim;

import io.assay.sdk.Setting;

/**
 * Settings of {@code example-ddim}. Each names the key of the model's {@code scheduler/scheduler_config.json} it
 * mirrors ({@code diffusersKey}): the host fills every setting the pipeline leaves unset from the model's file, so the
 * scheduler follows the model it runs with (a model trained with 500 timesteps starts at 476 for 20 steps, not 951),
 * and a value the pipeline sets wins. The defaults are Stable Diffusion 1.5's, for a pipeline without a model file.
 *
 * @param numTrainTimesteps training timesteps T of the noise schedule
 * @param betaStart the first beta
 * @param betaEnd the last beta
 * @param betaSchedule how betas go from first to last
 * @param stepsOffset the offset added to every timestep
 * @param setAlphaToOne whether the step past timestep 0 uses alpha-bar 1 (else alpha-bar at 0)
 * @param predictionType what the denoiser predicts (this example supports epsilon only)
 */
public record ExampleDdimSettings(
        @Setting(doc = "Training timesteps T of the noise schedule.", defaultValue = "1000", min = 1,
                diffusersKey = "num_train_timesteps") int numTrainTimesteps,
        @Setting(doc = "First beta of the noise schedule.", defaultValue = "0.00085", min = 0, max = 1,
                diffusersKey = "beta_start") double betaStart,
        @Setting(doc = "Last beta of the noise schedule.", defaultValue = "0.012", min = 0, max = 1,
                diffusersKey = "beta_end") double betaEnd,
        @Setting(doc = "How betas go from first to last.", defaultValue = "scaled_linear",
                oneOf = {"linear", "scaled_linear"}, diffusersKey = "beta_schedule") String betaSchedule,
        @Setting(doc = "Offset added to every inference timestep.", defaultValue = "1", min = 0,
                diffusersKey = "steps_offset") int stepsOffset,
        @Setting(doc = "Use alpha-bar 1 for the step past timestep 0.", defaultValue = "false",
                diffusersKey = "set_alpha_to_one") boolean setAlphaToOne,
        @Setting(doc = "What the denoiser predicts; this example supports epsilon only.", defaultValue = "epsilon",
                oneOf = {"epsilon"}, diffusersKey = "prediction_type") String predictionType) {

    /** Validates what the annotations cannot express; the host shows the message with the file and line. */
    public ExampleDdimSettings {
        if (!(betaStart < betaEnd)) {
            throw new IllegalArgumentException("'beta-start' (" + betaStart + ") must be below 'beta-end' (" + betaEnd
                    + ")");
        }
    }
}
