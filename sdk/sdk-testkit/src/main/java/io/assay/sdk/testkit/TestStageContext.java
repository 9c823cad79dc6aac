package io.assay.sdk.testkit;

import static java.util.Objects.requireNonNull;

import io.assay.sdk.ModelConfig;
import io.assay.sdk.StageContext;
import io.assay.sdk.TraceSink;
import java.nio.file.Path;

/**
 * A {@link StageContext} for tests: no tracing, never cancelled, relative paths against the working directory.
 *
 * @param stage the stage key, e.g. {@code denoiser}
 * @param component the component name
 * @param model the model configuration the host would pass (since SDK 1.1)
 */
public record TestStageContext(String stage, String component, ModelConfig model) implements StageContext {

    /** Validates. */
    public TestStageContext {
        requireNonNull(stage, "stage is null");
        requireNonNull(component, "component is null");
        requireNonNull(model, "model is null");
    }

    /** A context without a model configuration ({@link ModelConfig#NONE}). */
    public TestStageContext(String stage, String component) {
        this(stage, component, ModelConfig.NONE);
    }

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
