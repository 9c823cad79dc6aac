package io.assay.sdk.testkit.contract;

import static io.assay.sdk.testkit.contract.Checks.check;
import static io.assay.sdk.testkit.contract.Checks.describe;
import static io.assay.sdk.testkit.contract.Checks.fail;

import io.assay.sdk.curation.ScraperFilter;
import io.assay.sdk.curation.Verdict;
import io.assay.sdk.curation.WebRecord;
import io.assay.sdk.testkit.WebRecords;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The {@link ScraperFilter} contract, driven as the host drives a curation run (the survey pass first when the filter
 * {@link ScraperFilter#needsSurvey() needs one}): one verdict per record, in order; {@code judgeAll} equal to
 * {@code judge} one by one and to batches of {@link ScraperFilter#preferredBatchSize()}; rejections with a kebab-case
 * reason, keeps without one; unreadable images rejected as {@link Verdict#UNREADABLE} (or kept unjudged), never
 * thrown; a checkpoint ({@code saveState}, then {@code restoreState} into a fresh filter) resuming exactly. A
 * stateless filter judges a record the same whatever came before it; a {@link #stateful()} one must save non-empty
 * state.
 */
public interface ScraperFilterContract extends StageContract<ScraperFilter> {

    /** The records to judge, in source order ({@link WebRecords#sample()} by default). */
    default List<WebRecord> records() {
        return WebRecords.sample();
    }

    /** Declares that verdicts depend on the records seen before (near-duplicate removal). */
    default boolean stateful() {
        return false;
    }

    /** Declares that the filter looks at image bytes; if not, broken bytes must not change its verdict. */
    default boolean readsImages() {
        return true;
    }

    @Override
    default void use(ScraperFilter stage) {
        prepare(stage, records());
        stage.judgeAll(records());
    }

    /** The host's survey pass, if the filter needs one. */
    private void prepare(ScraperFilter f, List<WebRecord> records) {
        if (f.needsSurvey()) {
            for (WebRecord r : records) {
                f.survey(r);
            }
            f.surveyed();
        }
    }

    private ScraperFilter prepared(List<WebRecord> records) {
        ScraperFilter f = create();
        prepare(f, records);
        return f;
    }

    private List<Verdict> oneByOne(ScraperFilter f, List<WebRecord> records) {
        List<Verdict> out = new ArrayList<>();
        for (WebRecord r : records) {
            out.add(f.judge(r));
        }
        return out;
    }

    /**
     * Same decision and reason, and the same score up to float32 rounding (1e-6 relative): a neural filter scores a
     * batch of 16 and a batch of 1 with different kernel paths, which may differ in the last bits.
     */
    private static boolean same(Verdict a, Verdict b) {
        if (a.kept() != b.kept() || !a.reason().equals(b.reason())) {
            return false;
        }
        double x = a.score();
        double y = b.score();
        return Double.compare(x, y) == 0 || Math.abs(x - y) <= 1e-6 * Math.max(1, Math.abs(x));
    }

    private static void sameVerdicts(String who, String what, List<WebRecord> records, List<Verdict> expected,
            List<Verdict> actual) {
        check(expected.size() == actual.size(), who + ": " + what + ": expected " + expected.size()
                + " verdicts, but got " + actual.size());
        for (int i = 0; i < expected.size(); i++) {
            if (!same(expected.get(i), actual.get(i))) {
                throw fail(who + ": " + what + ": expected record " + i + " ('" + records.get(i).id() + "') to get "
                        + expected.get(i) + ", but it got " + actual.get(i));
            }
        }
    }

    /** {@code judgeAll} returns exactly one non-null verdict per record. */
    @Test
    default void judgeAllGivesOneVerdictPerRecord() {
        List<WebRecord> records = records();
        try (ScraperFilter f = prepared(records)) {
            String who = describe(f);
            List<Verdict> v = f.judgeAll(records);
            check(v != null && v.size() == records.size(), who + ": expected judgeAll() of " + records.size()
                    + " records to return " + records.size() + " verdicts, but it returned "
                    + (v == null ? "null" : v.size()));
            for (int i = 0; i < v.size(); i++) {
                check(v.get(i) != null, who + ": expected a verdict for record " + i + " ('" + records.get(i).id()
                        + "'), but it is null");
            }
        }
    }

    /** {@code judgeAll} (whole, and in batches of the preferred size) equals {@code judge} one by one, in order. */
    @Test
    default void judgeAllEqualsJudgeOneByOne() {
        List<WebRecord> records = records();
        try (ScraperFilter batch = prepared(records); ScraperFilter single = prepared(records);
                ScraperFilter chunked = prepared(records)) {
            String who = describe(batch);
            List<Verdict> expected = oneByOne(single, records);
            sameVerdicts(who, "judgeAll(records) vs judge() one by one", records, expected, batch.judgeAll(records));
            int size = Math.max(1, chunked.preferredBatchSize());
            check(chunked.preferredBatchSize() >= 1, who + ": expected preferredBatchSize() >= 1, but it is "
                    + chunked.preferredBatchSize());
            List<Verdict> inChunks = new ArrayList<>();
            for (int from = 0; from < records.size(); from += size) {
                inChunks.addAll(chunked.judgeAll(records.subList(from, Math.min(records.size(), from + size))));
            }
            sameVerdicts(who, "judgeAll() in batches of " + size + " vs judge() one by one", records, expected,
                    inChunks);
        }
    }

    /** A stateless filter gives each record the same verdict in any order and when judged twice. */
    @Test
    default void statelessVerdictsDoNotDependOnOrder() {
        if (stateful()) {
            return;
        }
        List<WebRecord> records = records();
        try (ScraperFilter f = prepared(records)) {
            String who = describe(f) + " (not declared stateful)";
            List<Verdict> forward = f.judgeAll(records);
            List<WebRecord> reversed = new ArrayList<>(records);
            Collections.reverse(reversed);
            List<Verdict> backward = new ArrayList<>(f.judgeAll(reversed));
            Collections.reverse(backward);
            sameVerdicts(who, "judging the records in reverse order", records, forward, backward);
            sameVerdicts(who, "judging the records a second time", records, forward, f.judgeAll(records));
        }
    }

    /** Rejections carry a kebab-case reason; kept records carry none. */
    @Test
    default void verdictsCarryKebabCaseReasons() {
        List<WebRecord> records = records();
        try (ScraperFilter f = prepared(records)) {
            String who = describe(f);
            List<Verdict> v = f.judgeAll(records);
            for (int i = 0; i < v.size(); i++) {
                Verdict d = v.get(i);
                if (d.kept()) {
                    check(d.reason().isEmpty(), who + ": expected a kept record to have no reason, but record " + i
                            + " ('" + records.get(i).id() + "') is kept with reason '" + d.reason() + "'");
                } else {
                    check(Checks.KEBAB.matcher(d.reason()).matches(), who + ": expected a kebab-case rejection "
                            + "reason (e.g. low-similarity), but record " + i + " ('" + records.get(i).id()
                            + "') was rejected with '" + d.reason() + "'");
                }
            }
        }
    }

    /**
     * Garbage image bytes give {@link Verdict#UNREADABLE} or a keep (unjudged), never an exception; a truncated
     * image and an image declaring a gigapixel (a decompression bomb) never throw. A filter not declared to
     * {@link #readsImages() read images} must judge them as if the bytes were absent.
     */
    @Test
    default void unreadableImagesAreRejectedNotThrown() {
        List<WebRecord> records = new ArrayList<>(records());
        WebRecord base = records.get(0);
        WebRecord garbage = copy(base, "garbage-image", WebRecords.garbage());
        WebRecord truncated = copy(base, "truncated-image", WebRecords.truncatedPng());
        WebRecord bomb = copy(base, "bomb-image", pngDeclaring(100_000, 100_000));
        records.add(garbage);
        records.add(truncated);
        records.add(bomb);
        try (ScraperFilter f = prepared(records)) {
            String who = describe(f);
            for (WebRecord r : List.of(garbage, truncated, bomb)) {
                Verdict v = Checks.succeeds(who, "judging a record with " + r.id() + " bytes", () -> f.judge(r));
                check(v != null, who + ": expected a verdict for a record with " + r.id() + " bytes, but got null");
                if (r == garbage) {
                    if (readsImages()) {
                        check(v.kept() || Verdict.UNREADABLE.equals(v.reason()), who + ": expected a record whose "
                                + "image bytes are not an image to be rejected as '" + Verdict.UNREADABLE
                                + "' (or kept unjudged), but it got " + v);
                    }
                }
            }
            if (!readsImages()) {
                for (WebRecord r : List.of(garbage, truncated, bomb)) {
                    try (ScraperFilter g = prepared(records); ScraperFilter h = prepared(records)) {
                        Verdict withBytes = g.judge(r);
                        Verdict without = h.judge(copy(r, r.id(), null));
                        check(withBytes.equals(without), who + ": is declared not to read images, so expected the "
                                + "same verdict with and without " + r.id() + " bytes, but got " + withBytes + " and "
                                + without);
                    }
                }
            }
        }
    }

    /**
     * A checkpoint resumes exactly: a fresh filter (surveyed as the host would) restored from {@code saveState()}
     * after the first half judges the second half as the original does; saving state does not disturb judging.
     * A {@link #stateful()} filter saves non-empty state.
     */
    @Test
    default void savedStateResumesJudgingIdentically() {
        List<WebRecord> records = records();
        int half = records.size() / 2;
        try (ScraperFilter original = prepared(records); ScraperFilter uninterrupted = prepared(records)) {
            String who = describe(original);
            List<Verdict> expected = uninterrupted.judgeAll(records);
            original.judgeAll(records.subList(0, half));
            byte[] state = original.saveState();
            check(state != null, who + ": expected saveState() to return an array (empty when stateless), but it "
                    + "returned null");
            if (stateful()) {
                check(state.length > 0, who + ": is declared stateful, so expected saveState() after " + half
                        + " records to hold its state, but it is empty (a resumed run would forget what it saw)");
            }
            try (ScraperFilter resumed = prepared(records)) {
                if (state.length > 0) {
                    Checks.succeeds(who, "restoreState(" + state.length + " bytes) on a fresh filter", () -> {
                        resumed.restoreState(state.clone());
                        return null;
                    });
                }
                List<WebRecord> rest = records.subList(half, records.size());
                sameVerdicts(who, "a filter restored from saveState() after " + half + " records", rest,
                        expected.subList(half, records.size()), resumed.judgeAll(rest));
                sameVerdicts(who, "the original filter after saveState()", rest, expected.subList(half,
                        records.size()), original.judgeAll(rest));
            }
        }
    }

    private static WebRecord copy(WebRecord r, String id, byte[] image) {
        return new WebRecord(id, r.imageUrl(), r.pageUrl(), r.caption(), image, r.inboundLinks(), r.metadata());
    }

    /** A PNG signature and IHDR chunk declaring {@code width}×{@code height}, with no image data. */
    private static byte[] pngDeclaring(int width, int height) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + 25);
        b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        b.putInt(13).put(new byte[] {'I', 'H', 'D', 'R'}).putInt(width).putInt(height);
        b.put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(b.array(), 12, 17);
        b.putInt((int) crc.getValue());
        return b.array();
    }
}
