package io.assay.sdk;

import org.pf4j.ExtensionPoint;

/**
 * The common root of every stage interface.
 *
 * <p>An implementation is a PF4J extension annotated with {@link Component}. The host creates one instance per
 * configured pipeline component (so a run, or an experiment cell, holds its own instances, and a run in flight
 * keeps the plugin version it was built from) and closes it when the pipeline is released.
 *
 * <p>Thread-safety: unless a stage documents otherwise, an instance is used by one run at a time; per-run
 * mutable state lives in the objects a stage hands out for a run (for example {@link
 * io.assay.sdk.diffusion.Scheduler.Sampling}).
 */
public interface Stage extends ExtensionPoint, AutoCloseable {

    /**
     * Releases what this instance holds (native sessions, buffers). Idempotent: a second call does nothing.
     * Using a stage after {@code close()} throws {@link StageException} with {@link ErrorCode#CLOSED}.
     * The default does nothing.
     */
    @Override
    default void close() {
    }
}
