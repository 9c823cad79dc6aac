package io.assay.lib.websources;

import io.assay.sdk.curation.WebRecord;
import java.util.Iterator;

/**
 * A source that can be read in parts (a WARC source: one part per file), so an engine that spreads work over machines
 * reads each part in its own task. Reading every part in order gives exactly the records of {@link #records()}, in the
 * same order and with the same ids.
 */
public interface PartitionedSource extends RecordSource {

    /** How many parts. */
    int partitions();

    /** The records of one part ({@code 0 <= part < partitions()}), in source order. */
    Iterator<WebRecord> records(int part);
}
