package io.assay.plugins.schedulers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import io.assay.sdk.settings.ComponentKeys;
import io.assay.sdk.settings.SettingsBinder;
import io.assay.sdk.testkit.TestSettings;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each scheduler's {@code @Component(keys)} — what the host binds, {@code config check} refuses and
 * {@code config describe} lists — is exactly the set of settings the scheduler accepts when it is built: a key is
 * declared if and only if a scheduler given that key alone (with a valid value) does not refuse it.
 */
class AcceptedKeysTest {

    /** A valid value for each key of {@link SchedulerSettings}, set alone on an otherwise empty builder. */
    private static Map<String, Function<SchedulerSettings.Builder, SchedulerSettings.Builder>> values(Path modelDir) {
        return Map.ofEntries(
                Map.entry("num-train-timesteps", b -> b.numTrainTimesteps(1000)),
                Map.entry("beta-start", b -> b.betaStart(0.00085)),
                Map.entry("beta-end", b -> b.betaEnd(0.012)),
                Map.entry("beta-schedule", b -> b.betaSchedule("scaled_linear")),
                Map.entry("steps-offset", b -> b.stepsOffset(1)),
                Map.entry("prediction-type", b -> b.predictionType("epsilon")),
                Map.entry("timestep-spacing", b -> b.timestepSpacing("leading")),
                Map.entry("set-alpha-to-one", b -> b.setAlphaToOne(false)),
                Map.entry("clip-sample", b -> b.clipSample(false)),
                Map.entry("clip-sample-range", b -> b.clipSampleRange(1.0)),
                // true: dpmpp-2m-karras always uses Karras sigmas and refuses false as a contradiction.
                Map.entry("use-karras-sigmas", b -> b.useKarrasSigmas(true)),
                Map.entry("eta", b -> b.eta(0.0)),
                Map.entry("solver-order", b -> b.solverOrder(2)),
                Map.entry("lower-order-final", b -> b.lowerOrderFinal(true)),
                Map.entry("original-inference-steps", b -> b.originalInferenceSteps(50)),
                Map.entry("timestep-scaling", b -> b.timestepScaling(10.0)),
                Map.entry("model-dir", b -> b.modelDir(modelDir)));
    }

    @Test
    void everySchedulersDeclaredKeysAreExactlyTheOnesItAcceptsWhenBuilt(@TempDir Path modelDir) {
        var values = values(modelDir);
        assertThat(values.keySet()).containsExactlyInAnyOrderElementsOf(SettingsBinder.keysInOrder(
                SchedulerSettings.class));
        for (String name : Schedulers.NAMES) {
            Class<?> type = Schedulers.create(name).getClass();
            Set<String> acceptedWhenBuilt = new LinkedHashSet<>();
            for (String key : SettingsBinder.keysInOrder(SchedulerSettings.class)) {
                SchedulerSettings one = values.get(key).apply(SchedulerSettings.builder()).build();
                try {
                    Schedulers.create(name, one).close();
                    acceptedWhenBuilt.add(key);
                } catch (StageException e) {
                    assertThat(e.code()).as(name + " " + key + ": " + e.getMessage())
                            .isEqualTo(ErrorCode.INVALID_SETTING);
                    assertThat(e.getMessage()).contains("'" + key + "'", "does not apply to component '" + name + "'");
                }
            }
            assertThat(ComponentKeys.problems(type)).as(name).isEmpty();
            assertThat(ComponentKeys.accepted(type)).as(name).containsExactlyElementsOf(acceptedWhenBuilt);
        }
    }

    @Test
    void theTestKitBindsAsTheHostDoes() {
        SchedulerSettings ddim = TestSettings.bindFor(DdimScheduler.class, "eta = 0.5");
        assertThat(ddim.eta()).isEqualTo(0.5);
        assertThatThrownBy(() -> TestSettings.bindFor(EulerDiscreteScheduler.class, "eta = 0.5"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("settings.eta: component 'euler' does not accept the setting 'eta'");
    }

    @Test
    void ddimAndEulerDifferAsTheirDiffusersClassesDo() {
        Set<String> ddim = ComponentKeys.accepted(DdimScheduler.class);
        Set<String> euler = ComponentKeys.accepted(EulerDiscreteScheduler.class);
        assertThat(ddim).contains("eta", "set-alpha-to-one", "clip-sample", "clip-sample-range")
                .doesNotContain("use-karras-sigmas", "solver-order");
        assertThat(euler).contains("use-karras-sigmas").doesNotContain("eta", "set-alpha-to-one", "clip-sample");
        assertThat(ComponentKeys.accepted(LcmScheduler.class)).contains("original-inference-steps",
                "timestep-scaling").doesNotContain("timestep-spacing", "steps-offset");
        assertThat(SettingsBinder.keysInOrder(SchedulerSettings.class)).hasSize(17);
        assertThat(ddim).hasSize(12);
        assertThat(euler).hasSize(9);
    }
}
