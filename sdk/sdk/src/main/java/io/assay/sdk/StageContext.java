package io.assay.sdk;

import java.nio.file.Path;

/**
 * What the host gives a stage instance besides its settings: who it is, where to trace, and whether the run was
 * cancelled. Injected into the stage's constructor.
 */
public interface StageContext {

    /** The stage key in the pipeline, e.g. {@code "scheduler"}. */
    String stage();

    /** The component name this instance was created as, e.g. {@code "euler"}. */
    String component();

    /** The run's trace sink ({@link TraceSink#NONE} when tracing is off). */
    TraceSink trace();

    /** Whether the run was cancelled; long loops should check it. */
    boolean cancelled();

    /** Throws {@link StageException} with {@link ErrorCode#CANCELLED} if the run was cancelled. */
    default void checkCancelled() {
        if (cancelled()) {
            throw new StageException(ErrorCode.CANCELLED, "Run cancelled during stage '" + stage() + "'");
        }
    }

    /**
     * The directory a relative path in this component's settings is resolved against (the directory of the
     * config file that set it, or the working directory).
     */
    Path baseDirectory();

    /**
     * The configuration files of the pipeline's model directory ({@code scheduler/scheduler_config.json},
     * {@code unet/config.json} …), or {@link ModelConfig#NONE} when there is none (since SDK 1.1; hosts before it
     * give none).
     */
    default ModelConfig model() {
        return ModelConfig.NONE;
    }
}
