package io.assay.framework.engine;

import io.assay.framework.engine.StepObserver;
import java.util.List;

/** Fans one run's steps out to several observers. */
public final class StepObservers {

    private StepObservers() {
    }

    /** One observer that tells each of {@code observers}, in order. */
    public static StepObserver all(List<StepObserver> observers) {
        List<StepObserver> copy = List.copyOf(observers);
        return new StepObserver() {
            @Override
            public void conditionings(java.util.Map<io.assay.sdk.diffusion.ConditioningKey, String> texts) {
                copy.forEach(o -> o.conditionings(texts));
            }

            @Override
            public void started(int n) {
                copy.forEach(o -> o.started(n));
            }

            @Override
            public void stepped(StepRecord step) {
                copy.forEach(o -> o.stepped(step));
            }
        };
    }
}
