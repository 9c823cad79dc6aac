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

    /**
     * Whether the filter needs to see every record's metadata before judging (a rank or quantile over the whole
     * source, such as "the top 20% of pages by inbound links"). If so, the host first calls {@link #survey} for
     * every record of the source (without image bytes being decoded), then {@link #surveyed()}, then judges.
     */
    default boolean needsSurvey() {
        return false;
    }

    /** One record of the survey pass; records arrive in source order. Called only if {@link #needsSurvey()}. */
    default void survey(WebRecord record) {
    }

    /** The survey pass is over. */
    default void surveyed() {
    }

    /**
     * The filter's state for a checkpoint (e.g. the hashes a near-duplicate filter has seen), so an interrupted run
     * resumes judging as if it had never stopped. Stateless filters return an empty array (the default).
     */
    default byte[] saveState() {
        return new byte[0];
    }

    /** Restores what {@link #saveState()} returned, before any record is judged. The default ignores it. */
    default void restoreState(byte[] state) {
    }
}
