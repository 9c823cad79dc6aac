package io.assay.plugins.guidance;

import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import io.assay.sdk.diffusion.ConditioningKey;
import io.assay.sdk.diffusion.ConditioningText;
import io.assay.sdk.diffusion.Guidance;
import io.assay.sdk.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The shared part of the multi-term runs ({@code composable}, {@code perp-neg}): every step needs every declared
 * conditioning, in declaration order; {@link #combine} checks it got exactly those, of one shape, and hands the
 * arithmetic the predictions in declaration order.
 */
abstract class TermsRun implements Guidance.KeyedRun {

    final String component;
    final int iterations;
    private final List<ConditioningText> conditionings;
    private final List<ConditioningKey> keys;
    private int steps;

    TermsRun(String component, int iterations, List<ConditioningText> conditionings) {
        if (iterations < 1) {
            throw new StageException(ErrorCode.INVALID_INPUT, "Guidance '" + component + "' cannot start a run of "
                    + iterations + " iterations; expected at least 1");
        }
        this.component = component;
        this.iterations = iterations;
        this.conditionings = List.copyOf(conditionings);
        this.keys = this.conditionings.stream().map(ConditioningText::key).toList();
    }

    /**
     * The guided output of one step.
     *
     * @param p the predictions' data in {@link #conditionings()} order, all of {@code items} items of
     *     {@code perItem} elements
     * @return the output's data
     */
    abstract float[] guide(List<float[]> p, int items, int perItem);

    /** The formula with the terms and weights, for {@link #describe()}. */
    abstract String formula();

    @Override
    public final List<ConditioningText> conditionings() {
        return conditionings;
    }

    @Override
    public final List<ConditioningKey> needs(Guidance.StepInfo step) {
        checkStep(step);
        return keys;
    }

    @Override
    public final Tensor combine(Guidance.StepInfo step, Map<ConditioningKey, Tensor> predictions, Tensor sample) {
        checkStep(step);
        if (predictions == null || !predictions.keySet().equals(Set.copyOf(keys))
                || keys.stream().anyMatch(k -> predictions.get(k) == null)) {
            throw new StageException(ErrorCode.INVALID_INPUT, "Guidance '" + component + "' needs predictions "
                    + keys + " at iteration " + step.iteration() + " but got "
                    + (predictions == null ? "null" : predictions.keySet()));
        }
        Tensor first = predictions.get(keys.get(0));
        if (first.rank() < 1 || first.dim(0) < 1) {
            throw new StageException(ErrorCode.INVALID_INPUT, "Guidance '" + component + "' got predictions of "
                    + "shape " + first.shapeString() + "; expected [B, ...] with B >= 1");
        }
        List<float[]> data = new ArrayList<>(keys.size());
        for (ConditioningKey k : keys) {
            Tensor t = predictions.get(k);
            if (!t.sameShape(first)) {
                throw new StageException(ErrorCode.INVALID_INPUT, "Guidance '" + component + "' got a '" + k
                        + "' prediction of shape " + t.shapeString() + " but a '" + keys.get(0) + "' one of shape "
                        + first.shapeString() + " at iteration " + step.iteration() + "; they must be equal");
            }
            data.add(t.data());
        }
        steps++;
        return new Tensor(first.shape(), guide(data, first.intDim(0), GuidanceRun.perItem(first)));
    }

    @Override
    public final String describe() {
        return formula() + "; " + keys.size() + " denoiser passes per step, " + steps + " steps combined";
    }

    private void checkStep(Guidance.StepInfo step) {
        if (step == null || step.iteration() < 0 || step.iteration() >= iterations) {
            throw new StageException(ErrorCode.INVALID_INPUT, "Guidance '" + component + "' got step "
                    + step + "; this run has iterations 0.." + (iterations - 1));
        }
    }

    /** The declared conditionings as {@code key "text"}, comma-separated, for {@link #formula()}. */
    final String named() {
        StringBuilder b = new StringBuilder();
        for (ConditioningText c : conditionings) {
            b.append(b.length() == 0 ? "" : ", ").append(c.key()).append(" \"").append(c.text()).append('"');
        }
        return b.toString();
    }

    /** The key of positive term {@code i}: {@code cond}, then {@code cond-1}, {@code cond-2} … */
    static ConditioningKey positive(int i) {
        return i == 0 ? ConditioningKey.COND : new ConditioningKey("cond-" + i);
    }
}
