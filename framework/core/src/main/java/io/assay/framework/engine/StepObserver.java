package io.assay.framework.engine;

import io.assay.sdk.diffusion.ConditioningKey;
import io.assay.sdk.tensor.Tensor;
import java.util.Map;

/**
 * Receives what happens at each loop iteration (progress bars, traces, per-step divergence). Called on the engine's
 * thread; must not modify the tensors.
 */
public interface StepObserver {

    /** Does nothing. */
    StepObserver NONE = new StepObserver() {
    };

    /**
     * Called once before the loop with the conditionings the run encoded: each key the guidance uses and its text, in
     * the order the guidance declared them.
     */
    default void conditionings(Map<ConditioningKey, String> texts) {
    }

    /** Called once before the loop with the number of iterations that will run. */
    default void started(int iterationsToRun) {
    }

    /**
     * Called after each step.
     *
     * @param step what the step did
     */
    default void stepped(StepRecord step) {
    }

    /**
     * One finished iteration.
     *
     * @param index 0-based among the iterations this run executes
     * @param iteration the scheduler's iteration number
     * @param timestep the scheduler's timestep
     * @param sigma the noise level (σ parameterization)
     * @param conditionings how many denoiser rows per image this step ran (1 or 2 for CFG-like guidance)
     * @param guidanceDeltaNorm ‖cond − uncond‖ of the raw predictions, or NaN if only one ran
     * @param appliedGuidanceNorm ‖guided − uncond‖: how far guidance moved the prediction from the unconditional
     *     one (s·‖cond − uncond‖ for plain CFG), or NaN if no unconditional prediction ran
     * @param latents the latents after the step
     * @param denoised the predicted clean latents, or null if the scheduler does not compute them
     */
    record StepRecord(int index, int iteration, double timestep, double sigma, int conditionings,
            double guidanceDeltaNorm, double appliedGuidanceNorm, Tensor latents, Tensor denoised) {
    }
}
