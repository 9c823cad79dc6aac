package io.assay.framework.spark;

import io.assay.sdk.curation.WebRecord;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/** Streams a part: reads a batch of records, processes it, hands its results out, then reads the next batch. */
abstract class Batches implements Iterator<Rec> {

    private final Iterator<WebRecord> source;
    private final int size;
    private Iterator<Rec> current = List.<Rec>of().iterator();

    Batches(Iterator<WebRecord> source, int size) {
        this.source = source;
        this.size = size;
    }

    abstract List<Rec> process(List<WebRecord> batch);

    /** Called once the source has no more records. */
    void exhausted() {
    }

    @Override
    public boolean hasNext() {
        while (!current.hasNext() && source.hasNext()) {
            List<WebRecord> batch = new ArrayList<>(size);
            while (batch.size() < size && source.hasNext()) {
                batch.add(source.next());
            }
            current = process(batch).iterator();
        }
        if (!source.hasNext()) {
            exhausted();
        }
        return current.hasNext();
    }

    @Override
    public Rec next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return current.next();
    }
}
