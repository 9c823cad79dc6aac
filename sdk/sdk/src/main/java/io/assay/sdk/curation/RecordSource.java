package io.assay.sdk.curation;

import io.assay.sdk.Stage;
import java.util.Iterator;

/**
 * Where a curation run reads its records from: a web crawl (WARC, WAT), a dataset (webdataset shards, a manifest
 * directory) or anything else that yields image/alt-text pairs (since SDK 1.1). A component's settings say what to
 * read ({@code paths = [...]}); the host picks the component by {@code curation.source.name}.
 *
 * <p>Sources stream: records are produced as the input is read, so a crawl of any size is curated in a fixed heap.
 * Damage is reported in-band, never thrown: an entry the source cannot parse is a record whose metadata has
 * {@link #UNREADABLE} = a short reason, with the best id the source can give, so the run's ledger accounts for it.
 */
public interface RecordSource extends Stage {

    /** The metadata key marking a record the source could not read; its value is the reason. */
    String UNREADABLE = "unreadable";

    /**
     * Streams the records from the beginning. The run may call it twice (a survey pass, then the main pass); every
     * call yields the same records in the same order. The iterator is lazy and releases its files when exhausted; one
     * abandoned half-way is released by {@link #close()}.
     *
     * @throws io.assay.sdk.StageException {@code CLOSED} after {@link #close()}
     */
    Iterator<WebRecord> records();

    /** One line for logs and reports, e.g. {@code "WARC: 3 files (crawl-000.warc.gz, …)"}. */
    String describe();
}
