package io.assay.sdk.testkit.contract;

import static io.assay.sdk.testkit.contract.Checks.check;
import static io.assay.sdk.testkit.contract.Checks.describe;

import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import io.assay.sdk.diffusion.ConditioningKey;
import io.assay.sdk.diffusion.ConditioningText;
import io.assay.sdk.diffusion.Guidance;
import io.assay.sdk.tensor.Tensor;
import io.assay.sdk.testkit.Tensors;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The {@link Guidance} contract, run through {@link Guidance#start(Guidance.Prompt, int)} as an SDK 1.1 host calls it
 * (an SDK 1.0 guidance through the SDK's adapter): {@code conditionings()} declares each key once with its text and
 * stays the same for the run; every step {@code needs()} a non-empty subset of them without duplicates;
 * {@code combine()} returns a new tensor of the predictions' shape, leaves its inputs alone, treats batch rows
 * independently and is deterministic; every run is independent of the others ({@code start()} twice gives two fresh
 * runs, however they interleave); {@code describe()} says what ran; {@code start(iterations)} is either an SDK 1.0
 * run or refused with {@code UNSUPPORTED}. A guidance declared {@link #cfgLike()} must return {@code cond} at scale 1
 * and whenever all predictions are equal.
 *
 * <p>The run's steps ({@link #steps()}) sweep σ from 14.6 down to 0.03 (SD 1.x's range), so σ-dependent guidance
 * (intervals) is exercised on both sides. The predictions of a key are seeded by its position in
 * {@code conditionings()}.
 */
public interface GuidanceContract extends StageContract<Guidance> {

    /** The shape of one model prediction, {@code [B, C, h, w]}. */
    default long[] predictionShape() {
        return new long[] {1, 4, 8, 8};
    }

    /** Loop iterations of the runs. */
    default int iterations() {
        return 8;
    }

    /**
     * The prompt of the runs (since SDK 1.1); a guidance that parses the prompt (composable terms, negative terms)
     * returns one that exercises its syntax.
     */
    default Guidance.Prompt prompt() {
        return new Guidance.Prompt("a red circle on a blue background", "blurry");
    }

    /** The steps of a run: timesteps 999 → 0 and σ geometric from 14.6 to 0.03. */
    default List<Guidance.StepInfo> steps() {
        int n = iterations();
        List<Guidance.StepInfo> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double f = n == 1 ? 0 : (double) i / (n - 1);
            out.add(new Guidance.StepInfo(i, n, Math.rint(999 * (1 - f)), 14.6 * Math.pow(0.03 / 14.6, f)));
        }
        return out;
    }

    /**
     * Declares classifier-free-guidance-like behaviour: at scale 1 the result is {@code cond}, and with all
     * predictions equal it is {@code cond} at any scale. Requires {@link #createAtScale}.
     */
    default boolean cfgLike() {
        return false;
    }

    /** The component at guidance scale {@code scale} (other settings as in {@link #create()}); for {@link #cfgLike()}. */
    default Guidance createAtScale(double scale) {
        throw new UnsupportedOperationException("a fixture declaring cfgLike() must implement createAtScale(scale)");
    }

    /** Tolerance for the comparisons that are not exact (batch rows, CFG identities). */
    default double tolerance() {
        return 1e-6;
    }

    @Override
    default void use(Guidance stage) {
        stage.start(prompt(), iterations()).needs(steps().get(0));
    }

    private Guidance.KeyedRun start(Guidance guidance) {
        return guidance.start(prompt(), iterations());
    }

    /** One prediction per needed key; key {@code k}'s values are seeded by its position in the declaration. */
    private Map<ConditioningKey, Tensor> predictions(Guidance.KeyedRun run, List<ConditioningKey> needs, long seed,
            long[] shape) {
        List<ConditioningKey> declared = run.conditionings().stream().map(ConditioningText::key).toList();
        Map<ConditioningKey, Tensor> m = new LinkedHashMap<>();
        for (ConditioningKey k : needs) {
            m.put(k, Tensors.normal(seed * 31 + declared.indexOf(k), shape));
        }
        return m;
    }

    /** One whole run; the predictions of step i come from seed {@code seed + i}. */
    private List<Tensor> run(Guidance.KeyedRun run, long seed) {
        List<Tensor> out = new ArrayList<>();
        for (Guidance.StepInfo step : steps()) {
            out.add(run.combine(step, predictions(run, run.needs(step), seed + step.iteration(), predictionShape()),
                    Tensors.normal(seed - step.iteration(), predictionShape())));
        }
        return out;
    }

    /** {@code conditionings()} declares each key once, with a text, and the same list on every call of a run. */
    @Test
    default void conditioningsAreDeclaredOnceEach() {
        try (Guidance guidance = create()) {
            String who = describe(guidance);
            Guidance.KeyedRun run = start(guidance);
            List<ConditioningText> declared = run.conditionings();
            check(declared != null && !declared.isEmpty(), who + ": expected conditionings() to declare at least one "
                    + "conditioning, but it returned " + declared);
            Set<ConditioningKey> keys = new HashSet<>();
            for (ConditioningText c : declared) {
                check(c != null && keys.add(c.key()), who + ": expected each key once in conditionings(), but it "
                        + "returned " + declared);
            }
            run(run, 1);
            check(declared.equals(run.conditionings()), who + ": expected conditionings() to stay the same for the "
                    + "run, but it was " + declared + " before the steps and " + run.conditionings() + " after");
        }
    }

    /** Every step needs at least one declared conditioning, each at most once. */
    @Test
    default void needsIsNonEmptyWithoutDuplicates() {
        try (Guidance guidance = create()) {
            String who = describe(guidance);
            Guidance.KeyedRun run = start(guidance);
            Set<ConditioningKey> declared = new HashSet<>();
            run.conditionings().forEach(c -> declared.add(c.key()));
            for (Guidance.StepInfo step : steps()) {
                List<ConditioningKey> needs = run.needs(step);
                check(needs != null && !needs.isEmpty(), who + ": expected needs(" + step + ") to name at least one "
                        + "conditioning, but it returned " + needs);
                check(new HashSet<>(needs).size() == needs.size(), who + ": expected needs(" + step
                        + ") without duplicates, but it returned " + needs);
                check(declared.containsAll(needs), who + ": expected needs(" + step + ") to name declared "
                        + "conditionings " + declared + " only, but it returned " + needs);
            }
        }
    }

    /** {@code start(iterations)} (SDK 1.0) gives a run, or is refused with {@code StageException(UNSUPPORTED)}. */
    @Test
    default void startWithoutThePromptRunsOrIsRefusedAsUnsupported() {
        try (Guidance guidance = create()) {
            try {
                Guidance.Run run = guidance.start(iterations());
                check(run != null, describe(guidance) + ": expected start(iterations) to return a run or throw "
                        + "StageException(UNSUPPORTED), but it returned null");
            } catch (StageException e) {
                check(e.code() == ErrorCode.UNSUPPORTED, describe(guidance) + ": expected start(iterations) to be "
                        + "refused with UNSUPPORTED if at all, but it threw " + e.code() + ": " + e.getMessage());
            }
        }
    }

    /** {@code combine} returns a new, finite tensor of the predictions' shape (batch 1 and 2). */
    @Test
    default void combineReturnsANewTensorOfThePredictionShape() {
        try (Guidance guidance = create()) {
            String who = describe(guidance);
            for (long batch : new long[] {1, 2}) {
                long[] shape = predictionShape().clone();
                shape[0] = batch;
                Guidance.KeyedRun run = start(guidance);
                for (Guidance.StepInfo step : steps()) {
                    Map<ConditioningKey, Tensor> p = predictions(run, run.needs(step), step.iteration(), shape);
                    Tensor sample = Tensors.normal(99, shape);
                    Tensor out = run.combine(step, p, sample);
                    String what = "combine(" + step + ", " + p.keySet() + ")";
                    Checks.shape(who, what, shape, out);
                    Checks.finite(who, what, out);
                    List<Tensor> inputs = new ArrayList<>(p.values());
                    inputs.add(sample);
                    Checks.notShared(who, what, out, inputs.toArray(Tensor[]::new));
                }
            }
        }
    }

    /** The predictions and the sample passed to {@code combine} are not modified. */
    @Test
    default void combineDoesNotModifyItsInputs() {
        try (Guidance guidance = create()) {
            String who = describe(guidance);
            Guidance.KeyedRun run = start(guidance);
            for (Guidance.StepInfo step : steps()) {
                Map<ConditioningKey, Tensor> p = predictions(run, run.needs(step), step.iteration(),
                        predictionShape());
                Map<ConditioningKey, float[]> before = new LinkedHashMap<>();
                p.forEach((k, t) -> before.put(k, t.data().clone()));
                Tensor sample = Tensors.normal(7, predictionShape());
                float[] sampleBefore = sample.data().clone();
                run.combine(step, p, sample);
                for (Map.Entry<ConditioningKey, Tensor> e : p.entrySet()) {
                    Checks.unchanged(who, "prediction " + e.getKey() + " of combine(" + step + ")",
                            before.get(e.getKey()), e.getValue());
                }
                Checks.unchanged(who, "'sample' of combine(" + step + ")", sampleBefore, sample);
            }
        }
    }

    /** Two runs with the same predictions give bit-identical results. */
    @Test
    default void combineIsDeterministic() {
        try (Guidance guidance = create()) {
            String who = describe(guidance);
            List<Tensor> a = run(start(guidance), 5);
            List<Tensor> b = run(start(guidance), 5);
            for (int i = 0; i < a.size(); i++) {
                Checks.bitIdentical(who, "the guided output of step " + i, a.get(i), b.get(i));
            }
        }
    }

    /**
     * Per-run state lives in the run: a run started after another has run, and two runs interleaved step by step,
     * give the results of a run on its own.
     */
    @Test
    default void eachStartGivesAnIndependentRun() {
        try (Guidance guidance = create()) {
            String who = describe(guidance);
            List<Tensor> alone = run(start(guidance), 11);
            List<Tensor> again = run(start(guidance), 11);
            for (int i = 0; i < alone.size(); i++) {
                Checks.bitIdentical(who, "step " + i + " of a run started after another run finished (state leaked "
                        + "from the earlier run?)", alone.get(i), again.get(i));
            }
            Guidance.KeyedRun p = start(guidance);
            Guidance.KeyedRun q = start(guidance);
            for (Guidance.StepInfo step : steps()) {
                long seed = 11 + step.iteration();
                Tensor sample = Tensors.normal(11 - step.iteration(), predictionShape());
                Tensor outP = p.combine(step, predictions(p, p.needs(step), seed, predictionShape()), sample);
                // q sees different predictions, so shared state would show up in p's next steps.
                Tensor outQ = q.combine(step, predictions(q, q.needs(step), seed + 1000, predictionShape()), sample);
                Checks.bitIdentical(who, "step " + step.iteration() + " of a run interleaved with another run (state "
                        + "shared between runs of one instance?)", alone.get(step.iteration()), outP);
                check(outQ != null, who + ": combine returned null");
            }
        }
    }

    /** Batch rows are guided independently: row 0 of a batch of two equals the batch of one. */
    @Test
    default void batchRowsAreIndependent() {
        try (Guidance guidance = create()) {
            String who = describe(guidance);
            long[] one = predictionShape().clone();
            one[0] = 1;
            long[] two = one.clone();
            two[0] = 2;
            Guidance.KeyedRun single = start(guidance);
            Guidance.KeyedRun batched = start(guidance);
            for (Guidance.StepInfo step : steps()) {
                Map<ConditioningKey, Tensor> p1 = predictions(single, single.needs(step), step.iteration(), one);
                Map<ConditioningKey, Tensor> p2 = new LinkedHashMap<>();
                int k = 0;
                for (ConditioningKey key : batched.needs(step)) {
                    // A second row of another scale, so per-row norms and statistics differ from row 0's.
                    Tensor other = Tensors.uniform(500 + k++, -6f, 6f, one);
                    p2.put(key, Tensor.concatBatch(List.of(p1.get(key), other)));
                }
                Tensor s1 = Tensors.normal(1, one);
                Tensor out1 = single.combine(step, p1, s1);
                Tensor out2 = batched.combine(step, p2, Tensor.concatBatch(List.of(s1, Tensors.normal(2, one))));
                Checks.close(who, "row 0 of a batch of two at step " + step.iteration() + " (the batch of one's result)",
                        out1, out2.batchItem(0), tolerance());
            }
        }
    }

    /** After a run, {@code describe()} says what ran. */
    @Test
    default void describeSaysWhatRan() {
        try (Guidance guidance = create()) {
            Guidance.KeyedRun run = start(guidance);
            run(run, 3);
            String d = run.describe();
            check(d != null && !d.isBlank(), describe(guidance) + ": expected describe() after a run to give the "
                    + "formula and whether the unconditional pass ran, but it returned '" + d + "'");
        }
    }

    /** CFG-like: at scale 1 every step's result is {@code cond}. */
    @Test
    default void cfgLikeAtScaleOneReturnsCond() {
        if (!cfgLike()) {
            return;
        }
        try (Guidance guidance = createAtScale(1.0)) {
            String who = describe(guidance) + " at scale 1";
            Guidance.KeyedRun run = start(guidance);
            for (Guidance.StepInfo step : steps()) {
                Map<ConditioningKey, Tensor> p = predictions(run, run.needs(step), step.iteration(),
                        predictionShape());
                check(p.containsKey(ConditioningKey.COND), who + ": is declared CFG-like, so expected needs(" + step
                        + ") to include COND, but it returned " + p.keySet());
                Tensor out = run.combine(step, p, Tensors.normal(3, predictionShape()));
                Checks.close(who, "the result at step " + step.iteration() + " (= cond, since uncond + 1·(cond − "
                        + "uncond) = cond)", p.get(ConditioningKey.COND), out, tolerance());
            }
        }
    }

    /** CFG-like: when every prediction equals {@code cond} the result is {@code cond}, at the fixture's scale. */
    @Test
    default void cfgLikeWithEqualPredictionsReturnsCond() {
        if (!cfgLike()) {
            return;
        }
        try (Guidance guidance = create()) {
            String who = describe(guidance);
            Guidance.KeyedRun run = start(guidance);
            for (Guidance.StepInfo step : steps()) {
                Tensor cond = Tensors.normal(step.iteration(), predictionShape());
                Map<ConditioningKey, Tensor> p = new LinkedHashMap<>();
                for (ConditioningKey k : run.needs(step)) {
                    p.put(k, cond.copy());
                }
                Tensor out = run.combine(step, p, Tensors.normal(4, predictionShape()));
                Checks.close(who, "the result at step " + step.iteration() + " with all predictions equal (= cond, "
                        + "since every difference is 0)", cond, out, tolerance());
            }
        }
    }
}
