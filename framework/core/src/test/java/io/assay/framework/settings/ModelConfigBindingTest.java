package io.assay.framework.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.assay.sdk.ModelConfig;
import io.assay.sdk.Setting;
import io.assay.sdk.settings.ConfigErrorsException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SDK 1.1 in the host's validator: unset {@code @Setting(diffusersKey)} settings of any component are filled from the
 * files of {@code model.dir}, a value the pipeline sets wins, a bad model value is reported at the model file and key,
 * a malformed model file at {@code model.dir}, and the files travel on as {@link ValidatedConfig#model()}.
 */
class ModelConfigBindingTest {

    /** A third-party scheduler's settings. */
    record Steps(@Setting(doc = "T.", defaultValue = "1000", min = 2, diffusersKey = "num_train_timesteps") int train,
            @Setting(doc = "Prediction.", defaultValue = "\"epsilon\"", oneOf = {"epsilon", "v_prediction"},
                    diffusersKey = "prediction_type") String prediction,
            @Setting(doc = "Sample size.", defaultValue = "64", diffusersKey = "unet/config.json:sample_size")
            int sampleSize) {
    }

    static final PipelineValidator.Components INSTALLED = new PipelineValidator.Components() {
        @Override
        public Map<String, PipelineValidator.Installed> installed(String stage) {
            return stage.equals("scheduler")
                    ? Map.of("third", new PipelineValidator.Installed("third", Steps.class, "third-party 1.0.0"))
                    : Map.of();
        }

        @Override
        public String stageTypeName(String stage) {
            return "Scheduler";
        }
    };

    record Model(@Setting(doc = "Model directory.") Path dir) {
    }

    private final PipelineValidator validator = new PipelineValidator(Map.of("model", Model.class),
            List.of("scheduler"));

    private static Path model(Path dir, String scheduler) throws IOException {
        Path m = dir.resolve("model");
        Files.createDirectories(m.resolve("scheduler"));
        Files.createDirectories(m.resolve("unet"));
        Files.writeString(m.resolve("scheduler/scheduler_config.json"), scheduler);
        Files.writeString(m.resolve("unet/config.json"), "{\"sample_size\": 96, \"num_train_timesteps\": 7}");
        return m;
    }

    private static Config config(Path dir, String text) throws IOException {
        Path f = dir.resolve("p.conf");
        Files.writeString(f, text);
        return new ConfigLoader(ConfigFactory.empty()).load(f, List.of(), null);
    }

    @Test
    void unsetSettingsComeFromTheModelAndTheUserWins(@TempDir Path dir) throws IOException {
        model(dir, "{\"num_train_timesteps\": 500, \"prediction_type\": \"v_prediction\"}");
        ValidatedConfig v = validator.validate(config(dir, "model.dir = model\nscheduler { name = third }\n"),
                INSTALLED, null, "p.conf");
        // A bare key is read from the scheduler's own file (unet/config.json's 7 is not used); "file:key" names it.
        assertThat(v.stages().get("scheduler").settings()).isEqualTo(new Steps(500, "v_prediction", 96));
        assertThat(v.model().files()).containsExactly("scheduler/scheduler_config.json", "unet/config.json");
        assertThat(v.model().value(ModelConfig.SCHEDULER, "num_train_timesteps", Integer.class)).contains(500);

        ValidatedConfig user = validator.validate(config(dir, "model.dir = model\n"
                + "scheduler { name = third, train = 300 }\n"), INSTALLED, null, "p.conf");
        assertThat(user.stages().get("scheduler").settings()).isEqualTo(new Steps(300, "v_prediction", 96));
    }

    @Test
    void withoutAModelTheDefaultsBind(@TempDir Path dir) throws IOException {
        ValidatedConfig v = validator.validate(config(dir, "scheduler { name = third }\n"), INSTALLED, null,
                "p.conf");
        assertThat(v.stages().get("scheduler").settings()).isEqualTo(new Steps(1000, "epsilon", 64));
        assertThat(v.model()).isSameAs(ModelConfig.NONE);
    }

    @Test
    void aBadModelValueIsReportedAtTheModelFileAndKey(@TempDir Path dir) throws IOException {
        Path m = model(dir, "{\"num_train_timesteps\": 1, \"prediction_type\": \"sample\"}");
        assertThatThrownBy(() -> validator.validate(config(dir, "model.dir = model\nscheduler { name = third }\n"),
                INSTALLED, null, "p.conf"))
                .isInstanceOf(ConfigErrorsException.class)
                .hasMessageContaining(m.resolve("scheduler/scheduler_config.json") + " key 'num_train_timesteps'")
                .hasMessageContaining("scheduler.train")
                .hasMessageContaining("key 'prediction_type'")
                .hasMessageContaining("expected one of epsilon, v_prediction")
                .hasMessageNotContaining("unknown section");
    }

    @Test
    void aMalformedModelFileIsAProblemAtModelDir(@TempDir Path dir) throws IOException {
        model(dir, "{\"num_train_timesteps\": 500,");
        assertThatThrownBy(() -> validator.validate(config(dir, "model.dir = model\nscheduler { name = third }\n"),
                INSTALLED, null, "p.conf"))
                .isInstanceOf(ConfigErrorsException.class)
                .hasMessageContaining("p.conf:1")
                .hasMessageContaining("model.dir")
                .hasMessageContaining("scheduler_config.json' is not valid JSON");
    }
}
