package io.assay.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelConfigTest {

    private static ModelConfig sd() {
        Map<String, Object> scheduler = new HashMap<>();
        scheduler.put("num_train_timesteps", 500);
        scheduler.put("beta_start", 0.00085f);
        scheduler.put("prediction_type", "epsilon");
        scheduler.put("trained_betas", null);
        scheduler.put("lambda_min_clipped", Double.NEGATIVE_INFINITY);
        Map<String, Object> vae = Map.of("scaling_factor", 0.13025, "block_out_channels", List.of(128, 256));
        return ModelConfig.of(Path.of("/m"), Map.of(ModelConfig.SCHEDULER, scheduler, ModelConfig.VAE_ENCODER, vae,
                ModelConfig.VAE_DECODER, Map.of("scaling_factor", 0.18215), ModelConfig.UNET,
                Map.of("sample_size", 64L)));
    }

    @Test
    void valuesAreCopiedAsJsonTypesAndNullsReadAsAbsent() {
        ModelConfig m = sd();
        Map<String, Object> s = m.file(ModelConfig.SCHEDULER).orElseThrow();
        assertThat(s.get("num_train_timesteps")).isEqualTo(500L);
        assertThat(s.get("beta_start")).isInstanceOf(Double.class);
        assertThat(s).doesNotContainKey("trained_betas");
        assertThat(s.get("lambda_min_clipped")).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(m.file(ModelConfig.VAE_ENCODER).orElseThrow().get("block_out_channels"))
                .isEqualTo(List.of(128L, 256L));
        assertThatThrownBy(() -> s.put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
        assertThat(m.files()).containsExactly(ModelConfig.SCHEDULER, ModelConfig.UNET, ModelConfig.VAE_DECODER,
                ModelConfig.VAE_ENCODER);
        assertThat(m.directory()).contains(Path.of("/m"));
        assertThat(ModelConfig.NONE.isEmpty()).isTrue();
    }

    @Test
    void typedValuesConvertNumbersAndRefuseOtherTypesNamingTheFileAndKey() {
        ModelConfig m = sd();
        assertThat(m.value(ModelConfig.SCHEDULER, "num_train_timesteps", Integer.class)).contains(500);
        assertThat(m.value(ModelConfig.SCHEDULER, "num_train_timesteps", Double.class)).contains(500.0);
        assertThat(m.value(ModelConfig.SCHEDULER, "trained_betas", Double.class)).isEmpty();
        assertThat(m.value("text_encoder/config.json", "hidden_size", Integer.class)).isEmpty();
        assertThatThrownBy(() -> m.value(ModelConfig.SCHEDULER, "prediction_type", Integer.class))
                .isInstanceOf(StageException.class)
                .hasMessage("Model file '/m/scheduler/scheduler_config.json': 'prediction_type' is epsilon (String); "
                        + "expected Integer")
                .extracting(e -> ((StageException) e).code()).isEqualTo(ErrorCode.MODEL_INVALID);
    }

    @Test
    void aBareKeyIsLookedUpInTheStagesFilesInOrderAndAQualifiedOneInItsFile() {
        ModelConfig m = sd();
        assertThat(m.find("scheduler", "num_train_timesteps")).contains(
                new ModelConfig.Found(ModelConfig.SCHEDULER, "num_train_timesteps", 500L));
        // vae_decoder comes before vae_encoder.
        assertThat(m.find("autoencoder", "scaling_factor").orElseThrow().value()).isEqualTo(0.18215);
        assertThat(m.find("autoencoder", "block_out_channels").orElseThrow().file()).isEqualTo(ModelConfig.VAE_ENCODER);
        assertThat(m.find("denoiser", "prediction_type")).isEmpty();
        assertThat(m.find("denoiser", "scheduler/scheduler_config.json:prediction_type").orElseThrow().value())
                .isEqualTo("epsilon");
        assertThat(m.find("guidance", "num_train_timesteps")).isEmpty();
        assertThat(ModelConfig.NONE.find("scheduler", "num_train_timesteps")).isEmpty();
    }

    @Test
    void nonJsonValuesAreRefusedNamingWhere() {
        assertThatThrownBy(() -> ModelConfig.of(null, Map.of("unet/config.json", Map.of("a", Map.of("b",
                new Object())))))
                .hasMessageStartingWith("unet/config.json: 'a.b' holds a java.lang.Object");
    }
}
