package io.assay.plugins.schedulers;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.sdk.diffusion.RecommendedRanges;
import io.assay.sdk.diffusion.Scheduler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model trained with 500 timesteps: every scheduler follows its {@code scheduler_config.json}. The number checked
 * is diffusers' (v0.23.1, {@code DDIMScheduler.set_timesteps(20)} with leading spacing): step ratio
 * {@code 500 // 20 = 25}, timesteps {@code arange(20)·25} reversed plus {@code steps_offset} 1, so
 * {@code 19·25 + 1 = 476} first and {@code 1} last (with 1000 training timesteps: {@code 19·50 + 1 = 951}).
 */
class ModelTimestepsTest {

    @TempDir
    Path model;

    private SchedulerSettings withTimesteps(int trainTimesteps) throws IOException {
        Files.createDirectories(model.resolve("scheduler"));
        Files.writeString(model.resolve(SchedulerConfig.CONFIG_FILE), "{\"_class_name\": \"PNDMScheduler\", "
                + "\"beta_end\": 0.012, \"beta_schedule\": \"scaled_linear\", \"beta_start\": 0.00085, "
                + "\"num_train_timesteps\": " + trainTimesteps + ", \"set_alpha_to_one\": false, "
                + "\"skip_prk_steps\": true, \"steps_offset\": 1, \"timestep_spacing\": \"leading\"}");
        return SchedulerSettings.builder().modelDir(model).build();
    }

    @Test
    void ddimStartsAt476On500TrainingTimestepsAnd951On1000() throws IOException {
        Scheduler.Sampling s = new DdimScheduler(withTimesteps(500), new TestContext("ddim")).plan(20);
        assertThat(s.timestep(0)).isEqualTo(476.0);
        assertThat(s.timestep(1)).isEqualTo(451.0);
        assertThat(s.timestep(19)).isEqualTo(1.0);
        assertThat(new DdimScheduler(withTimesteps(1000), new TestContext("ddim")).plan(20).timestep(0))
                .isEqualTo(951.0);
    }

    /**
     * Each class's own rule on the file's 500 timesteps (diffusers v0.23.1): {@code 19·(500 // 20) + 1 = 476} for the
     * classes spacing {@code arange(N)·ratio + offset}; DPM-Solver's leading spacing takes {@code 500 // 21 = 23} and
     * drops the last of 21, so {@code 20·23 + 1 = 461}; Karras σ start at σ(499), so timestep 499; LCM ignores the
     * spacing and starts its {@code arange(1, 51)·10 − 1} grid at 499.
     */
    @Test
    void everySchedulerFollowsTheFilesTrainingTimesteps() throws IOException {
        SchedulerSettings settings = withTimesteps(500);
        java.util.Map<String, Double> first = new java.util.TreeMap<>();
        for (String name : Schedulers.NAMES) {
            first.put(name, Schedulers.create(name, settings).plan(20).timestep(0));
        }
        assertThat(first).containsExactlyInAnyOrderEntriesOf(java.util.Map.of("ddim", 476.0, "pndm", 476.0,
                "lms", 476.0, "euler", 476.0, "euler-ancestral", 476.0, "heun", 476.0, "dpmpp-2m", 461.0,
                "dpmpp-2m-karras", 499.0, "lcm", 499.0));
    }

    @Test
    void lcmRecommendsTwoToEightStepsAndLowGuidance() {
        assertThat(RecommendedRanges.warnings(LcmScheduler.class, "scheduler 'lcm'", 4, 1.5)).isEmpty();
        assertThat(RecommendedRanges.warnings(LcmScheduler.class, "scheduler 'lcm'", 20, 7.5)).hasSize(2)
                .allSatisfy(w -> assertThat(w).startsWith("scheduler 'lcm' is meant for"));
        assertThat(RecommendedRanges.warnings(DdimScheduler.class, "scheduler 'ddim'", 20, 7.5)).isEmpty();
    }
}
