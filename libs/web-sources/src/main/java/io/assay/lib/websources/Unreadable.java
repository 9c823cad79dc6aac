package io.assay.lib.websources;

import io.assay.sdk.curation.WebRecord;
import java.util.Map;

/** Builds the in-band error records every source returns instead of throwing. */
final class Unreadable {

    /** The metadata key that marks a record as an unreadable entry. */
    static final String KEY = "unreadable";

    /** Reasons end up in a ledger read by people: long parser dumps are cut, line breaks flattened. */
    private static final int MAX_REASON = 240;

    private Unreadable() {
    }

    static WebRecord record(String id, String reason, String source) {
        return new WebRecord(id, null, null, "", null, -1L, Map.of(KEY, shorten(reason), "source", source));
    }

    /** The exception's own words, without the class name unless there are no words. */
    static String describe(Throwable e) {
        String m = e.getMessage();
        if (e instanceof org.netpreserve.jwarc.ParsingException) {
            m = ((org.netpreserve.jwarc.ParsingException) e).getBaseMessage();
        }
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    static String shorten(String reason) {
        String r = reason == null ? "unknown error" : reason.replaceAll("[\\r\\n\\t]+", " ").strip();
        return r.length() <= MAX_REASON ? r : r.substring(0, MAX_REASON - 1) + "…";
    }
}
