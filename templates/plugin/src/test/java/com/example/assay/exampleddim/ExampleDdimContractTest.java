package com.example.assay.exampleddim;

import io.assay.sdk.ModelConfig;
import io.assay.sdk.diffusion.Scheduler;
import io.assay.sdk.testkit.References;
import io.assay.sdk.testkit.TestSettings;
import io.assay.sdk.testkit.contract.SchedulerContract;
import io.assay.sdk.testkit.contract.SchedulerReference;
import java.util.List;

/**
 * The SDK's scheduler contract (plans, shapes, no input mutation, independent runs, determinism, close), including a
 * model trained with 500 timesteps ({@link #createForModel}) and, next to an Assay checkout's
 * {@code ../shared/reference}, diffusers' own DDIM trajectories.
 */
class ExampleDdimContractTest implements SchedulerContract {

    @Override
    public Scheduler create() {
        return new ExampleDdim(TestSettings.defaults(ExampleDdimSettings.class));
    }

    /** Settings bound as the host binds them for a pipeline whose model has this configuration. */
    @Override
    public Scheduler createForModel(ModelConfig model) {
        return new ExampleDdim(TestSettings.bind(ExampleDdimSettings.class, "", model, "scheduler"));
    }

    @Override
    public boolean computesDenoised() {
        return true;
    }

    /** diffusers v0.23.1 DDIMScheduler runs (SD 1.5's configuration = this component's defaults), when present. */
    @Override
    public List<SchedulerReference.Run> referenceRuns() {
        return References.rootOrNull() == null ? List.of() : SchedulerReference.runs("ddim");
    }
}
