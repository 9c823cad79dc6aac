package com.example.assay.exampleddim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.assay.sdk.ModelConfig;
import io.assay.sdk.diffusion.Scheduler;
import io.assay.sdk.settings.ModelConfigs;
import io.assay.sdk.testkit.TestSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model's {@code scheduler/scheduler_config.json} reaches the settings through {@code @Setting(diffusersKey)},
 * bound as the host binds them. diffusers (v0.23.1 DDIMScheduler, leading spacing, steps_offset 1) plans 20 steps of
 * a 500-timestep model as {@code 19·(500 // 20) + 1 = 476} down to 1; the built-in {@code ddim} gives the same.
 */
class ModelConfigurationTest {

    @TempDir
    Path model;

    private ModelConfig model(String json) throws IOException {
        Files.createDirectories(model.resolve("scheduler"));
        Files.writeString(model.resolve("scheduler/scheduler_config.json"), json);
        return ModelConfigs.read(model);
    }

    @Test
    void aModelTrainedWith500TimestepsStartsAt476() throws IOException {
        ModelConfig m = model("{\"_class_name\": \"DDIMScheduler\", \"num_train_timesteps\": 500, \"beta_start\": "
                + "0.00085, \"beta_end\": 0.012, \"beta_schedule\": \"scaled_linear\", \"steps_offset\": 1, "
                + "\"set_alpha_to_one\": false, \"trained_betas\": null}");
        Scheduler.Sampling s = new ExampleDdim(TestSettings.bind(ExampleDdimSettings.class, "", m, "scheduler"))
                .plan(20);
        assertThat(s.timestep(0)).isEqualTo(476);
        assertThat(s.timestep(19)).isEqualTo(1);
        // Without the model's file: SD 1.5's 1000 timesteps, 951 first.
        assertThat(new ExampleDdim(TestSettings.defaults(ExampleDdimSettings.class)).plan(20).timestep(0))
                .isEqualTo(951);
        // A value the pipeline sets wins over the file.
        assertThat(new ExampleDdim(TestSettings.bind(ExampleDdimSettings.class, "steps-offset = 0", m, "scheduler"))
                .plan(20).timestep(0)).isEqualTo(475);
    }

    @Test
    void aModelThisSchedulerCannotRunIsRefusedNamingTheFile() throws IOException {
        ModelConfig m = model("{\"num_train_timesteps\": 1000, \"prediction_type\": \"v_prediction\"}");
        assertThatThrownBy(() -> TestSettings.bind(ExampleDdimSettings.class, "", m, "scheduler"))
                .hasMessageContaining(model.resolve("scheduler/scheduler_config.json").toAbsolutePath()
                        + " key 'prediction_type': scheduler.prediction-type: expected one of epsilon, found "
                        + "\"v_prediction\"");
    }
}
