package io.assay.plugins.onnxsd;

import io.assay.sdk.StageContext;
import io.assay.sdk.TraceSink;
import java.nio.file.Path;

/** A plain StageContext for tests. */
record TestContext(String stage, String component) implements StageContext {
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
