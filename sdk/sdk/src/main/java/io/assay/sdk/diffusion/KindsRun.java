package io.assay.sdk.diffusion;

import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import io.assay.sdk.tensor.Tensor;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * An SDK 1.0 {@link Guidance.Run} seen as a {@link Guidance.KeyedRun}: {@code UNCOND} is the negative prompt and
 * {@code COND} the prompt, declared in that order (the batch order of SDK 1.0 engines).
 */
final class KindsRun implements Guidance.KeyedRun {

    private final Guidance.Run run;
    private final List<ConditioningText> conditionings;

    KindsRun(Guidance.Run run, Guidance.Prompt prompt) {
        if (run == null) {
            throw new StageException(ErrorCode.INTERNAL, "Guidance.start(iterations) returned null");
        }
        this.run = run;
        this.conditionings = List.of(new ConditioningText(ConditioningKey.UNCOND, prompt.negative()),
                new ConditioningText(ConditioningKey.COND, prompt.text()));
    }

    @Override
    public List<ConditioningText> conditionings() {
        return conditionings;
    }

    @Override
    public List<ConditioningKey> needs(Guidance.StepInfo step) {
        List<ConditioningKind> kinds = run.needs(step);
        if (kinds == null) {
            return null;
        }
        List<ConditioningKey> keys = new ArrayList<>(kinds.size());
        for (ConditioningKind k : kinds) {
            keys.add(k == null ? null : ConditioningKey.of(k));
        }
        return keys;
    }

    @Override
    public Tensor combine(Guidance.StepInfo step, Map<ConditioningKey, Tensor> predictions, Tensor sample) {
        Map<ConditioningKind, Tensor> byKind = new EnumMap<>(ConditioningKind.class);
        for (Map.Entry<ConditioningKey, Tensor> e : predictions.entrySet()) {
            ConditioningKind kind = e.getKey().kind().orElseThrow(() -> new StageException(
                    ErrorCode.INVALID_INPUT, "an SDK 1.0 guidance combines UNCOND and COND only, but got a prediction "
                    + "for '" + e.getKey() + "'"));
            byKind.put(kind, e.getValue());
        }
        return run.combine(step, byKind, sample);
    }

    @Override
    public String describe() {
        return run.describe();
    }
}
