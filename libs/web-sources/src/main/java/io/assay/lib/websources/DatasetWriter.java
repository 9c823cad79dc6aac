package io.assay.lib.websources;

import io.assay.sdk.curation.WebRecord;
import java.io.IOException;
import java.util.Map;

/**
 * Writes kept records. Every file is written so that a crash never leaves a half-written file that a reader would
 * take as complete: shards and images are written under hidden temporary names and renamed into place once complete,
 * and the manifest only grows by whole lines whose images are already in place.
 *
 * <p>Curation runs are long, so they checkpoint: {@link #checkpoint()} returns a small position that, handed back to
 * {@link DatasetWriters#open}, rolls the output back to exactly that point, discarding whatever a crashed run wrote
 * after it.
 */
public interface DatasetWriter extends AutoCloseable {

    /**
     * Adds one record.
     *
     * @param extra goes into the record's JSON as top-level fields (scores etc.; values must be JSON-able: strings,
     *        numbers, booleans, lists, maps); readers return scalar extras in the record's metadata
     * @throws IllegalArgumentException if an extra field would overwrite one of the record's own fields
     */
    void write(WebRecord record, Map<String, Object> extra) throws IOException;

    /**
     * Makes everything written so far durable and returns the position to resume from (a small JSON-able map). For
     * webdataset: closes the current shard (written to a temp name and renamed atomically into {@code NNNNN.tar}). For
     * the directory form: flushes {@code manifest.jsonl} (fsync) and returns its byte length.
     */
    Map<String, Object> checkpoint() throws IOException;

    /** {@link #checkpoint()}, then releases files. Closing twice is harmless. */
    @Override
    void close() throws IOException;

    /** Total records written (across resumes). */
    long written();
}
