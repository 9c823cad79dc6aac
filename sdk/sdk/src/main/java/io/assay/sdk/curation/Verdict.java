package io.assay.sdk.curation;

import static java.util.Objects.requireNonNull;

/**
 * A filter's decision on one record.
 *
 * @param kept whether the record passes this filter
 * @param reason why it was rejected (a short kebab-case reason such as {@code low-similarity}); empty when kept
 * @param score the number the decision was made on (similarity, size, link rank …), or {@code NaN}
 */
public record Verdict(boolean kept, String reason, double score) {

    /** The reason every source and filter uses for a record that could not be read. */
    public static final String UNREADABLE = "unreadable";

    /** Validates. */
    public Verdict {
        requireNonNull(reason, "reason is null");
        if (!kept && reason.isBlank()) {
            throw new IllegalArgumentException("a rejection needs a reason");
        }
    }

    /** Keeps, with a score. */
    public static Verdict keep(double score) {
        return new Verdict(true, "", score);
    }

    /** Rejects, with a reason and a score. */
    public static Verdict reject(String reason, double score) {
        return new Verdict(false, reason, score);
    }
}
