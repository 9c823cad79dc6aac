package io.assay.plugins.schedulers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.assay.plugins.schedulers.SchedulerConfig.Source;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import io.assay.sdk.diffusion.PredictionType;
import io.assay.sdk.testkit.References;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Configuration resolution: defaults, {@code scheduler_config.json} import, precedence, reporting, validation. */
class SchedulerConfigTest {

    @TempDir
    Path tmp;

    /** The tiny-sd model directory (SD 1.5's PNDMScheduler config, saved by diffusers 0.23.1). */
    private static Path tinySdModel() {
        return References.require("tiny-sd/model/scheduler/scheduler_config.json").getParent().getParent();
    }

    private Path modelWithConfig(String json) throws IOException {
        Path dir = tmp.resolve("model");
        Files.createDirectories(dir.resolve("scheduler"));
        Files.writeString(dir.resolve(SchedulerConfig.CONFIG_FILE), json);
        return dir;
    }

    private static void assertStageError(ThrowingCallable call, ErrorCode code, String... fragments) {
        assertThatThrownBy(call).isInstanceOfSatisfying(StageException.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.getMessage()).contains(fragments);
        });
    }

    @Test
    void defaultsAreStableDiffusionWithEachClassesOwnSpacing() {
        for (String name : Schedulers.NAMES) {
            SchedulerConfig c = Schedulers.create(name).config();
            assertThat(c.numTrainTimesteps()).isEqualTo(1000);
            assertThat(c.betaStart()).isEqualTo(0.00085);
            assertThat(c.betaEnd()).isEqualTo(0.012);
            assertThat(c.betaSchedule()).isEqualTo("scaled_linear");
            assertThat(c.predictionType()).isEqualTo(PredictionType.EPSILON);
            assertThat(c.configFile()).isNull();
            assertThat(c.unusedKeys()).isEmpty();
            assertThat(c.source("beta-start")).isEqualTo(Source.DEFAULT);
        }
        for (String name : List.of("ddim", "pndm")) {
            assertThat(Schedulers.create(name).config().timestepSpacing()).as(name).isEqualTo("leading");
            assertThat(Schedulers.create(name).config().stepsOffset()).as(name).isEqualTo(1);
        }
        for (String name : List.of("lms", "euler", "euler-ancestral", "heun", "dpmpp-2m", "dpmpp-2m-karras")) {
            assertThat(Schedulers.create(name).config().timestepSpacing()).as(name).isEqualTo("linspace");
        }
        assertThat(Schedulers.create("dpmpp-2m").config().useKarrasSigmas()).isFalse();
        assertThat(Schedulers.create("dpmpp-2m-karras").config().useKarrasSigmas()).isTrue();
        assertThat(Schedulers.create("lcm").config().originalInferenceSteps()).isEqualTo(50);
        assertThat(Schedulers.create("lcm").config().timestepScaling()).isEqualTo(10.0);
    }

    @Test
    void importsTheModelsSchedulerConfig() {
        Path model = tinySdModel();
        TestContext context = new TestContext("ddim");
        DdimScheduler ddim = new DdimScheduler(SchedulerSettings.builder().modelDir(model).build(), context);
        SchedulerConfig c = ddim.config();
        assertThat(c.configFile()).isEqualTo(model.resolve(SchedulerConfig.CONFIG_FILE));
        assertThat(c.source("beta-start")).isEqualTo(Source.CONFIG_FILE);
        assertThat(c.source("timestep-spacing")).isEqualTo(Source.CONFIG_FILE);
        assertThat(c.source("eta")).isEqualTo(Source.DEFAULT);
        assertThat(c.asMap()).containsEntry("num_train_timesteps", 1000).containsEntry("beta_start", 0.00085)
                .containsEntry("beta_end", 0.012).containsEntry("beta_schedule", "scaled_linear")
                .containsEntry("steps_offset", 1).containsEntry("set_alpha_to_one", false)
                .containsEntry("clip_sample", false).containsEntry("timestep_spacing", "leading");
        // DDIM has no skip_prk_steps: reported, as diffusers' from_config reports it.
        assertThat(ddim.unusedConfigKeys()).containsExactly("skip_prk_steps");
        assertThat(context.events).anySatisfy(e -> {
            assertThat(e.name()).isEqualTo("scheduler-config");
            assertThat(e.fields().get("unused-keys")).isEqualTo(List.of("skip_prk_steps"));
        });

        // The same file read by other classes: each reports what it does not use.
        SchedulerSettings fromModel = SchedulerSettings.builder().modelDir(model).build();
        assertThat(Schedulers.create("pndm", fromModel).unusedConfigKeys()).containsExactly("clip_sample");
        assertThat(Schedulers.create("euler", fromModel).unusedConfigKeys())
                .containsExactly("clip_sample", "set_alpha_to_one", "skip_prk_steps");
        assertThat(Schedulers.create("lcm", fromModel).unusedConfigKeys()).containsExactly("skip_prk_steps");
        // Like a diffusers pipeline built from this model, Euler then uses the file's "leading" spacing.
        SchedulerConfig euler = Schedulers.create("euler", fromModel).config();
        assertThat(euler.timestepSpacing()).isEqualTo("leading");
        // … so its first timestep is 951 and its initial noise σ is sqrt(σ(951)² + 1), not σ(999).
        AbstractDiffusersScheduler leading = Schedulers.create("euler", fromModel);
        io.assay.sdk.diffusion.Scheduler.Sampling run = leading.plan(20);
        assertThat(run.timestep(0)).isEqualTo(951);
        double s951 = leading.schedule().sigmaTable()[951];
        assertThat(run.initNoiseSigma()).isCloseTo(Math.sqrt(s951 * s951 + 1), within(1e-5));
    }

    @Test
    void explicitSettingsOverrideTheFileWhichOverridesDefaults() {
        SchedulerSettings settings = SchedulerSettings.builder().modelDir(tinySdModel()).betaEnd(0.02)
                .timestepSpacing("trailing").eta(0.5).build();
        SchedulerConfig c = Schedulers.create("ddim", settings).config();
        assertThat(c.betaEnd()).isEqualTo(0.02);
        assertThat(c.source("beta-end")).isEqualTo(Source.SETTING);
        assertThat(c.timestepSpacing()).isEqualTo("trailing");
        assertThat(c.source("timestep-spacing")).isEqualTo(Source.SETTING);
        assertThat(c.betaStart()).isEqualTo(0.00085);
        assertThat(c.source("beta-start")).isEqualTo(Source.CONFIG_FILE);
        assertThat(c.eta()).isEqualTo(0.5);
        // The override changes the schedule: the last beta is 0.02 instead of 0.012.
        assertThat(Schedulers.create("ddim", settings).schedule().beta(999)).isCloseTo(0.02f, within(1e-8f));
    }


    @Test
    void unknownKeysAreReportedAndMetadataIsSkipped() throws IOException {
        Path model = modelWithConfig("""
                {"_class_name": "EulerDiscreteScheduler", "_diffusers_version": "0.23.1",
                 "beta_start": 0.001, "timestep_spacing": "trailing", "interpolation_type": "linear",
                 "foo_bar": 3, "use_karras_sigmas": true}
                """);
        AbstractDiffusersScheduler euler = Schedulers.create("euler",
                SchedulerSettings.builder().modelDir(model).build());
        assertThat(euler.unusedConfigKeys()).containsExactly("foo_bar");
        assertThat(euler.config().betaStart()).isEqualTo(0.001);
        assertThat(euler.config().useKarrasSigmas()).isTrue();
        // dpmpp-2m-karras always uses Karras sigmas, so a file's use_karras_sigmas is reported, not used.
        Path dpm = modelWithConfig("{\"use_karras_sigmas\": false, \"solver_order\": 3}");
        AbstractDiffusersScheduler karras = Schedulers.create("dpmpp-2m-karras",
                SchedulerSettings.builder().modelDir(dpm).build());
        assertThat(karras.config().useKarrasSigmas()).isTrue();
        assertThat(karras.config().solverOrder()).isEqualTo(3);
        assertThat(karras.unusedConfigKeys()).containsExactly("use_karras_sigmas");
    }

    @Test
    void unsupportedDiffusersOptionsAreRefusedNotIgnored() throws IOException {
        Path thresholding = modelWithConfig("{\"thresholding\": true}");
        assertStageError(() -> Schedulers.create("ddim", SchedulerSettings.builder().modelDir(thresholding).build()),
                ErrorCode.UNSUPPORTED, "Component 'ddim' does not support thresholding = true",
                "supports only thresholding = false");
        Path trained = modelWithConfig("{\"trained_betas\": [0.1, 0.2]}");
        assertStageError(() -> Schedulers.create("euler", SchedulerSettings.builder().modelDir(trained).build()),
                ErrorCode.UNSUPPORTED, "trained_betas");
        Path prk = modelWithConfig("{\"skip_prk_steps\": false}");
        assertStageError(() -> Schedulers.create("pndm", SchedulerSettings.builder().modelDir(prk).build()),
                ErrorCode.UNSUPPORTED, "skip_prk_steps = false");
        Path sde = modelWithConfig("{\"algorithm_type\": \"sde-dpmsolver++\", \"lambda_min_clipped\": -Infinity}");
        assertStageError(() -> Schedulers.create("dpmpp-2m", SchedulerSettings.builder().modelDir(sde).build()),
                ErrorCode.UNSUPPORTED, "algorithm_type = \"sde-dpmsolver++\"");
        // A file holding the supported values is accepted.
        Path ok = modelWithConfig("{\"algorithm_type\": \"dpmsolver++\", \"lambda_min_clipped\": -Infinity,"
                + " \"variance_type\": null, \"thresholding\": false, \"sample_max_value\": 1.0}");
        assertThat(Schedulers.create("dpmpp-2m", SchedulerSettings.builder().modelDir(ok).build())
                .unusedConfigKeys()).isEmpty();
        assertStageError(() -> Schedulers.create("euler-ancestral",
                        SchedulerSettings.builder().predictionType("sample").build()),
                ErrorCode.UNSUPPORTED, "Component 'euler-ancestral' does not support prediction-type 'sample'");
        assertStageError(() -> Schedulers.create("pndm", SchedulerSettings.builder().predictionType("sample").build()),
                ErrorCode.UNSUPPORTED, "prediction-type 'sample'");
    }

    @Test
    void badFilesAndDirectoriesAreModelErrors() throws IOException {
        Path broken = modelWithConfig("{\"beta_start\": ");
        assertStageError(() -> Schedulers.create("ddim", SchedulerSettings.builder().modelDir(broken).build()),
                ErrorCode.MODEL_INVALID, "is not valid JSON", "scheduler_config.json");
        Path wrongType = modelWithConfig("{\"num_train_timesteps\": \"1000\"}");
        assertStageError(() -> Schedulers.create("ddim", SchedulerSettings.builder().modelDir(wrongType).build()),
                ErrorCode.MODEL_INVALID, "'num_train_timesteps'", "\"1000\"", "expected an integer");
        Path missing = tmp.resolve("no-such-model");
        assertStageError(() -> Schedulers.create("ddim", SchedulerSettings.builder().modelDir(missing).build()),
                ErrorCode.MODEL_MISSING, "model-dir", missing.toString());
        // A model directory without a scheduler config leaves the defaults in place.
        Path bare = tmp.resolve("bare");
        Files.createDirectories(bare);
        SchedulerConfig c = Schedulers.create("ddim", SchedulerSettings.builder().modelDir(bare).build()).config();
        assertThat(c.configFile()).isNull();
        assertThat(c.source("beta-start")).isEqualTo(Source.DEFAULT);
        // A relative model-dir is resolved against the context's base directory.
        modelWithConfig("{}");
        DdimScheduler relative = new DdimScheduler(SchedulerSettings.builder().modelDir(Path.of("model")).build(),
                new TestContext("ddim", tmp));
        assertThat(relative.config().configFile()).isEqualTo(tmp.resolve("model").resolve(SchedulerConfig.CONFIG_FILE));
    }

    @Test
    void invalidValuesNameTheKeyTheValueAndWhereItCameFrom() throws IOException {
        assertStageError(() -> Schedulers.create("ddim", SchedulerSettings.builder().betaStart(1.5).build()),
                ErrorCode.INVALID_SETTING, "Setting 'beta-start' of component 'ddim' = 1.5 (set explicitly)",
                "expected a number in (0, 1)");
        assertStageError(() -> Schedulers.create("euler", SchedulerSettings.builder().timestepSpacing("even").build()),
                ErrorCode.INVALID_SETTING, "'timestep-spacing'", "= even", "expected one of [leading, trailing, linspace]");
        assertStageError(() -> Schedulers.create("dpmpp-2m", SchedulerSettings.builder().solverOrder(4).build()),
                ErrorCode.INVALID_SETTING, "'solver-order'", "= 4", "expected 1, 2 or 3");
        assertStageError(() -> Schedulers.create("ddim", SchedulerSettings.builder().eta(-1.0).build()),
                ErrorCode.INVALID_SETTING, "'eta'", "= -1.0");
        assertStageError(() -> Schedulers.create("lcm", SchedulerSettings.builder().originalInferenceSteps(2000).build()),
                ErrorCode.INVALID_SETTING, "'original-inference-steps'", "= 2000");
        Path model = modelWithConfig("{\"beta_end\": 2.0}");
        assertStageError(() -> Schedulers.create("heun", SchedulerSettings.builder().modelDir(model).build()),
                ErrorCode.INVALID_SETTING, "'beta-end'", "= 2.0", "from 'beta_end' in '" + model.resolve(
                        SchedulerConfig.CONFIG_FILE) + "'");
        assertStageError(() -> Schedulers.create("ddim", SchedulerSettings.builder().betaSchedule("linear")
                        .betaStart(0.5).betaEnd(0.99999999).numTrainTimesteps(3).build()),
                ErrorCode.INVALID_SETTING, "beta[2] = 1.0", "every beta must be in (0, 1)");
    }

    @Test
    void settingsAComponentDoesNotUseAreRefused() {
        assertStageError(() -> Schedulers.create("euler", SchedulerSettings.builder().eta(0.0).build()),
                ErrorCode.INVALID_SETTING, "Setting 'eta' = 0.0 does not apply to component 'euler'",
                "EulerDiscreteScheduler");
        assertStageError(() -> Schedulers.create("lcm", SchedulerSettings.builder().timestepSpacing("leading").build()),
                ErrorCode.INVALID_SETTING, "'timestep-spacing'", "does not apply to component 'lcm'");
        assertStageError(() -> Schedulers.create("euler-ancestral",
                        SchedulerSettings.builder().useKarrasSigmas(true).build()),
                ErrorCode.INVALID_SETTING, "'use-karras-sigmas'", "euler-ancestral");
        assertStageError(() -> Schedulers.create("dpmpp-2m-karras",
                        SchedulerSettings.builder().useKarrasSigmas(false).build()),
                ErrorCode.INVALID_SETTING, "'use-karras-sigmas' = false contradicts component 'dpmpp-2m-karras'");
        assertThat(Schedulers.create("dpmpp-2m-karras", SchedulerSettings.builder().useKarrasSigmas(true).build())
                .config().useKarrasSigmas()).isTrue();
    }

    @Test
    void stepCountsOutsideTheScheduleAreInvalidInput() {
        for (String name : Schedulers.NAMES) {
            AbstractDiffusersScheduler s = Schedulers.create(name);
            assertStageError(() -> s.plan(0), ErrorCode.INVALID_INPUT, "cannot plan 0 steps");
        }
        assertStageError(() -> Schedulers.create("euler").plan(1001), ErrorCode.INVALID_INPUT,
                "cannot plan 1001 steps; expected 1 to 1000 (num-train-timesteps = 1000)");
        assertStageError(() -> Schedulers.create("lcm").plan(51), ErrorCode.INVALID_INPUT,
                "expected 1 to 50 (original-inference-steps = 50)");
        // leading spacing + steps_offset 1 with 1000 steps reaches timestep 1000
        assertStageError(() -> Schedulers.create("ddim").plan(1000), ErrorCode.INVALID_INPUT,
                "give timestep 1000.0, outside the training range [0, 999]");
        // trailing spacing with 61 steps: NumPy's arange yields a 62nd value ~0, i.e. timestep -1
        assertStageError(() -> Schedulers.create("ddim", SchedulerSettings.builder().timestepSpacing("trailing")
                .build()).plan(61), ErrorCode.INVALID_INPUT, "timestep -1.0");
    }

    @Test
    void theResolvedConfigIsTracedWithEveryValue() {
        TestContext context = new TestContext("lcm");
        LcmScheduler lcm = new LcmScheduler(SchedulerSettings.defaults(), context);
        lcm.plan(4);
        assertThat(context.events).extracting(TestContext.Event::name).containsExactly("scheduler-config", "plan");
        @SuppressWarnings("unchecked")
        Map<String, Object> config = (Map<String, Object>) context.events.get(0).fields().get("config");
        assertThat(config).containsEntry("original_inference_steps", 50).containsEntry("timestep_scaling", 10.0)
                .containsEntry("prediction_type", "epsilon");
        assertThat(context.events.get(0).fields().get("diffusers-class")).isEqualTo("LCMScheduler");
        assertThat((float[]) context.events.get(1).fields().get("timesteps"))
                .containsExactly(999f, 759f, 519f, 279f);
    }
}
