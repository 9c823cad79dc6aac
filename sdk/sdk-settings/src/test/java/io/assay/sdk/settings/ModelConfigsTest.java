package io.assay.sdk.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.assay.sdk.ErrorCode;
import io.assay.sdk.ModelConfig;
import io.assay.sdk.StageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelConfigsTest {

    @TempDir
    Path dir;

    private void write(String rel, String text) throws IOException {
        Path f = dir.resolve(rel);
        Files.createDirectories(f.getParent());
        Files.writeString(f, text);
    }

    private static ErrorCode code(Throwable e) {
        return ((StageException) e).code();
    }

    @Test
    void readsTheIndexAndEverySubdirectorysConfigAsPythonWritesIt() throws IOException {
        write("model_index.json", "{\"_class_name\": \"StableDiffusionPipeline\"}");
        write("scheduler/scheduler_config.json", "{\"num_train_timesteps\": 500, \"beta_end\": 0.012, "
                + "\"trained_betas\": null, \"lambda_min_clipped\": -Infinity, \"timestep_spacing\": \"leading\"}");
        write("unet/config.json", "{\"sample_size\": 64, \"block_out_channels\": [320, 640]}");
        write("vae_decoder/config.json", "{\"scaling_factor\": 0.18215}");
        write("tokenizer/vocab.json", "{\"a\": 1}");
        ModelConfig m = ModelConfigs.read(dir);
        assertThat(m.files()).containsExactly("model_index.json", "scheduler/scheduler_config.json",
                "unet/config.json", "vae_decoder/config.json");
        assertThat(m.value(ModelConfig.SCHEDULER, "num_train_timesteps", Integer.class)).contains(500);
        assertThat(m.value(ModelConfig.SCHEDULER, "lambda_min_clipped", Double.class))
                .contains(Double.NEGATIVE_INFINITY);
        assertThat(m.file(ModelConfig.SCHEDULER).orElseThrow()).doesNotContainKey("trained_betas");
        assertThat(m.value(ModelConfig.UNET, "block_out_channels", List.class)).contains(List.of(320L, 640L));
        assertThat(m.directory()).contains(dir.toAbsolutePath().normalize());
    }

    @Test
    void aDirectoryWithoutConfigurationGivesAnEmptyOne() {
        assertThat(ModelConfigs.read(dir).isEmpty()).isTrue();
    }

    @Test
    void aMissingDirectoryIsModelMissing() {
        assertThatThrownBy(() -> ModelConfigs.read(dir.resolve("nope"))).satisfies(e -> assertThat(code(e))
                .isEqualTo(ErrorCode.MODEL_MISSING)).hasMessageContaining("nope")
                .hasMessageContaining("does not exist");
    }

    @Test
    void brokenFilesAreRefusedNamingTheFileAndWhere() throws IOException {
        write("unet/config.json", "{\n  \"sample_size\": 64,\n  \"oops\" 1\n}");
        assertThatThrownBy(() -> ModelConfigs.read(dir)).satisfies(e -> assertThat(code(e))
                .isEqualTo(ErrorCode.MODEL_INVALID))
                .hasMessageContaining("unet/config.json' is not valid JSON at line 3");
        write("unet/config.json", "[1, 2]");
        assertThatThrownBy(() -> ModelConfigs.read(dir)).hasMessageContaining("holds a JSON array; expected a JSON "
                + "object");
        write("unet/config.json", "{\"a\": 1, \"a\": 2}");
        assertThatThrownBy(() -> ModelConfigs.read(dir)).hasMessageContaining("Duplicate field 'a'");
        write("unet/config.json", "{\"n\": 123456789012345678901234567890}");
        assertThatThrownBy(() -> ModelConfigs.read(dir)).hasMessageContaining("at line 1, column 37")
                .hasMessageContaining("out of range of long");
    }

    @Test
    void hostileFilesAreBoundedBeforeTheyAreParsed() throws IOException {
        write("unet/config.json", "{\"pad\": \"" + "x".repeat((int) ModelConfigs.MAX_FILE_BYTES) + "\"}");
        assertThatThrownBy(() -> ModelConfigs.read(dir)).hasMessageContaining("bytes; a configuration file may have "
                + "at most 1048576");
        write("unet/config.json", "{\"a\":".repeat(40) + "1" + "}".repeat(40));
        assertThatThrownBy(() -> ModelConfigs.read(dir)).hasMessageContaining("not valid JSON")
                .hasMessageContaining("nesting depth");
    }
}
