package io.assay.plugins.guidance;

import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import io.assay.sdk.diffusion.ConditioningKind;
import io.assay.sdk.diffusion.Guidance;
import io.assay.sdk.tensor.Tensor;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The shared part of every run of this plugin: whether a step is guided decides what it {@link #needs}
 * ({@code [UNCOND, COND]}, rows in diffusers' order, {@code [COND]} alone, or {@code [UNCOND]} alone where the
 * guided result cannot depend on {@code cond}), {@link #combine} checks it got exactly that and counts the
 * unconditional passes for {@link #describe}.
 */
abstract class GuidanceRun implements Guidance.Run {

    static final List<ConditioningKind> BOTH = List.of(ConditioningKind.UNCOND, ConditioningKind.COND);
    static final List<ConditioningKind> COND_ONLY = List.of(ConditioningKind.COND);
    static final List<ConditioningKind> UNCOND_ONLY = List.of(ConditioningKind.UNCOND);

    final String component;
    final int iterations;
    private int stepsCombined;
    private int guidedSteps;
    private int firstGuided = -1;
    private int lastGuided = -1;

    GuidanceRun(String component, int iterations) {
        if (iterations < 1) {
            throw new StageException(ErrorCode.INVALID_INPUT, "Guidance '" + component + "' cannot start a run of "
                    + iterations + " iterations; expected at least 1");
        }
        this.component = component;
        this.iterations = iterations;
    }

    /** Whether this step combines an unconditional prediction (so needs both rows). */
    abstract boolean guided(Guidance.StepInfo step);

    /** The guided combination of one step; inputs have equal shapes and must not be modified. */
    abstract Tensor guide(Guidance.StepInfo step, Tensor uncond, Tensor cond);

    /** The formula, e.g. {@code "cfg: uncond + 7.5·(cond − uncond)"}. */
    abstract String formula();

    /** Whether a guided step's result is {@code uncond} whatever {@code cond} is (so only the uncond pass runs). */
    boolean uncondOnly() {
        return false;
    }

    @Override
    public final List<ConditioningKind> needs(Guidance.StepInfo step) {
        checkStep(step);
        return !guided(step) ? COND_ONLY : uncondOnly() ? UNCOND_ONLY : BOTH;
    }

    @Override
    public final Tensor combine(Guidance.StepInfo step, Map<ConditioningKind, Tensor> predictions, Tensor sample) {
        checkStep(step);
        boolean guided = guided(step);
        List<ConditioningKind> needed = needs(step);
        if (predictions == null || !predictions.keySet().equals(Set.copyOf(needed))
                || needed.stream().anyMatch(k -> predictions.get(k) == null)) {
            throw new StageException(ErrorCode.INVALID_INPUT, "Guidance '" + component + "' needs predictions "
                    + needed + " at iteration " + step.iteration() + " but got "
                    + (predictions == null ? "null"
                            : BOTH.stream().filter(k -> predictions.get(k) != null).toList()));
        }
        Tensor cond = predictions.get(ConditioningKind.COND);
        Tensor uncond = predictions.get(ConditioningKind.UNCOND);
        stepsCombined++;
        if (!guided) {
            return cond.copy();
        }
        if (cond == null) {
            countGuided(step);
            return uncond.copy();
        }
        if (!uncond.sameShape(cond)) {
            throw new StageException(ErrorCode.INVALID_INPUT, "Guidance '" + component + "' got an UNCOND "
                    + "prediction of shape " + uncond.shapeString() + " and a COND prediction of shape "
                    + cond.shapeString() + " at iteration " + step.iteration() + "; they must be equal");
        }
        if (cond.rank() < 1 || cond.dim(0) < 1) {
            throw new StageException(ErrorCode.INVALID_INPUT, "Guidance '" + component + "' got predictions of "
                    + "shape " + cond.shapeString() + "; expected [B, ...] with B >= 1");
        }
        countGuided(step);
        return guide(step, uncond, cond);
    }

    private void countGuided(Guidance.StepInfo step) {
        guidedSteps++;
        if (firstGuided < 0) {
            firstGuided = step.iteration();
        }
        lastGuided = step.iteration();
    }

    @Override
    public final String describe() {
        String pass;
        if (stepsCombined == 0) {
            pass = "no step combined yet";
        } else if (guidedSteps == stepsCombined) {
            pass = "every step";
        } else if (guidedSteps == 0) {
            pass = "never";
        } else {
            pass = "on " + guidedSteps + " of " + stepsCombined + " steps (iterations " + firstGuided + "–"
                    + lastGuided + ")";
        }
        return formula() + "; unconditional pass: " + pass;
    }

    private void checkStep(Guidance.StepInfo step) {
        if (step == null || step.iteration() < 0 || step.iteration() >= iterations) {
            throw new StageException(ErrorCode.INVALID_INPUT, "Guidance '" + component + "' got step "
                    + step + "; this run has iterations 0.." + (iterations - 1));
        }
    }

    /** A number as written in config: {@code 7.5}, {@code 12}, {@code 0.7}. */
    static String num(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return Double.toString(v);
        }
        return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    /** Elements per batch item of a {@code [B, ...]} tensor. */
    static int perItem(Tensor t) {
        return t.size() / t.intDim(0);
    }
}
