package io.assay.sdk.curation;

import io.assay.sdk.Stage;
import java.util.ArrayList;
import java.util.List;

/**
 * Judges web records: keep, or reject with a reason and a score. Filters that score with a neural model override
 * {@link #judgeAll} to score many records per model call.
 *
 * <p>A record the filter cannot read (a broken image, an image bomb, bad encoding) is rejected with
 * {@link Verdict#UNREADABLE}, never thrown. Stateful filters (near-duplicate removal) see records in source order.
 */
public interface ScraperFilter extends Stage {

    /** Judges one record. */
    Verdict judge(WebRecord record);

    /** Judges a batch; the result has one verdict per record, in order. The default calls {@link #judge}. */
    default List<Verdict> judgeAll(List<WebRecord> records) {
        List<Verdict> out = new ArrayList<>(records.size());
        for (WebRecord r : records) {
            out.add(judge(r));
        }
        return out;
    }

    /** How many records {@link #judgeAll} prefers per call (1 = no batching). */
    default int preferredBatchSize() {
        return 1;
    }
}
