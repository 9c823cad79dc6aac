package io.assay.lib.websources;

import io.assay.sdk.curation.WebRecord;
import java.util.Iterator;

/**
 * A stream of web records in a stable order.
 *
 * <p>Sources never hold the whole input: records are produced as the underlying files are read, so a crawl of any
 * size can be curated in a fixed heap. Damage in the input is reported in-band (as records marked
 * {@code unreadable}) rather than thrown, because one broken record in a multi-terabyte crawl must not abort a run
 * that has been going for hours, and the curation ledger needs to account for every entry it skipped.
 */
public interface RecordSource extends AutoCloseable {

    /**
     * Streams the records. Called once per pass: the curation run may call it twice (a survey pass, then the main
     * pass); each call starts from the beginning and yields the same records in the same order. An entry the source
     * cannot parse is returned as a record whose metadata has {@code "unreadable"} = a short reason (never thrown),
     * with the best id the source can give.
     *
     * <p>The iterator is lazy (it reads as it is advanced) and releases its files when exhausted; an iterator that is
     * abandoned half-way is released by {@link #close()}.
     *
     * @throws IllegalStateException if the source has been closed
     */
    Iterator<WebRecord> records();

    /** A one-line human description for logs and reports, e.g. {@code "WARC: 3 files (crawl-000.warc.gz, …)"}. */
    String describe();

    /** Releases every file still held by an iterator of this source. Never throws a checked exception. */
    @Override
    void close();
}
