package io.assay.sdk;

import java.util.Map;

/**
 * Where a stage reports what it learned about its own work during a run (token splits, statistics, timings).
 * Never print to stdout: the trace is written to {@code trace.json} when the user asks for it.
 *
 * <p>Tracing must be cheap when off: check {@link #enabled()} before computing anything only the trace needs.
 * Values must be JSON-friendly: numbers, strings, booleans, lists, maps, or {@code float[]}/{@code int[]}.
 */
public interface TraceSink {

    /** A sink that drops everything. */
    TraceSink NONE = new TraceSink() {
        @Override
        public boolean enabled() {
            return false;
        }

        @Override
        public void record(String event, Map<String, ?> fields) {
        }
    };

    /** Whether anything recorded is kept. */
    boolean enabled();

    /**
     * Records one event. The host adds the stage, component and time.
     *
     * @param event a short kebab-case name, e.g. {@code "token-report"}
     * @param fields the event's data (copied or serialized before this call returns)
     */
    void record(String event, Map<String, ?> fields);
}
