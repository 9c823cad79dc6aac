package io.assay.sdk.testkit.contract;

import static io.assay.sdk.testkit.contract.Checks.check;
import static io.assay.sdk.testkit.contract.Checks.describe;

import io.assay.sdk.diffusion.ConditioningKind;
import io.assay.sdk.diffusion.Guidance;
import io.assay.sdk.tensor.Tensor;
import io.assay.sdk.testkit.Tensors;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The {@link Guidance} contract: every step {@code needs()} at least one conditioning without duplicates;
 * {@code combine()} returns a new tensor of the predictions' shape, leaves its inputs alone, treats batch rows
 * independently and is deterministic; every {@link Guidance.Run} is independent of the others ({@code start()} twice
 * gives two fresh runs, however they interleave); {@code describe()} says what ran. A guidance declared
 * {@link #cfgLike()} must return {@code cond} at scale 1 and whenever {@code uncond == cond}.
 *
 * <p>The run's steps ({@link #steps()}) sweep σ from 14.6 down to 0.03 (SD 1.x's range), so σ-dependent guidance
 * (intervals) is exercised on both sides.
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
     * Declares classifier-free-guidance-like behaviour: at scale 1 the result is {@code cond}, and with
     * {@code uncond == cond} it is {@code cond} at any scale. Requires {@link #createAtScale}.
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
        stage.start(iterations()).needs(steps().get(0));
    }

    private Map<ConditioningKind, Tensor> predictions(List<ConditioningKind> needs, long seed, long[] shape) {
        Map<ConditioningKind, Tensor> m = new EnumMap<>(ConditioningKind.class);
        for (ConditioningKind k : needs) {
            m.put(k, Tensors.normal(seed * 31 + k.ordinal(), shape));
        }
        return m;
    }

    /** One whole run; the predictions of step i come from seed {@code seed + i}. */
    private List<Tensor> run(Guidance.Run run, long seed) {
        List<Tensor> out = new ArrayList<>();
        for (Guidance.StepInfo step : steps()) {
            List<ConditioningKind> needs = run.needs(step);
            out.add(run.combine(step, predictions(needs, seed + step.iteration(), predictionShape()),
                    Tensors.normal(seed - step.iteration(), predictionShape())));
        }
        return out;
    }

    /** Every step needs at least one conditioning, each at most once. */
    @Test
    default void needsIsNonEmptyWithoutDuplicates() {
        try (Guidance guidance = create()) {
            String who = describe(guidance);
            Guidance.Run run = guidance.start(iterations());
            for (Guidance.StepInfo step : steps()) {
                List<ConditioningKind> needs = run.needs(step);
                check(needs != null && !needs.isEmpty(), who + ": expected needs(" + step + ") to name at least one "
                        + "conditioning, but it returned " + needs);
                check(new HashSet<>(needs).size() == needs.size(), who + ": expected needs(" + step
                        + ") without duplicates, but it returned " + needs);
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
                Guidance.Run run = guidance.start(iterations());
                for (Guidance.StepInfo step : steps()) {
                    Map<ConditioningKind, Tensor> p = predictions(run.needs(step), step.iteration(), shape);
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
            Guidance.Run run = guidance.start(iterations());
            for (Guidance.StepInfo step : steps()) {
                Map<ConditioningKind, Tensor> p = predictions(run.needs(step), step.iteration(), predictionShape());
                Map<ConditioningKind, float[]> before = new EnumMap<>(ConditioningKind.class);
                p.forEach((k, t) -> before.put(k, t.data().clone()));
                Tensor sample = Tensors.normal(7, predictionShape());
                float[] sampleBefore = sample.data().clone();
                run.combine(step, p, sample);
                for (Map.Entry<ConditioningKind, Tensor> e : p.entrySet()) {
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
            List<Tensor> a = run(guidance.start(iterations()), 5);
            List<Tensor> b = run(guidance.start(iterations()), 5);
            for (int i = 0; i < a.size(); i++) {
                Checks.bitIdentical(who, "the guided output of step " + i, a.get(i), b.get(i));
            }
        }
    }

    /**
     * Per-run state lives in the {@link Guidance.Run}: a run started after another has run, and two runs
     * interleaved step by step, give the results of a run on its own.
     */
    @Test
    default void eachStartGivesAnIndependentRun() {
        try (Guidance guidance = create()) {
            String who = describe(guidance);
            List<Tensor> alone = run(guidance.start(iterations()), 11);
            List<Tensor> again = run(guidance.start(iterations()), 11);
            for (int i = 0; i < alone.size(); i++) {
                Checks.bitIdentical(who, "step " + i + " of a run started after another run finished (state leaked "
                        + "from the earlier run?)", alone.get(i), again.get(i));
            }
            Guidance.Run p = guidance.start(iterations());
            Guidance.Run q = guidance.start(iterations());
            for (Guidance.StepInfo step : steps()) {
                long seed = 11 + step.iteration();
                Tensor sample = Tensors.normal(11 - step.iteration(), predictionShape());
                Tensor outP = p.combine(step, predictions(p.needs(step), seed, predictionShape()), sample);
                // q sees different predictions, so shared state would show up in p's next steps.
                Tensor outQ = q.combine(step, predictions(q.needs(step), seed + 1000, predictionShape()), sample);
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
            Guidance.Run single = guidance.start(iterations());
            Guidance.Run batched = guidance.start(iterations());
            for (Guidance.StepInfo step : steps()) {
                Map<ConditioningKind, Tensor> p1 = predictions(single.needs(step), step.iteration(), one);
                Map<ConditioningKind, Tensor> p2 = new EnumMap<>(ConditioningKind.class);
                for (ConditioningKind k : batched.needs(step)) {
                    // A second row of another scale, so per-row norms and statistics differ from row 0's.
                    Tensor other = Tensors.uniform(500 + k.ordinal(), -6f, 6f, one);
                    p2.put(k, Tensor.concatBatch(List.of(p1.get(k), other)));
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
            Guidance.Run run = guidance.start(iterations());
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
            Guidance.Run run = guidance.start(iterations());
            for (Guidance.StepInfo step : steps()) {
                Map<ConditioningKind, Tensor> p = predictions(run.needs(step), step.iteration(), predictionShape());
                check(p.containsKey(ConditioningKind.COND), who + ": is declared CFG-like, so expected needs(" + step
                        + ") to include COND, but it returned " + p.keySet());
                Tensor out = run.combine(step, p, Tensors.normal(3, predictionShape()));
                Checks.close(who, "the result at step " + step.iteration() + " (= cond, since uncond + 1·(cond − "
                        + "uncond) = cond)", p.get(ConditioningKind.COND), out, tolerance());
            }
        }
    }

    /** CFG-like: when {@code uncond == cond} the result is {@code cond}, at the fixture's scale. */
    @Test
    default void cfgLikeWithEqualPredictionsReturnsCond() {
        if (!cfgLike()) {
            return;
        }
        try (Guidance guidance = create()) {
            String who = describe(guidance);
            Guidance.Run run = guidance.start(iterations());
            for (Guidance.StepInfo step : steps()) {
                List<ConditioningKind> needs = run.needs(step);
                Tensor cond = Tensors.normal(step.iteration(), predictionShape());
                Map<ConditioningKind, Tensor> p = new EnumMap<>(ConditioningKind.class);
                for (ConditioningKind k : needs) {
                    p.put(k, cond.copy());
                }
                Tensor out = run.combine(step, p, Tensors.normal(4, predictionShape()));
                Checks.close(who, "the result at step " + step.iteration() + " with uncond == cond (= cond, since "
                        + "cond − uncond = 0)", cond, out, tolerance());
            }
        }
    }
}
