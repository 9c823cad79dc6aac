package io.assay.framework.cli;

import io.assay.framework.engine.StepObserver;
import java.util.List;

/** Fans one run's steps out to several observers. */
final class StepObservers {

    private StepObservers() {
    }

    static StepObserver all(List<StepObserver> observers) {
        List<StepObserver> copy = List.copyOf(observers);
        return new StepObserver() {
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
