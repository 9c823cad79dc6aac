package io.assay.sdk.diffusion;

import io.assay.sdk.Stage;
import io.assay.sdk.tensor.Tensor;
import java.util.List;
import java.util.Map;

/**
 * How conditional and unconditional predictions are combined (classifier-free guidance and its variants). The
 * guidance declares, per step, which conditionings it needs; the engine runs exactly those rows in one batched
 * denoiser call, so a guidance that needs only {@code COND} costs one pass.
 */
public interface Guidance extends Stage {

    /** Starts a run of {@code iterations} loop iterations; per-run state (e.g. APG momentum) lives in the result. */
    Run start(int iterations);

    /**
     * Where in the run a step is.
     *
     * @param iteration the loop iteration, from 0
     * @param iterations the run's loop iterations
     * @param timestep the scheduler's timestep
     * @param sigma the noise level in the σ parameterization (see {@link Scheduler.Sampling#sigma})
     */
    record StepInfo(int iteration, int iterations, double timestep, double sigma) {
    }

    /** One run's guidance. Not thread-safe. */
    interface Run {

        /** The conditionings this step needs, without duplicates, in the order the batch rows are laid out. */
        List<ConditioningKind> needs(StepInfo step);

        /**
         * Combines the predictions of this step.
         *
         * @param predictions exactly one model output per kind {@link #needs} returned for this step (no more, no
         *     fewer); not modified
         * @param sample the latents the predictions were made from (unscaled model input); not modified
         * @return the guided model output, a new tensor shaped like each prediction
         */
        Tensor combine(StepInfo step, Map<ConditioningKind, Tensor> predictions, Tensor sample);

        /**
         * What ran, for the run's metadata: the formula and whether the unconditional pass ran, e.g.
         * {@code "cfg: uncond + 7.5·(cond − uncond); unconditional pass: every step"}.
         */
        String describe();
    }
}
