package io.assay.framework.assembly;

import static java.util.Objects.requireNonNull;

import io.assay.sdk.ModelConfig;
import io.assay.sdk.StageContext;
import io.assay.sdk.TraceSink;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

/**
 * The {@link StageContext} the host gives each stage instance of a pipeline; {@code model} is the pipeline's model
 * configuration ({@link StageContext#model()}, since SDK 1.1).
 */
public record RunStageContext(String stage, String component, TraceSink trace, BooleanSupplier cancellation,
        Path baseDirectory, ModelConfig model) implements StageContext {

    /** A context without model configuration ({@link ModelConfig#NONE}). */
    public RunStageContext(String stage, String component, TraceSink trace, BooleanSupplier cancellation,
            Path baseDirectory) {
        this(stage, component, trace, cancellation, baseDirectory, ModelConfig.NONE);
    }

    /** Validates. */
    public RunStageContext {
        requireNonNull(stage, "stage is null");
        requireNonNull(component, "component is null");
        requireNonNull(trace, "trace is null");
        requireNonNull(cancellation, "cancellation is null");
        requireNonNull(baseDirectory, "baseDirectory is null");
        requireNonNull(model, "model is null");
    }

    @Override
    public boolean cancelled() {
        return cancellation.getAsBoolean();
    }
}
