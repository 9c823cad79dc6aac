package io.assay.lib.websources;

import static io.assay.lib.websources.Fixtures.meta;
import static io.assay.lib.websources.Fixtures.png;
import static io.assay.lib.websources.Fixtures.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import io.assay.sdk.curation.WebRecord;
import java.awt.Color;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DatasetWriterTest {

    static final byte[] GIF = {'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0, 0, 0, 0, ';'};

    @TempDir
    Path tmp;

    static List<WebRecord> sample() {
        return List.of(
                new WebRecord("crawl.warc.gz#120/0", "http://example.com/a/cat.png", "http://example.com/a/",
                        "A café cat", png(4, 3, Color.RED), 3,
                        meta("width", "64", "height", "32", "source", "crawl.warc.gz", "pageLanguage", "fr")),
                new WebRecord("crawl.warc.gz#120/1", "http://example.com/img/dog.png", "http://example.com/a/", "",
                        null, 3, meta("source", "crawl.warc.gz")),
                new WebRecord("wds/0007", "http://x.org/1.gif", null, "a gif with \"quotes\"\nand a newline", GIF,
                        -1, Map.of()),
                new WebRecord("odd", null, null, "unknown format", new byte[] {0, 1, 2, 3}, 0,
                        meta("note", "ünïcödé")));
    }

    static Map<String, Object> extra(int i) {
        Map<String, Object> m = new HashMap<>();
        m.put("clipScore", 0.25 + i);
        m.put("kept", true);
        return m;
    }

    /** The metadata a reader reports: the record's own plus the scalar extras, as strings. */
    static Map<String, String> expectedMetadata(WebRecord r, int i) {
        Map<String, String> m = new HashMap<>(r.metadata());
        m.put("clipScore", String.valueOf(0.25 + i));
        m.put("kept", "true");
        return m;
    }

    static void write(DatasetWriter w, List<WebRecord> records) throws IOException {
        for (int i = 0; i < records.size(); i++) {
            w.write(records.get(i), extra(i));
        }
    }

    static void assertSameRecords(List<WebRecord> actual, List<WebRecord> expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            WebRecord a = actual.get(i);
            WebRecord e = expected.get(i);
            assertThat(a.id()).isEqualTo(e.id());
            assertThat(a.caption()).isEqualTo(e.caption());
            assertThat(a.image()).isEqualTo(e.image());
            assertThat(a.imageUrl()).isEqualTo(e.imageUrl());
            assertThat(a.pageUrl()).isEqualTo(e.pageUrl());
            assertThat(a.inboundLinks()).isEqualTo(e.inboundLinks());
            assertThat(a.metadata()).isEqualTo(expectedMetadata(e, i));
        }
    }

    @Test
    void webdatasetRoundTrip() throws IOException {
        Path out = tmp.resolve("out");
        try (DatasetWriter w = DatasetWriters.open("webdataset", out, 3, null)) {
            write(w, sample());
            assertThat(w.written()).isEqualTo(4);
        }
        assertThat(names(out)).containsExactly("00000.tar", "00001.tar");
        assertThat(tarEntries(out.resolve("00000.tar"))).containsExactly(
                "000000000.png", "000000000.txt", "000000000.json",
                "000000001.txt", "000000001.json",
                "000000002.gif", "000000002.txt", "000000002.json");
        assertThat(tarEntries(out.resolve("00001.tar"))).containsExactly(
                "000000003.bin", "000000003.txt", "000000003.json");
        try (RecordSource source = RecordSources.open("webdataset", List.of(out), null)) {
            assertSameRecords(readAll(source), sample());
        }
    }

    @Test
    void directoryRoundTrip() throws IOException {
        Path out = tmp.resolve("out");
        try (DatasetWriter w = DatasetWriters.open("directory", out, 0, null)) {
            write(w, sample());
        }
        assertThat(names(out.resolve("images"))).containsExactly("000000000.png", "000000002.gif", "000000003.bin");
        assertThat(Files.readAllLines(out.resolve("manifest.jsonl"))).hasSize(4)
                .first().asString().contains("\"image\":\"images/000000000.png\"").contains("\"clipScore\":0.25");
        try (RecordSource source = RecordSources.open("manifest", List.of(out), null)) {
            assertThat(source.describe()).isEqualTo("manifest: 1 dataset (out)");
            assertSameRecords(readAll(source), sample());
        }
    }

    @Test
    void manifestReaderReportsBadLinesAndEscapingPaths() throws IOException {
        Path ds = Files.createDirectories(tmp.resolve("ds"));
        Files.createDirectories(ds.resolve("images"));
        byte[] img = png(2, 2, Color.CYAN);
        Files.write(ds.resolve("images/ok.png"), img);
        Files.write(tmp.resolve("escape.png"), img);
        Files.writeString(ds.resolve("manifest.jsonl"), String.join("\n",
                "{\"id\":\"good\",\"image\":\"images/ok.png\",\"caption\":\"cyan\",\"url\":\"http://x/ok.png\","
                        + "\"page\":\"http://x/\",\"inboundLinks\":7,\"metadata\":{\"lang\":\"en\"}}",
                "{\"id\":\"broken\", \"caption\": ",
                "",
                "{\"caption\":\"no id\"}",
                "{\"id\":\"escape\",\"image\":\"../escape.png\",\"caption\":\"outside\"}",
                "{\"id\":\"absolute\",\"image\":\"" + tmp.resolve("escape.png").toAbsolutePath() + "\"}",
                "{\"id\":\"missing\",\"image\":\"images/gone.png\",\"caption\":\"x\"}",
                "{\"id\":\"bytesless\",\"caption\":\"just text\"}") + "\n");

        List<WebRecord> records;
        try (RecordSource source = RecordSources.open("manifest", List.of(ds.resolve("manifest.jsonl")), null)) {
            records = readAll(source);
        }
        assertThat(records).extracting(WebRecord::id).containsExactly("good", "manifest.jsonl:2", "manifest.jsonl:4",
                "escape", "absolute", "missing", "bytesless");
        WebRecord good = records.get(0);
        assertThat(good.image()).isEqualTo(img);
        assertThat(good.caption()).isEqualTo("cyan");
        assertThat(good.inboundLinks()).isEqualTo(7);
        assertThat(good.metadata()).isEqualTo(Map.of("lang", "en"));
        assertThat(records.get(1).metadata().get("unreadable")).startsWith("line 2 is not valid JSON");
        assertThat(records.get(2).metadata().get("unreadable")).isEqualTo("line 4 has no id");
        assertThat(records.get(3).metadata().get("unreadable")).isEqualTo("image path escapes the dataset directory");
        assertThat(records.get(4).metadata().get("unreadable")).isEqualTo("image path escapes the dataset directory");
        assertThat(records.get(5).metadata().get("unreadable")).isEqualTo("image file missing: images/gone.png");
        assertThat(records.get(6).image()).isNull();
        assertThat(records.get(6).caption()).isEqualTo("just text");
        assertThat(records.get(6).inboundLinks()).isEqualTo(-1);
    }

    static List<WebRecord> numbered(String prefix, int n) {
        List<WebRecord> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] image = i % 2 == 0 ? png(1 + i, 1, Color.MAGENTA) : null;
            out.add(new WebRecord(prefix + i, "http://x/" + prefix + i + ".png", null, "caption " + prefix + i, image,
                    i, meta("n", String.valueOf(i))));
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"webdataset", "directory"})
    void resumeDiscardsWhatCameAfterTheCheckpoint(String format) throws IOException {
        Path out = tmp.resolve("out");
        List<WebRecord> kept = numbered("kept", 5);
        List<WebRecord> lost = numbered("lost", 3);
        List<WebRecord> more = numbered("more", 2);

        DatasetWriter crashed = DatasetWriters.open(format, out, 2, null);
        write(crashed, kept);
        Map<String, Object> position = crashed.checkpoint();
        write(crashed, lost); // then the process dies: no checkpoint, no close
        assertThat(crashed.written()).isEqualTo(8);
        if (format.equals("webdataset")) {
            // 00003.tar was completed by the lost records, and a temp shard is half-written.
            assertThat(names(out)).contains("00003.tar", ".00004.tar.tmp");
        }

        // The position survives a JSON round trip (the curation command stores it as JSON).
        Map<String, Object> stored = DatasetJson.MAPPER.readValue(
                DatasetJson.MAPPER.writeValueAsBytes(position), new TypeReference<Map<String, Object>>() { });
        try (DatasetWriter resumed = DatasetWriters.open(format, out, 2, stored)) {
            assertThat(resumed.written()).isEqualTo(5);
            if (format.equals("webdataset")) {
                assertThat(names(out)).containsExactly("00000.tar", "00001.tar", "00002.tar");
            } else {
                assertThat(names(out.resolve("images")))
                        .containsExactly("000000000.png", "000000002.png", "000000004.png");
            }
            for (int i = 0; i < more.size(); i++) {
                resumed.write(more.get(i), extra(5 + i));
            }
            assertThat(resumed.written()).isEqualTo(7);
        }

        List<WebRecord> expected = new ArrayList<>(kept);
        expected.addAll(more);
        String type = format.equals("webdataset") ? "webdataset" : "manifest";
        try (RecordSource source = RecordSources.open(type, List.of(out), null)) {
            List<WebRecord> back = readAll(source);
            assertSameRecords(back, expected);
        }
        if (format.equals("webdataset")) {
            assertThat(names(out)).containsExactly("00000.tar", "00001.tar", "00002.tar", "00003.tar");
            assertThat(tarEntries(out.resolve("00003.tar"))).contains("000000005.png", "000000006.json");
        }
    }

    @Test
    void freshWriterRefusesANonEmptyDirectoryAndReservedExtras() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("used"));
        Files.writeString(out.resolve("something"), "x");
        assertThatThrownBy(() -> DatasetWriters.open("webdataset", out, 10, null))
                .isInstanceOf(DirectoryNotEmptyException.class);
        assertThatThrownBy(() -> DatasetWriters.open("directory", out, 10, null))
                .isInstanceOf(DirectoryNotEmptyException.class);
        try (DatasetWriter w = DatasetWriters.open("directory", tmp.resolve("fresh"), 0, null)) {
            assertThatThrownBy(() -> w.write(sample().get(0), Map.of("caption", "overwrite")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("caption");
            assertThat(w.written()).isZero();
            assertThatThrownBy(() -> DatasetWriters.open("webdataset", tmp.resolve("fresh"), 1, w.checkpoint()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("directory");
        }
        assertThat(Files.readString(tmp.resolve("fresh/manifest.jsonl"), StandardCharsets.UTF_8)).isEmpty();
    }

    static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    static List<String> tarEntries(Path shard) throws IOException {
        List<String> names = new ArrayList<>();
        try (InputStream in = Files.newInputStream(shard); TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                names.add(e.getName());
            }
        }
        return names;
    }
}
