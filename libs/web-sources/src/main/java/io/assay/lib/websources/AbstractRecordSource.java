package io.assay.lib.websources;

import java.io.Closeable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * What all sources share: iterators that register the files they hold, so that {@link #close()} can release an
 * iterator the caller abandoned half-way (a curation run stopped with Ctrl-C, a survey pass cut short).
 */
abstract class AbstractRecordSource implements RecordSource {

    private final Set<Closeable> open = new LinkedHashSet<>();
    private boolean closed;
    private final String kind;
    private final String unit;
    private final List<java.nio.file.Path> inputs;

    /**
     * @param kind how {@link #describe()} names the source, e.g. {@code WARC}
     * @param unit the singular of what it reads, e.g. {@code file} ({@code s} is added for several)
     * @param inputs what it reads
     */
    AbstractRecordSource(String kind, String unit, List<java.nio.file.Path> inputs) {
        this.kind = kind;
        this.unit = unit;
        this.inputs = List.copyOf(inputs);
    }

    /** A fresh pass over the source, from the beginning. */
    abstract Iterator<io.assay.sdk.curation.WebRecord> newPass();

    @Override
    public final Iterator<io.assay.sdk.curation.WebRecord> records() {
        ensureOpen();
        return newPass();
    }

    @Override
    public String describe() {
        return kind + ": " + inputs.size() + " " + unit + (inputs.size() == 1 ? "" : "s") + " ("
                + summarize(inputs.stream().map(p -> String.valueOf(p.getFileName())).toList()) + ")";
    }

    final synchronized void track(Closeable c) {
        if (closed) {
            throw new IllegalStateException("the source is closed");
        }
        open.add(c);
    }

    final synchronized void untrack(Closeable c) {
        open.remove(c);
    }

    final synchronized void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the source is closed");
        }
    }

    @Override
    public void close() {
        List<Closeable> toClose;
        synchronized (this) {
            closed = true;
            toClose = new ArrayList<>(open);
            open.clear();
        }
        for (Closeable c : toClose) {
            quietlyClose(c);
        }
    }

    static void quietlyClose(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            // Nothing useful can be done about a failing close of a file opened for reading.
        }
    }

    /** Names for {@link #describe()}: the first few, then an ellipsis, so a 10 000-file crawl stays one line. */
    static String summarize(List<String> names) {
        int shown = Math.min(3, names.size());
        String list = String.join(", ", names.subList(0, shown));
        return names.size() > shown ? list + ", …" : list;
    }

    /**
     * An iterator that computes one element ahead and releases its resources when exhausted. Subclasses return
     * {@code null} from {@link #computeNext()} at the end.
     */
    abstract static class LazyIterator<T> implements Iterator<T>, Closeable {
        private final AbstractRecordSource owner;
        private T next;
        private boolean done;

        LazyIterator(AbstractRecordSource owner) {
            this.owner = owner;
            owner.track(this);
        }

        abstract T computeNext();

        /** Releases the files this iterator holds. */
        abstract void release();

        @Override
        public final boolean hasNext() {
            if (next == null && !done) {
                next = computeNext();
                if (next == null) {
                    close();
                }
            }
            return next != null;
        }

        @Override
        public final T next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            T t = next;
            next = null;
            return t;
        }

        @Override
        public final void close() {
            if (!done) {
                done = true;
                release();
                owner.untrack(this);
            }
        }
    }
}
