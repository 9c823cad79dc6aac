package io.assay.framework.curation;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a curation run did, counted as it goes (and checkpointed with it): the top-level conservation counts,
 * per filter its rejections by reason, its score histogram and, when the source carries ground truth (metadata
 * {@code kind}), its rejections by kind; per language and per domain how many records were read and kept. Public
 * fields: written as {@code summary.json} and restored from checkpoints by Jackson.
 */
public final class Summary {

    /** Distinct domains tracked before the rest are counted as "(other)". */
    public static final int MAX_DOMAINS = 10_000;

    /** Records read from the source. */
    public long read;
    /** Records kept by every filter. */
    public long kept;
    /** Records rejected by a filter (not counting unreadable ones). */
    public long rejected;
    /** Records that could not be read (by the source, the decoder, or a filter). */
    public long unreadable;
    /** Per filter, in chain order. */
    public Map<String, FilterCounts> filters = new LinkedHashMap<>();
    /** Per caption language (from the source's metadata, else "unknown"): read and kept. */
    public Map<String, long[]> languages = new TreeMap<>();
    /** Per page domain: read and kept. */
    public Map<String, long[]> domains = new TreeMap<>();
    /** Per ground-truth kind, when the source has one: read and kept. */
    public Map<String, long[]> kinds = new TreeMap<>();
    /** Why records were unreadable. */
    public Map<String, Long> unreadableReasons = new TreeMap<>();
    /** Seconds spent in the main pass (summed over resumed runs). */
    public double seconds;

    /** One filter's counts. */
    public static final class FilterCounts {
        /** Records the filter judged. */
        public long judged;
        /** Records it rejected. */
        public long rejected;
        /** Rejections by reason. */
        public Map<String, Long> reasons = new TreeMap<>();
        /** Rejections by ground-truth kind. */
        public Map<String, Long> rejectedByKind = new TreeMap<>();
        /** Judged records by ground-truth kind. */
        public Map<String, Long> judgedByKind = new TreeMap<>();
        /** Scores of everything judged. */
        public Histogram scores = new Histogram();
        /** Seconds spent in the filter. */
        public double seconds;
    }

    void count(Map<String, long[]> map, String key, boolean keptIt, int limit) {
        countKey(map, key, keptIt, limit);
    }

    /**
     * Counts one record under {@code key} (read, and kept if {@code keptIt}) in a per-key table capped at {@code limit}
     * keys (later keys go to "(other)"; an empty key is "unknown"). Public so every engine counts by the same rule.
     */
    public static void countKey(Map<String, long[]> map, String key, boolean keptIt, int limit) {
        String k = key == null || key.isEmpty() ? "unknown" : key;
        if (!map.containsKey(k) && map.size() >= limit) {
            k = "(other)";
        }
        long[] c = map.computeIfAbsent(k, x -> new long[2]);
        c[0]++;
        if (keptIt) {
            c[1]++;
        }
    }
}
