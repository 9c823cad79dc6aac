package io.assay.sdk.diffusion;

import io.assay.sdk.Component;
import io.assay.sdk.Stage;
import io.assay.sdk.StageException;
import io.assay.sdk.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How the denoiser's predictions of one step are combined (classifier-free guidance and its variants). The guidance
 * declares, per step, which conditionings it needs; the engine runs exactly those rows in one batched denoiser call,
 * so a guidance that needs only {@code COND} costs one pass.
 *
 * <p>Two ways to write one:
 * <ul>
 *   <li><b>SDK 1.0</b>: implement {@link #start(int)} returning a {@link Run} over the two conditionings
 *       {@link ConditioningKind#UNCOND} (the negative prompt, or the empty prompt) and {@link ConditioningKind#COND}
 *       (the prompt). Every 1.0 guidance keeps working: the default {@link #start(Prompt, int)} adapts it.</li>
 *   <li><b>SDK 1.1</b>: override {@link #start(Prompt, int)} returning a {@link KeyedRun}, which declares any number
 *       of conditionings ({@link ConditioningText}: a key and the text to encode, e.g. one per {@code AND} term of a
 *       composable prompt, or the empty prompt and each negative term for Perp-Neg) and combines predictions by
 *       {@link ConditioningKey}. Such a guidance need not implement {@link #start(int)}.</li>
 * </ul>
 *
 * <p>A host with SDK 1.1 calls {@link #start(Prompt, int)} only.
 */
public interface Guidance extends Stage {

    /**
     * Starts a run of {@code iterations} loop iterations over {@code UNCOND}/{@code COND} (SDK 1.0); per-run state
     * (e.g. APG momentum) lives in the result. The default refuses with {@code UNSUPPORTED}: a guidance written for
     * SDK 1.1 that needs the prompt overrides {@link #start(Prompt, int)} instead.
     */
    default Run start(int iterations) {
        Component c = getClass().getAnnotation(Component.class);
        throw StageException.unsupported(c != null ? c.name() : getClass().getName(), "runs without the prompt "
                + "(start(iterations)): it declares its own conditionings, which needs a host with SDK 1.1 calling "
                + "start(prompt, iterations)");
    }

    /**
     * Starts a run for {@code prompt} of {@code iterations} loop iterations (since SDK 1.1). The default adapts the
     * SDK 1.0 {@link #start(int)}: it declares {@link ConditioningKey#UNCOND} = the negative prompt and
     * {@link ConditioningKey#COND} = the prompt, in that order, and maps keys to kinds both ways.
     *
     * @param prompt the run's prompt and negative prompt, as the user wrote them
     * @param iterations the run's loop iterations
     */
    default KeyedRun start(Prompt prompt, int iterations) {
        Objects.requireNonNull(prompt, "prompt is null");
        return new KindsRun(start(iterations), prompt);
    }

    /**
     * What a run is asked to generate (since SDK 1.1).
     *
     * @param text the prompt as the user wrote it (a guidance may parse it, e.g. {@code A AND B :: 0.5})
     * @param negative the negative prompt as the user wrote it (empty when none)
     */
    record Prompt(String text, String negative) {
        /** Validates. */
        public Prompt {
            Objects.requireNonNull(text, "text is null");
            Objects.requireNonNull(negative, "negative is null");
        }
    }

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

    /** One run's guidance over {@code UNCOND}/{@code COND} (SDK 1.0). Not thread-safe. */
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

    /**
     * One run's guidance over named conditionings (since SDK 1.1). Not thread-safe.
     *
     * <p>The engine's side: before the loop it collects the keys {@link #needs} returns over the run's steps and
     * encodes the texts of exactly those, in {@link #conditionings()} order, in one text-encoder call; each step it
     * lays out the denoiser batch as one block of {@code B} rows per key, in the order {@link #needs} lists them, and
     * hands {@link #combine} one prediction per key.
     */
    interface KeyedRun {

        /**
         * Every conditioning the run may ask for, each key once, with the text to encode for it. The same list for
         * the whole run; the engine encodes them in this order.
         */
        List<ConditioningText> conditionings();

        /**
         * The conditionings this step needs: a non-empty subset of {@link #conditionings()}'s keys, without
         * duplicates, in the order the batch rows are laid out. A pure function of the step.
         */
        List<ConditioningKey> needs(StepInfo step);

        /**
         * Combines the predictions of this step.
         *
         * @param predictions exactly one model output per key {@link #needs} returned for this step; not modified
         * @param sample the latents the predictions were made from (unscaled model input); not modified
         * @return the guided model output, a new tensor shaped like each prediction
         */
        Tensor combine(StepInfo step, Map<ConditioningKey, Tensor> predictions, Tensor sample);

        /** What ran, for the run's metadata: the formula with the terms and weights, and which passes ran. */
        String describe();
    }
}
