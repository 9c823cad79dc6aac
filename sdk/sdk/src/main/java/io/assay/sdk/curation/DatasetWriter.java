package io.assay.sdk.curation;

import io.assay.sdk.Stage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes the records a curation run keeps (since SDK 1.1): webdataset shards, a manifest directory, or any other
 * format. The host picks the component by {@code curation.format} and opens one {@link Output} per run.
 *
 * <p>Runs are long and resumable, so writing is crash-safe: nothing half-written may look complete to a reader
 * (write under a temporary name, then rename), and {@link Output#checkpoint()} returns a small position that, handed
 * back to {@link #open}, rolls the output back to exactly that point, discarding whatever a killed run wrote after it.
 */
public interface DatasetWriter extends Stage {

    /**
     * Opens the output in {@code directory}.
     *
     * @param resumeFrom {@code null} for a fresh start (the directory must be absent or empty), or a map an earlier
     *     {@link Output#checkpoint()} of this component returned
     * @throws IOException if the directory is not empty on a fresh start, or does not match the checkpoint
     * @throws io.assay.sdk.StageException {@code INVALID_INPUT} for a checkpoint of another format
     */
    Output open(Path directory, Map<String, Object> resumeFrom) throws IOException;

    /** The {@link RecordSource} component that reads this format back (e.g. {@code webdataset}, {@code manifest}). */
    String readBy();

    /** One run's output. Not thread-safe. */
    interface Output extends AutoCloseable {

        /**
         * Adds one record.
         *
         * @param extra top-level fields of the record's JSON (scores …; JSON-able values)
         * @throws IllegalArgumentException if an extra field would overwrite one of the record's own fields
         */
        void write(WebRecord record, Map<String, Object> extra) throws IOException;

        /** Makes everything written so far durable and returns the position to resume from (a small JSON-able map). */
        Map<String, Object> checkpoint() throws IOException;

        /** Records written in total, across resumes. */
        long written();

        /** {@link #checkpoint()}, then releases files. Closing twice is harmless. */
        @Override
        void close() throws IOException;
    }
}
