package io.assay.sdk.settings;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import io.assay.sdk.ModelConfig;
import io.assay.sdk.Setting;
import io.assay.sdk.diffusion.PredictionType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code @Setting(diffusersKey)} filled from the model's configuration by the binder. */
class ModelFallbacksTest {

    record SchedulerLike(
            @Setting(doc = "Training timesteps", defaultValue = "1000", min = 1, diffusersKey = "num_train_timesteps")
            int numTrainTimesteps,
            @Setting(doc = "Offset", defaultValue = "0", diffusersKey = "steps_offset") int stepsOffset,
            @Setting(doc = "Spacing", defaultValue = "linspace", oneOf = {"leading", "linspace", "trailing"},
                    diffusersKey = "timestep_spacing") String timestepSpacing,
            @Setting(doc = "Prediction", defaultValue = "epsilon", diffusersKey = "prediction_type")
            PredictionType predictionType,
            @Setting(doc = "Latent size from the U-Net", diffusersKey = "unet/config.json:sample_size")
            Integer sampleSize,
            @Setting(doc = "Not in any file", defaultValue = "0.5", diffusersKey = "no_such_key") double other,
            @Setting(doc = "Model directory") Path modelDir) {
    }

    private static final Path DIR = Path.of("/models/m").toAbsolutePath();

    private static ModelConfig model(Map<String, Object> scheduler) {
        return ModelConfig.of(DIR, Map.of(ModelConfig.SCHEDULER, scheduler, ModelConfig.UNET,
                Map.of("sample_size", 96, "timestep_spacing", "trailing")));
    }

    private static SchedulerLike bind(String hocon, Map<String, ConfigValue> fallbacks, ModelConfig m,
            ConfigReport report) {
        Config block = ConfigFactory.parseString(hocon);
        return SettingsBinder.bind(block, block.origin(), "scheduler", SchedulerLike.class, Set.of("name"),
                "component 'x'", fallbacks, m, "scheduler", report);
    }

    @Test
    void unsetSettingsComeFromTheStagesFileExplicitOnesWinAndDefaultsFillTheRest() {
        ConfigReport report = new ConfigReport();
        SchedulerLike s = bind("steps-offset = 2", Map.of(), model(Map.of("num_train_timesteps", 500,
                "steps_offset", 1, "timestep_spacing", "leading", "prediction_type", "v_prediction")), report);
        assertThat(report.errors()).isEmpty();
        assertThat(s.numTrainTimesteps()).isEqualTo(500);
        assertThat(s.stepsOffset()).as("explicit wins").isEqualTo(2);
        assertThat(s.timestepSpacing()).as("the scheduler's file, not the U-Net's").isEqualTo("leading");
        assertThat(s.predictionType()).isEqualTo(PredictionType.V_PREDICTION);
        assertThat(s.sampleSize()).as("a qualified key reads its own file").isEqualTo(96);
        assertThat(s.other()).isEqualTo(0.5);
    }

    @Test
    void withoutAModelEveryDefaultApplies() {
        ConfigReport report = new ConfigReport();
        SchedulerLike s = bind("", Map.of(), ModelConfig.NONE, report);
        assertThat(s).isEqualTo(new SchedulerLike(1000, 0, "linspace", PredictionType.EPSILON, null, 0.5, null));
    }

    @Test
    void theCallersFallbacksComeBeforeTheModel() {
        ConfigReport report = new ConfigReport();
        SchedulerLike s = bind("", Map.of("num-train-timesteps", ConfigValueFactory.fromAnyRef(700, "test")),
                model(Map.of("num_train_timesteps", 500)), report);
        assertThat(s.numTrainTimesteps()).isEqualTo(700);
    }

    @Test
    void aBadModelValueIsReportedNamingTheFileAndKey() {
        ConfigReport report = new ConfigReport();
        SchedulerLike s = bind("", Map.of(), model(Map.of("num_train_timesteps", 0, "timestep_spacing", "sideways",
                "steps_offset", "one")), report);
        assertThat(s).isNull();
        String file = DIR.resolve("scheduler/scheduler_config.json").toString();
        assertThat(report.errors()).extracting(ConfigProblem::render).containsExactlyInAnyOrder(
                file + " key 'num_train_timesteps': scheduler.num-train-timesteps: expected a number in [1, ∞], "
                        + "found 0",
                file + " key 'steps_offset': scheduler.steps-offset: expected a whole number, found \"one\" (string)",
                file + " key 'timestep_spacing': scheduler.timestep-spacing: expected one of leading, linspace, "
                        + "trailing, found \"sideways\"");
    }

    @Test
    void modelFallbacksListOnlyWhatTheModelHas() {
        Map<String, ConfigValue> f = SettingsBinder.modelFallbacks(SchedulerLike.class,
                model(Map.of("num_train_timesteps", 500)), "scheduler");
        assertThat(f.keySet()).containsExactly("num-train-timesteps", "sample-size");
        assertThat(SettingsBinder.modelFallbacks(SchedulerLike.class, model(Map.of()), "denoiser").keySet())
                .as("bare keys of a denoiser are looked up in unet/config.json").containsExactly("timestep-spacing",
                        "sample-size");
    }

    record Paths(@Setting(doc = "Inputs", defaultValue = "[]") List<Path> inputs) {
    }

    @Test
    void aListOfPathsResolvesEachAgainstItsFile(@TempDir Path tmp) throws IOException {
        Path conf = tmp.resolve("configs/c.conf");
        Files.createDirectories(conf.getParent());
        Files.writeString(conf, "inputs = [a/b.tar, \"/abs/c.tar\", \"~/d\"]\n");
        Config c = ConfigFactory.parseFile(conf.toFile());
        ConfigReport report = new ConfigReport();
        Paths p = SettingsBinder.bind(c, c.origin(), "source", Paths.class, Set.of(), "x", Map.of(), report);
        assertThat(report.errors()).isEmpty();
        assertThat(p.inputs()).containsExactly(conf.getParent().resolve("a/b.tar"), Path.of("/abs/c.tar"),
                Path.of(System.getProperty("user.home"), "d"));
        Config bad = ConfigFactory.parseString("inputs = [a, 3, {x = 1}]");
        ConfigReport r2 = new ConfigReport();
        assertThat(SettingsBinder.bind(bad, bad.origin(), "source", Paths.class, Set.of(), "x", Map.of(), r2))
                .isNull();
        assertThat(r2.errors()).extracting(ConfigProblem::message).containsExactly("expected a list of paths, found "
                + "[\"a\",3,{\"x\":1}] (list)");
    }
}
