package io.assay.sdk.testkit.contract;

import static io.assay.sdk.testkit.contract.Checks.check;
import static io.assay.sdk.testkit.contract.Checks.describe;
import static io.assay.sdk.testkit.contract.Checks.fail;

import io.assay.sdk.curation.DatasetWriter;
import io.assay.sdk.curation.RecordSource;
import io.assay.sdk.curation.WebRecord;
import io.assay.sdk.testkit.ModelDirectories;
import io.assay.sdk.testkit.WebRecords;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The {@link DatasetWriter} contract (since SDK 1.1): what is written reads back (ids, captions, image bytes) through
 * the fixture's reader, {@code written()} counts, a fresh start refuses a non-empty directory, and resuming from a
 * checkpoint rolls back exactly what a killed run wrote after it; {@code readBy()} names a component.
 */
public interface DatasetWriterContract extends StageContract<DatasetWriter> {

    /** The {@link DatasetWriter#readBy()} component over {@code directory}, to read the output back. */
    RecordSource readBack(Path directory);

    /** The records written: the readable records of {@link WebRecords#sample()} (those with image bytes). */
    default List<WebRecord> records() {
        return WebRecords.sample().stream().filter(WebRecord::hasImage).toList();
    }

    @Override
    default void use(DatasetWriter stage) {
        Path dir = temp();
        try (DatasetWriter.Output out = stage.open(dir.resolve("out"), null)) {
            out.write(records().get(0), Map.of());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            delete(dir);
        }
    }

    private static Path temp() {
        try {
            return Files.createTempDirectory("assay-writer-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path dir) {
        try {
            ModelDirectories.deleteTree(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<WebRecord> read(Path dir) {
        List<WebRecord> out = new ArrayList<>();
        try (RecordSource source = readBack(dir)) {
            source.records().forEachRemaining(out::add);
        }
        return out;
    }

    private static void same(String who, List<WebRecord> expected, List<WebRecord> actual) {
        check(actual.size() == expected.size(), who + ": expected " + expected.size() + " records to read back, but "
                + actual.size() + " did");
        for (int i = 0; i < expected.size(); i++) {
            WebRecord e = expected.get(i);
            WebRecord a = actual.get(i);
            check(a.id().equals(e.id()) && a.caption().equals(e.caption()) && Arrays.equals(a.image(), e.image()),
                    who + ": expected record " + i + " to read back as written ('" + e.id() + "', \"" + e.caption()
                            + "\", " + e.image().length + " image bytes), but it is '" + a.id() + "', \"" + a.caption()
                            + "\", " + (a.image() == null ? "no image" : a.image().length + " image bytes"));
        }
    }

    /** Everything written reads back in order, and {@code written()} counts it. */
    @Test
    default void whatIsWrittenReadsBack() throws IOException {
        Path dir = temp();
        try (DatasetWriter writer = create()) {
            String who = describe(writer);
            Path out = dir.resolve("out");
            try (DatasetWriter.Output o = writer.open(out, null)) {
                for (WebRecord r : records()) {
                    o.write(r, Map.of("score", 0.5));
                }
                check(o.written() == records().size(), who + ": expected written() = " + records().size()
                        + ", but it is " + o.written());
            }
            same(who, records(), read(out));
            check(Checks.KEBAB.matcher(writer.readBy()).matches(), who + ": expected readBy() to name a record "
                    + "source component, but it is '" + writer.readBy() + "'");
        } finally {
            delete(dir);
        }
    }

    /**
     * A run killed after a checkpoint resumes exactly there: records written after the checkpoint are gone, the
     * resumed run's records follow the checkpointed ones, and {@code written()} counts across the resume.
     */
    @Test
    default void resumingFromACheckpointDropsWhatCameAfterIt() throws IOException {
        Path dir = temp();
        try (DatasetWriter writer = create()) {
            String who = describe(writer);
            Path out = dir.resolve("out");
            List<WebRecord> all = records();
            check(all.size() >= 6, who + ": the fixture needs at least 6 records");
            Map<String, Object> checkpoint;
            DatasetWriter.Output killed = writer.open(out, null);
            for (WebRecord r : all.subList(0, 3)) {
                killed.write(r, Map.of());
            }
            checkpoint = killed.checkpoint();
            for (WebRecord r : all.subList(3, 5)) {
                killed.write(r, Map.of());
            }
            // The run is killed here: killed is never closed.
            try (DatasetWriter.Output resumed = writer.open(out, checkpoint)) {
                resumed.write(all.get(5), Map.of());
                check(resumed.written() == 4, who + ": expected written() = 4 after resuming at 3 and writing one, "
                        + "but it is " + resumed.written());
            }
            same(who + " after a resume", List.of(all.get(0), all.get(1), all.get(2), all.get(5)), read(out));
        } finally {
            delete(dir);
        }
    }

    /** A fresh start in a directory that already holds something is refused with an IOException. */
    @Test
    default void aFreshStartRefusesANonEmptyDirectory() throws IOException {
        Path dir = temp();
        try (DatasetWriter writer = create()) {
            Path out = Files.createDirectories(dir.resolve("out"));
            Files.writeString(out.resolve("someone-elses-file.txt"), "x");
            try (DatasetWriter.Output o = writer.open(out, null)) {
                throw fail(describe(writer) + ": expected open(non-empty directory, null) to throw IOException, but it "
                        + "opened " + o);
            } catch (IOException expected) {
                check(Files.exists(out.resolve("someone-elses-file.txt")), describe(writer) + ": deleted a file it "
                        + "did not write");
            }
        } finally {
            delete(dir);
        }
    }
}
