package io.assay.framework.curation;

import io.assay.framework.world.ProceduralWeb;
import io.assay.lib.websources.RecordSource;
import io.assay.sdk.curation.WebRecord;
import java.util.Iterator;

/** The embedded procedural web as a record source (ground truth in each record's metadata). */
public final class ProceduralSource implements RecordSource {

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
    public String describe() {
        return "procedural web: " + records + " records, seed " + seed;
    }

    @Override
    public void close() {
    }
}
