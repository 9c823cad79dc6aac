package io.assay.framework.cli;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C handling for long work: the first SIGINT asks the run to stop at the next step (no partial files: outputs
 * are only written, atomically, after the run); a second SIGINT exits at once.
 */
final class CancelFlag implements BooleanSupplier, AutoCloseable {

    /**
     * Set by an embedding host (the server) on the thread that runs a command in-process: that command is cancelled
     * by it instead of by Ctrl-C, and installs no signal handler (the process's SIGINT stays the host's).
     */
    static final ThreadLocal<BooleanSupplier> EMBEDDED = new ThreadLocal<>();

    private final AtomicBoolean cancelled = new AtomicBoolean();
    private final SignalHandler previous;
    private BooleanSupplier external;

    private CancelFlag(boolean install) {
        SignalHandler prev = null;
        if (install) {
            try {
                prev = Signal.handle(new Signal("INT"), sig -> {
                    if (!cancelled.compareAndSet(false, true)) {
                        Runtime.getRuntime().halt(130);
                    }
                    System.err.println("\nassay: stopping after the current step (Ctrl-C again to abort now)");
                });
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                prev = null; // no SIGINT on this platform: the JVM's default applies
            }
        }
        this.previous = prev;
    }

    /** A flag set by Ctrl-C. */
    static CancelFlag onInterrupt() {
        BooleanSupplier embedded = EMBEDDED.get();
        CancelFlag f = new CancelFlag(embedded == null);
        f.external = embedded;
        return f;
    }

    /** A flag only {@link #cancel()} sets. */
    static CancelFlag manual() {
        return new CancelFlag(false);
    }

    void cancel() {
        cancelled.set(true);
    }

    @Override
    public boolean getAsBoolean() {
        return cancelled.get() || (external != null && external.getAsBoolean());
    }

    @Override
    public void close() {
        if (previous != null) {
            Signal.handle(new Signal("INT"), previous);
        }
    }
}
