package io.assay.plugins.schedulers;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.sdk.tensor.Npy;
import io.assay.sdk.testkit.References;
import io.assay.sdk.testkit.contract.SchedulerReference;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * The diffusers v0.23.1 references ({@code reference/schedulers}) as a whole. Each run is replayed through its
 * component by the test kit ({@link SchedulerContractTest}: timesteps, σ, input scales, initial noise σ, every
 * sample of the trajectory within a quarter of the references' tolerance, recorded noise, LCM's denoised).
 */
class DiffusersReferenceTest {

    @Test
    void everyComponentHasReferenceRuns() {
        assertThat(SchedulerReference.runs().stream().map(SchedulerReference.Run::component).distinct().sorted()
                .toList()).isEqualTo(Schedulers.NAMES);
    }

    @Test
    void noiseScheduleIsBitIdenticalToDiffusers() throws IOException {
        float[] betas = Npy.read(References.require("schedulers/betas.npy")).toFloats();
        float[] alphasCumprod = Npy.read(References.require("schedulers/alphas_cumprod.npy")).toFloats();
        NoiseSchedule schedule = Schedulers.create("ddim").schedule();
        assertThat(schedule.betas()).containsExactly(betas);
        assertThat(schedule.alphasCumprod()).containsExactly(alphasCumprod);
    }
}
