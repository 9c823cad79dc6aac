package io.assay.sdk.testkit.contract;

import static io.assay.sdk.testkit.contract.Checks.check;
import static io.assay.sdk.testkit.contract.Checks.describe;
import static io.assay.sdk.testkit.contract.Checks.fail;

import io.assay.sdk.ErrorCode;
import io.assay.sdk.ModelConfig;
import io.assay.sdk.diffusion.NoiseStream;
import io.assay.sdk.diffusion.Recommended;
import io.assay.sdk.diffusion.RecommendedRanges;
import io.assay.sdk.diffusion.Scheduler;
import io.assay.sdk.settings.ModelConfigs;
import io.assay.sdk.tensor.Tensor;
import io.assay.sdk.testkit.SeededNoise;
import io.assay.sdk.testkit.Tensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The {@link Scheduler} contract: plans whose timesteps and σ never increase and stay in the training range,
 * {@code step()} returning new latents of the sample's shape without touching its inputs (nor keeping references to
 * them), determinism for a given noise stream, independent runs from one instance, noise drawn only through
 * {@link NoiseStream#drawForStep} with the sample's shape, image-to-image helpers, and the declared behaviours
 * ({@link #stochastic()}, {@link #computesDenoised()}, {@link Scheduler.Sampling#resultIsDenoised()}). Optionally,
 * the diffusers reference trajectories ({@link #referenceRuns()}), a model trained with 500 timesteps
 * ({@link #createForModel}), and the {@link Recommended} ranges a component declares.
 *
 * <p>Runs are driven by the references' fake model ({@link SchedulerReference#fakeModel}) and a seeded N(0, 1)
 * stream.
 */
public interface SchedulerContract extends StageContract<Scheduler> {

    /** The step count of the runs the contract drives. */
    default int steps() {
        return 10;
    }

    /** Step counts whose plans are checked (timesteps, σ, iterations). */
    default List<Integer> plannedStepCounts() {
        return List.of(1, 2, 4, steps(), 50);
    }

    /** The latent shape the runs use. */
    default long[] latentShape() {
        return new long[] {1, 4, 8, 8};
    }

    /** The training timesteps {@code T}: every timestep must lie in {@code [0, T − 1]}. */
    default int trainTimesteps() {
        return 1000;
    }

    /** Declares that steps draw noise (ancestral, SDE, LCM); otherwise a step must never draw. */
    default boolean stochastic() {
        return false;
    }

    /** Declares that every step returns its predicted clean sample in {@link Scheduler.Step#denoised()}. */
    default boolean computesDenoised() {
        return false;
    }

    /**
     * Reference runs to replay ({@link SchedulerReference#runs(String)}); none by default. The scheduler from
     * {@link #create()} must then have the references' SD 1.5 configuration.
     */
    default List<SchedulerReference.Run> referenceRuns() {
        return List.of();
    }

    /** The share of the references' tolerance a replay may use (1 = {@code 1e-4 + 1e-5·|ref|}). */
    default double referenceToleranceUse() {
        return 1.0;
    }

    /**
     * The component as the host builds it for a pipeline whose model has the configuration {@code model} (since SDK
     * 1.1: settings bound with {@code TestSettings.bind(type, "", model, "scheduler")}, a
     * {@code TestStageContext("scheduler", name, model)}; a scheduler that reads the file itself may use
     * {@code model.directory()}), or null (the default) if it does not read the model's configuration.
     */
    default Scheduler createForModel(ModelConfig model) {
        return null;
    }

    @Override
    default void use(Scheduler stage) {
        stage.plan(steps());
    }

    private Tensor startSample(Scheduler.Sampling s, long seed) {
        Tensor x = Tensors.normal(seed, latentShape());
        float init = (float) s.initNoiseSigma();
        float[] d = x.data();
        for (int j = 0; j < d.length; j++) {
            d[j] *= init;
        }
        return x;
    }

    /** A whole run; returns every prevSample (and checks shapes on the way). */
    private List<Tensor> trajectory(Scheduler scheduler, long seed, boolean clobberInputs) {
        String who = describe(scheduler);
        Scheduler.Sampling s = scheduler.plan(steps());
        Tensor x = startSample(s, seed);
        SeededNoise noise = new SeededNoise(seed + 1);
        List<Tensor> out = new ArrayList<>();
        for (int i = 0; i < s.iterations(); i++) {
            Tensor in = s.scaleModelInput(x, i);
            Tensor model = SchedulerReference.fakeModel(in, s.timestep(i));
            Scheduler.Step step = s.step(model, i, x, noise);
            check(step != null && step.prevSample() != null, who + ": expected step(" + i + ") to return a Step "
                    + "with a prevSample, but got " + step);
            Tensor next = step.prevSample();
            out.add(next.copy());
            if (clobberInputs) {
                // The engine may reuse its buffers once step() has returned (the SDK's ownership rule).
                Arrays.fill(model.data(), Float.NaN);
                Arrays.fill(in.data(), Float.NaN);
                Arrays.fill(x.data(), Float.NaN);
            }
            x = next;
        }
        return out;
    }

    /** {@code plan(0)} and {@code plan(-1)} are refused with INVALID_INPUT (as {@link Scheduler#plan} declares). */
    @Test
    default void planRefusesNonPositiveStepCounts() {
        try (Scheduler scheduler = create()) {
            String who = describe(scheduler);
            Checks.refused(who, "plan(0)", ErrorCode.INVALID_INPUT, () -> scheduler.plan(0));
            Checks.refused(who, "plan(-1)", ErrorCode.INVALID_INPUT, () -> scheduler.plan(-1));
        }
    }

    /** Timesteps never increase and lie in {@code [0, T − 1]}; at least one iteration per step. */
    @Test
    default void timestepsAreNonIncreasingAndInTheTrainingRange() {
        try (Scheduler scheduler = create()) {
            String who = describe(scheduler);
            for (int steps : plannedStepCounts()) {
                Scheduler.Sampling s = Checks.succeeds(who, "plan(" + steps + ")", () -> scheduler.plan(steps));
                int n = s.iterations();
                check(n >= steps, who + ": expected plan(" + steps + ") to have at least " + steps
                        + " iterations, but it has " + n);
                double previous = Double.POSITIVE_INFINITY;
                for (int i = 0; i < n; i++) {
                    double t = s.timestep(i);
                    check(t >= 0 && t <= trainTimesteps() - 1, who + ": expected timestep(" + i + ") of a "
                            + steps + "-step plan in the training range [0, " + (trainTimesteps() - 1)
                            + "], but it is " + t);
                    check(t <= previous, who + ": expected non-increasing timesteps, but in a " + steps
                            + "-step plan timestep(" + i + ") = " + t + " follows " + previous);
                    previous = t;
                }
            }
        }
    }

    /** σ is finite, non-negative and never increases; {@code initNoiseSigma} is positive. */
    @Test
    default void sigmasAreNonIncreasing() {
        try (Scheduler scheduler = create()) {
            String who = describe(scheduler);
            for (int steps : plannedStepCounts()) {
                Scheduler.Sampling s = scheduler.plan(steps);
                double previous = Double.POSITIVE_INFINITY;
                for (int i = 0; i < s.iterations(); i++) {
                    double sigma = s.sigma(i);
                    check(Double.isFinite(sigma) && sigma >= 0, who + ": expected sigma(" + i + ") of a " + steps
                            + "-step plan finite and >= 0, but it is " + sigma);
                    check(sigma <= previous, who + ": expected non-increasing sigmas, but in a " + steps
                            + "-step plan sigma(" + i + ") = " + sigma + " follows " + previous);
                    previous = sigma;
                }
                double init = s.initNoiseSigma();
                check(Double.isFinite(init) && init > 0, who + ": expected initNoiseSigma() finite and positive, "
                        + "but it is " + init);
            }
        }
    }

    /** {@code predictionType()} is declared. */
    @Test
    default void declaresItsPredictionType() {
        try (Scheduler scheduler = create()) {
            check(scheduler.predictionType() != null, describe(scheduler) + ": expected predictionType() to name "
                    + "what the denoiser must predict, but it is null");
        }
    }

    /** Every step returns new, finite latents of the sample's shape; {@code denoised} is null or that shape. */
    @Test
    default void stepReturnsLatentsOfTheSampleShape() {
        try (Scheduler scheduler = create()) {
            String who = describe(scheduler);
            Scheduler.Sampling s = scheduler.plan(steps());
            Tensor x = startSample(s, 11);
            SeededNoise noise = new SeededNoise(12);
            for (int i = 0; i < s.iterations(); i++) {
                Tensor in = s.scaleModelInput(x, i);
                Checks.shape(who, "scaleModelInput(x, " + i + ")", latentShape(), in);
                Checks.notShared(who, "scaleModelInput(x, " + i + ")", in, x);
                Tensor model = SchedulerReference.fakeModel(in, s.timestep(i));
                Scheduler.Step step = s.step(model, i, x, noise);
                Checks.shape(who, "step(" + i + ").prevSample()", latentShape(), step.prevSample());
                Checks.finite(who, "step(" + i + ").prevSample()", step.prevSample());
                Checks.notShared(who, "step(" + i + ").prevSample()", step.prevSample(), x, model, in);
                if (step.denoised() != null) {
                    Checks.shape(who, "step(" + i + ").denoised()", latentShape(), step.denoised());
                    Checks.finite(who, "step(" + i + ").denoised()", step.denoised());
                    Checks.notShared(who, "step(" + i + ").denoised()", step.denoised(), x, model, in);
                } else {
                    check(!computesDenoised(), who + ": declares computesDenoised(), so expected step(" + i
                            + ") to return denoised, but it is null");
                    check(!s.resultIsDenoised(), who + ": declares resultIsDenoised(), so expected step(" + i
                            + ") to return the denoised sample that is the run's result, but it is null");
                }
                x = step.prevSample();
            }
        }
    }

    /** {@code step}, {@code scaleModelInput} and {@code addNoise} leave every input tensor as it was. */
    @Test
    default void stepDoesNotModifyItsInputs() {
        try (Scheduler scheduler = create()) {
            String who = describe(scheduler);
            Scheduler.Sampling s = scheduler.plan(steps());
            Tensor x = startSample(s, 21);
            SeededNoise noise = new SeededNoise(22);
            for (int i = 0; i < s.iterations(); i++) {
                float[] xBefore = x.data().clone();
                Tensor in = s.scaleModelInput(x, i);
                Checks.unchanged(who, "'sample' of scaleModelInput(sample, " + i + ")", xBefore, x);
                Tensor model = SchedulerReference.fakeModel(in, s.timestep(i));
                float[] modelBefore = model.data().clone();
                Scheduler.Step step = s.step(model, i, x, noise);
                Checks.unchanged(who, "'sample' of step(modelOutput, " + i + ", sample, noise)", xBefore, x);
                Checks.unchanged(who, "'modelOutput' of step(modelOutput, " + i + ", sample, noise)", modelBefore,
                        model);
                x = step.prevSample();
            }
            Tensor clean = Tensors.normal(23, latentShape());
            Tensor n = Tensors.normal(24, latentShape());
            float[] cleanBefore = clean.data().clone();
            float[] nBefore = n.data().clone();
            Tensor noised = s.addNoise(clean, n, 0);
            Checks.unchanged(who, "'original' of addNoise(original, noise, 0)", cleanBefore, clean);
            Checks.unchanged(who, "'noise' of addNoise(original, noise, 0)", nBefore, n);
            Checks.shape(who, "addNoise(original, noise, 0)", latentShape(), noised);
            Checks.notShared(who, "addNoise(original, noise, 0)", noised, clean, n);
        }
    }

    /**
     * The caller may reuse its buffers once {@code step} returns: overwriting the model output, the model input and
     * the old sample with NaN must not change later steps (a multistep scheduler must copy the history it keeps).
     */
    @Test
    default void stepKeepsNoReferenceToItsInputs() {
        try (Scheduler a = create(); Scheduler b = create()) {
            List<Tensor> clean = trajectory(a, 31, false);
            List<Tensor> clobbered = trajectory(b, 31, true);
            for (int i = 0; i < clean.size(); i++) {
                String diff = Tensors.difference(clean.get(i).data(), clobbered.get(i).data(), 0);
                if (diff != null) {
                    throw fail(describe(a) + ": expected step " + i + " to be unaffected by the caller overwriting "
                            + "the tensors it passed to earlier steps (a scheduler must copy what it keeps), but "
                            + diff + " (untouched vs overwritten)");
                }
            }
        }
    }

    /** The same noise stream gives bit-identical runs; two runs planned from one instance do not interfere. */
    @Test
    default void runsAreDeterministicAndIndependent() {
        try (Scheduler scheduler = create()) {
            String who = describe(scheduler);
            List<Tensor> first = trajectory(scheduler, 41, false);
            List<Tensor> second = trajectory(scheduler, 41, false);
            for (int i = 0; i < first.size(); i++) {
                Checks.bitIdentical(who, "the sample after step " + i + " of two runs with the same noise",
                        first.get(i), second.get(i));
            }
            // Interleaved runs from one instance: all per-run state must live in the Sampling.
            Scheduler.Sampling p = scheduler.plan(steps());
            Scheduler.Sampling q = scheduler.plan(steps());
            Tensor xp = startSample(p, 41);
            Tensor xq = startSample(q, 41);
            SeededNoise np = new SeededNoise(42);
            SeededNoise nq = new SeededNoise(42);
            for (int i = 0; i < p.iterations(); i++) {
                xp = p.step(SchedulerReference.fakeModel(p.scaleModelInput(xp, i), p.timestep(i)), i, xp, np)
                        .prevSample();
                xq = q.step(SchedulerReference.fakeModel(q.scaleModelInput(xq, i), q.timestep(i)), i, xq, nq)
                        .prevSample();
                Checks.bitIdentical(who, "the sample after step " + i + " of two interleaved runs planned from one "
                        + "instance", xp, xq);
                Checks.bitIdentical(who, "the sample after step " + i + " of an interleaved run and a run on its own",
                        first.get(i), xp);
            }
        }
    }

    /**
     * Noise is drawn only through {@code drawForStep(i, shape)} with the current iteration and the sample's shape;
     * a scheduler not declared {@link #stochastic()} draws nothing, a stochastic one draws, and different noise
     * changes its result.
     */
    @Test
    default void noiseIsDrawnPerStepAsDeclared() {
        try (Scheduler scheduler = create()) {
            String who = describe(scheduler);
            Scheduler.Sampling s = scheduler.plan(steps());
            Tensor x = startSample(s, 51);
            SeededNoise noise = new SeededNoise(52);
            for (int i = 0; i < s.iterations(); i++) {
                int before = noise.calls().size();
                x = s.step(SchedulerReference.fakeModel(s.scaleModelInput(x, i), s.timestep(i)), i, x, noise)
                        .prevSample();
                for (String call : noise.calls().subList(before, noise.calls().size())) {
                    String expected = "step " + i + " " + Arrays.toString(latentShape());
                    check(call.equals(expected), who + ": expected step(" + i + ") to draw noise as drawForStep("
                            + i + ", " + Arrays.toString(latentShape()) + "), but it called " + call);
                }
            }
            if (stochastic()) {
                check(!noise.calls().isEmpty(), who + ": declares stochastic(), so expected steps to draw noise, but "
                        + "a " + steps() + "-step run drew none");
                Scheduler.Sampling other = scheduler.plan(steps());
                Tensor y = startSample(other, 51);
                SeededNoise different = new SeededNoise(53);
                for (int i = 0; i < other.iterations(); i++) {
                    y = other.step(SchedulerReference.fakeModel(other.scaleModelInput(y, i), other.timestep(i)), i,
                            y, different).prevSample();
                }
                check(Tensors.difference(x.data(), y.data(), 0) != null, who + ": declares stochastic(), so "
                        + "expected different noise to change the result, but two runs with different noise ended "
                        + "bit-identical");
            } else {
                check(noise.calls().isEmpty(), who + ": is not declared stochastic(), so expected no noise draws, but "
                        + "it drew " + noise.calls());
            }
        }
    }

    /**
     * Image-to-image: {@code firstIteration(steps, 1)} is 0, a partial strength starts inside the run, and a run
     * started there from {@code addNoise} latents steps to the end.
     */
    @Test
    default void imageToImageStartsInsideTheRun() {
        try (Scheduler scheduler = create()) {
            String who = describe(scheduler);
            Scheduler.Sampling full = scheduler.plan(steps());
            check(full.firstIteration(steps(), 1.0) == 0, who + ": expected firstIteration(" + steps()
                    + ", 1.0) = 0 (full strength runs every iteration), but it is "
                    + full.firstIteration(steps(), 1.0));
            Scheduler.Sampling s = scheduler.plan(steps());
            int first = s.firstIteration(steps(), 0.5);
            check(first > 0 && first < s.iterations(), who + ": expected firstIteration(" + steps()
                    + ", 0.5) inside the run (0 < first < " + s.iterations() + "), but it is " + first);
            Tensor x = s.addNoise(Tensors.normal(61, latentShape()), Tensors.normal(62, latentShape()), first);
            SeededNoise noise = new SeededNoise(63);
            for (int i = first; i < s.iterations(); i++) {
                int iteration = i;
                Tensor current = x;
                x = Checks.succeeds(who, "step(" + i + ") of a run starting at iteration " + first,
                        () -> s.step(SchedulerReference.fakeModel(s.scaleModelInput(current, iteration),
                                s.timestep(iteration)), iteration, current, noise)).prevSample();
                Checks.shape(who, "the sample after step " + i + " of an image-to-image run", latentShape(), x);
            }
            Checks.finite(who, "the result of an image-to-image run", x);
        }
    }

    /** The diffusers reference trajectories the fixture declares, one dynamic test per run. */
    @TestFactory
    default Stream<DynamicTest> matchesTheReferenceTrajectories() {
        return referenceRuns().stream().map(run -> DynamicTest.dynamicTest(run.toString(), () -> {
            try (Scheduler scheduler = create()) {
                SchedulerReference.assertMatches(scheduler, run, referenceToleranceUse());
            }
        }));
    }

    /**
     * Built for a model trained with 500 timesteps (SD 1.5's scheduler config with {@code num_train_timesteps = 500}),
     * every timestep of a 20-step plan lies in {@code [0, 499]} and the first in its top fifth: the scheduler follows
     * the model, not its own 1000-step default (which starts at 951 with leading spacing; diffusers' DDIM starts at
     * 476). Skipped unless the fixture implements {@link #createForModel}.
     */
    @Test
    default void honoursTheModelsTrainingTimesteps() throws IOException {
        Path dir = Files.createTempDirectory("assay-model-");
        try {
            Path file = dir.resolve(ModelConfig.SCHEDULER);
            Files.createDirectories(file.getParent());
            Files.writeString(file, "{\"_class_name\": \"PNDMScheduler\", \"beta_end\": 0.012, \"beta_schedule\": "
                    + "\"scaled_linear\", \"beta_start\": 0.00085, \"clip_sample\": false, \"num_train_timesteps\": "
                    + "500, \"prediction_type\": \"epsilon\", \"set_alpha_to_one\": false, \"skip_prk_steps\": true, "
                    + "\"steps_offset\": 1, \"timestep_spacing\": \"leading\", \"trained_betas\": null}");
            Scheduler scheduler = createForModel(ModelConfigs.read(dir));
            Assumptions.assumeTrue(scheduler != null, "the fixture does not build the scheduler for a model "
                    + "(createForModel)");
            try (scheduler) {
                String who = describe(scheduler) + " built for a model with num_train_timesteps = 500";
                Scheduler.Sampling s = scheduler.plan(20);
                for (int i = 0; i < s.iterations(); i++) {
                    double t = s.timestep(i);
                    check(t >= 0 && t <= 499, who + ": expected every timestep of plan(20) in [0, 499], but "
                            + "iteration " + i + " has " + t + " (is the model's scheduler_config.json ignored?)");
                }
                check(s.timestep(0) >= 400, who + ": expected the first timestep of plan(20) near the top of the "
                        + "500-step schedule, but it is " + s.timestep(0));
            }
        } finally {
            io.assay.sdk.testkit.ModelDirectories.deleteTree(dir);
        }
    }

    /** A {@link Recommended} declaration is well-formed, and its step range plans at both ends. */
    @Test
    default void recommendedRangesAreWellFormedAndPlannable() {
        try (Scheduler scheduler = create()) {
            String who = describe(scheduler);
            List<String> problems = RecommendedRanges.problems(scheduler.getClass());
            check(problems.isEmpty(), who + ": " + String.join("; ", problems));
            Recommended r = scheduler.getClass().getAnnotation(Recommended.class);
            if (r != null && r.steps().length == 2) {
                for (int steps : r.steps()) {
                    Checks.succeeds(who, "plan(" + steps + ") (a recommended step count)", () -> scheduler.plan(steps));
                }
            }
        }
    }
}
