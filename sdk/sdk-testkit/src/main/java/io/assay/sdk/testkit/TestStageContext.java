package io.assay.sdk.testkit;

import io.assay.sdk.StageContext;
import io.assay.sdk.TraceSink;
import java.nio.file.Path;

/**
 * A {@link StageContext} for tests: no tracing, never cancelled, relative paths against the working directory.
 *
 * @param stage the stage key, e.g. {@code denoiser}
 * @param component the component name
 */
public record TestStageContext(String stage, String component) implements StageContext {

    @Override
    public TraceSink trace() {
        return TraceSink.NONE;
    }

    @Override
    public boolean cancelled() {
        return false;
    }

    @Override
    public Path baseDirectory() {
        return Path.of("").toAbsolutePath();
    }
}
