package io.assay.framework.curation;

import io.assay.framework.world.ProceduralWeb;
import io.assay.lib.websources.PartitionedSource;
import io.assay.sdk.curation.WebRecord;
import java.util.Iterator;

/** The embedded procedural web as a record source (ground truth in each record's metadata). */
public final class ProceduralSource implements PartitionedSource {

    /** Records per part when the source is read in parts (the Spark engine's tasks). */
    public static final int PART = 200;

    private final long seed;
    private final int records;

    /** Creates the source. */
    public ProceduralSource(long seed, int records) {
        this.seed = seed;
        this.records = records;
    }

    @Override
    public Iterator<WebRecord> records() {
        return ProceduralWeb.records(seed, records).iterator();
    }

    @Override
    public int partitions() {
        return Math.max(1, (records + PART - 1) / PART);
    }

    @Override
    public Iterator<WebRecord> records(int part) {
        return ProceduralWeb.records(seed, records).skip((long) part * PART).limit(PART).iterator();
    }

    @Override
    public String describe() {
        return "procedural web: " + records + " records, seed " + seed;
    }

    @Override
    public void close() {
    }
}
