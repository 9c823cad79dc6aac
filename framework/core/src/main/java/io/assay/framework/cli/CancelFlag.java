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

    private final AtomicBoolean cancelled = new AtomicBoolean();
    private final SignalHandler previous;

    private CancelFlag() {
        SignalHandler prev;
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
        this.previous = prev;
    }

    /** A flag set by Ctrl-C. */
    static CancelFlag onInterrupt() {
        return new CancelFlag();
    }

    @Override
    public boolean getAsBoolean() {
        return cancelled.get();
    }

    @Override
    public void close() {
        if (previous != null) {
            Signal.handle(new Signal("INT"), previous);
        }
    }
}
