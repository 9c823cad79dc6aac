package io.assay.sdk.testkit.contract;

import static io.assay.sdk.testkit.contract.Checks.check;
import static io.assay.sdk.testkit.contract.Checks.describe;

import io.assay.sdk.curation.RecordSource;
import io.assay.sdk.curation.WebRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The {@link RecordSource} contract (since SDK 1.1): a pass yields records with unique ids; every pass yields the same
 * records in the same order, and two passes interleaved do not disturb each other (the survey pass and the main pass
 * of a run); {@code describe()} is one line; a damaged input ({@link #createDamaged()}) ends in records marked
 * {@link RecordSource#UNREADABLE} with a reason, never in an exception; {@code close()} releases a pass abandoned
 * half-way.
 */
public interface RecordSourceContract extends StageContract<RecordSource> {

    /** How many records a pass of {@link #create()} yields, or -1 if the fixture does not say. */
    default int expectedRecords() {
        return -1;
    }

    /** The component over an input with at least one damaged entry, or null (the default) to skip that check. */
    default RecordSource createDamaged() {
        return null;
    }

    @Override
    default void use(RecordSource stage) {
        stage.records().hasNext();
    }

    private static List<WebRecord> pass(Iterator<WebRecord> it) {
        List<WebRecord> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    private static String key(WebRecord r) {
        return r.id() + "|" + r.imageUrl() + "|" + r.pageUrl() + "|" + r.caption() + "|" + r.inboundLinks() + "|"
                + (r.image() == null ? "-" : Arrays.hashCode(r.image()) + ":" + r.image().length) + "|"
                + new java.util.TreeMap<>(r.metadata());
    }

    /** A pass yields non-null records with unique ids (as many as declared). */
    @Test
    default void aPassYieldsRecordsWithUniqueIds() {
        try (RecordSource source = create()) {
            String who = describe(source);
            List<WebRecord> records = pass(source.records());
            check(!records.isEmpty(), who + ": expected a pass over the fixture's input to yield records, but it "
                    + "yielded none");
            Set<String> ids = new HashSet<>();
            for (int i = 0; i < records.size(); i++) {
                WebRecord r = records.get(i);
                check(r != null, who + ": expected record " + i + " of the pass to be a record, but it is null");
                check(ids.add(r.id()), who + ": expected unique record ids within a pass, but '" + r.id()
                        + "' (record " + i + ") appeared before");
            }
            check(expectedRecords() < 0 || records.size() == expectedRecords(), who + ": expected "
                    + expectedRecords() + " records, but a pass yielded " + records.size());
        }
    }

    /** Every pass yields the same records in the same order, also when two passes are interleaved. */
    @Test
    default void passesRepeatAndDoNotDisturbEachOther() {
        try (RecordSource source = create()) {
            String who = describe(source);
            List<String> first = pass(source.records()).stream().map(RecordSourceContract::key).toList();
            List<String> second = pass(source.records()).stream().map(RecordSourceContract::key).toList();
            check(first.equals(second), who + ": expected a second pass to yield the same records in the same order "
                    + "(the survey pass and the main pass of a run must agree), but it yielded " + second.size()
                    + " records, " + first.size() + " the first time" + firstDifference(first, second));
            Iterator<WebRecord> a = source.records();
            Iterator<WebRecord> b = source.records();
            List<String> interleaved = new ArrayList<>();
            while (a.hasNext()) {
                interleaved.add(key(a.next()));
                if (b.hasNext()) {
                    b.next();
                }
            }
            check(first.equals(interleaved), who + ": expected a pass interleaved with another to yield the same "
                    + "records as a pass alone" + firstDifference(first, interleaved));
        }
    }

    private static String firstDifference(List<String> a, List<String> b) {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            if (!a.get(i).equals(b.get(i))) {
                return "; record " + i + " differs: " + a.get(i) + " vs " + b.get(i);
            }
        }
        return "";
    }

    /** {@code describe()} is one non-blank line. */
    @Test
    default void describeIsOneLine() {
        try (RecordSource source = create()) {
            String d = source.describe();
            check(d != null && !d.isBlank() && d.lines().count() == 1, describe(source) + ": expected describe() to "
                    + "be one non-blank line, but it is '" + d + "'");
        }
    }

    /** A pass abandoned half-way is released by {@code close()}, which does not throw. */
    @Test
    default void closeReleasesAnAbandonedPass() {
        RecordSource source = create();
        Iterator<WebRecord> it = source.records();
        check(it.hasNext(), describe(source) + ": expected the fixture's input to have records");
        it.next();
        Checks.succeeds(describe(source), "close() with a pass abandoned half-way", () -> {
            source.close();
            return null;
        });
    }

    /** Damage becomes records marked unreadable (with a reason), and the pass goes on past it. */
    @Test
    default void damageIsReportedInBandNotThrown() {
        RecordSource damaged = createDamaged();
        Assumptions.assumeTrue(damaged != null, "the fixture has no damaged input (createDamaged)");
        try (damaged) {
            String who = describe(damaged) + " over damaged input";
            List<WebRecord> records = Checks.succeeds(who, "a whole pass", () -> pass(damaged.records()));
            List<WebRecord> unreadable = records.stream()
                    .filter(r -> r.metadata().containsKey(RecordSource.UNREADABLE)).toList();
            check(!unreadable.isEmpty(), who + ": expected at least one record marked '" + RecordSource.UNREADABLE
                    + "', but none of the " + records.size() + " is");
            for (WebRecord r : unreadable) {
                check(!r.metadata().get(RecordSource.UNREADABLE).isBlank(), who + ": expected a reason in '"
                        + RecordSource.UNREADABLE + "' of record '" + r.id() + "', but it is blank");
            }
            check(records.size() > unreadable.size(), who + ": expected the readable entries to be read past the "
                    + "damage, but every record is unreadable");
        }
    }
}
