package io.assay.plugins.schedulers;

import io.assay.sdk.Component;
import io.assay.sdk.StageContext;
import jakarta.inject.Inject;
import org.pf4j.Extension;

/**
 * DPM-Solver++ 2M with Karras sigmas ("DPM++ 2M Karras"): {@link DpmSolverMultistepScheduler} with
 * {@code use_karras_sigmas} always on. The σ schedule is Karras et al.'s (ρ = 7) between the training schedule's
 * extremes; timesteps are the rounded timesteps of those σ values ({@code 999, 962, 921, …}).
 */
@Extension
@Component(name = "dpmpp-2m-karras", description = "DPM-Solver++ 2M with Karras sigmas "
        + "(diffusers DPMSolverMultistepScheduler, use_karras_sigmas)", settings = SchedulerSettings.class,
        keys = {"num-train-timesteps", "beta-start", "beta-end", "beta-schedule", "prediction-type", "steps-offset",
                "timestep-spacing", "use-karras-sigmas", "solver-order", "lower-order-final", "model-dir"})
public final class DpmSolverMultistepKarrasScheduler extends DpmSolverMultistepScheduler {

    static final ClassSpec KARRAS_SPEC = spec("dpmpp-2m-karras").forced(ConfigKey.USE_KARRAS_SIGMAS, true).build();

    /** Creates the scheduler from its settings. */
    @Inject
    public DpmSolverMultistepKarrasScheduler(SchedulerSettings settings, StageContext context) {
        super(KARRAS_SPEC, settings, context);
    }
}
