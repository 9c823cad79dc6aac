package io.assay.plugins.noise;

import io.assay.sdk.StageContext;
import io.assay.sdk.TraceSink;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A minimal {@link StageContext} for tests: records trace events in memory. */
final class TestContext implements StageContext {

    /** One recorded trace event. */
    record Event(String name, Map<String, ?> fields) {
    }

    final List<Event> events = new ArrayList<>();
    private final String component;
    private final Path base;

    TestContext(String component, Path base) {
        this.component = component;
        this.base = base;
    }

    @Override
    public String stage() {
        return "noise";
    }

    @Override
    public String component() {
        return component;
    }

    @Override
    public TraceSink trace() {
        return new TraceSink() {
            @Override
            public boolean enabled() {
                return true;
            }

            @Override
            public void record(String event, Map<String, ?> fields) {
                events.add(new Event(event, Map.copyOf(fields)));
            }
        };
    }

    @Override
    public boolean cancelled() {
        return false;
    }

    @Override
    public Path baseDirectory() {
        return base;
    }
}
