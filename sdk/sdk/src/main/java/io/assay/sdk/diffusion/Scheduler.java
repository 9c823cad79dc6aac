package io.assay.sdk.diffusion;

import io.assay.sdk.Stage;
import io.assay.sdk.tensor.Tensor;

/**
 * The sampler: which timesteps a run visits and how a model output moves the sample from one to the next
 * (diffusers' {@code SchedulerMixin}). The instance holds configuration only; all per-run state lives in the
 * {@link Sampling} that {@link #plan} returns, so one instance can serve several runs.
 */
public interface Scheduler extends Stage {

    /**
     * Plans a run of {@code steps} inference steps (diffusers' {@code set_timesteps}).
     *
     * @throws io.assay.sdk.StageException {@code INVALID_INPUT} if {@code steps} is not positive or too large for
     *     the training schedule
     */
    Sampling plan(int steps);

    /** What the scheduler expects the denoiser to predict (it must agree with {@link Denoiser#predictionType()}). */
    PredictionType predictionType();

    /**
     * The state of one run. Not thread-safe. {@link #step} must be called for consecutive iterations in increasing
     * order, starting with the first iteration the run executes (0 for text-to-image, later for image-to-image).
     */
    interface Sampling {

        /** The number of loop iterations (may exceed the step count: PNDM runs N+1, Heun 2N−1). */
        int iterations();

        /** The timestep of iteration {@code i}, as the scheduler uses it (fractional where the scheduler is). */
        double timestep(int i);

        /**
         * The noise level of iteration {@code i} in the σ parameterization ({@code σ = sqrt((1−ᾱ)/ᾱ)}), for every
         * scheduler, so guidance intervals and traces can compare schedulers.
         */
        double sigma(int i);

        /** The factor the initial unit-normal latents are multiplied by (diffusers' {@code init_noise_sigma}). */
        double initNoiseSigma();

        /** The model input for iteration {@code i} (diffusers' {@code scale_model_input}); returns a new tensor. */
        Tensor scaleModelInput(Tensor sample, int i);

        /**
         * One step: from the sample at iteration {@code i} and the (guided) model output to the next sample.
         *
         * @param modelOutput the denoiser's output for this iteration; not modified
         * @param i the iteration
         * @param sample the current latents; not modified
         * @param noise where a stochastic scheduler draws noise ({@link NoiseStream#drawForStep})
         * @return the next sample and, where the scheduler computes it, the predicted clean sample
         */
        Step step(Tensor modelOutput, int i, Tensor sample, NoiseStream noise);

        /**
         * Noises clean latents to the level of iteration {@code i} (diffusers' {@code add_noise}), for
         * image-to-image.
         */
        Tensor addNoise(Tensor original, Tensor noise, int i);

        /**
         * The first iteration of an image-to-image run of strength {@code strength} in (0, 1] (diffusers'
         * {@code get_timesteps}: {@code (N − min(int(N·strength), N)) · order}).
         */
        int firstIteration(int steps, double strength);

        /** Whether the run's result is the last step's predicted clean sample rather than its next sample (LCM). */
        default boolean resultIsDenoised() {
            return false;
        }
    }

    /**
     * The result of one step.
     *
     * @param prevSample the sample for the next iteration
     * @param denoised the predicted clean sample {@code x0} at this step, or {@code null} if not computed
     */
    record Step(Tensor prevSample, Tensor denoised) {
    }
}
