package io.assay.lib.websources;

import static io.assay.lib.websources.Fixtures.garbageResponse;
import static io.assay.lib.websources.Fixtures.htmlResponse;
import static io.assay.lib.websources.Fixtures.imageResponse;
import static io.assay.lib.websources.Fixtures.png;
import static io.assay.lib.websources.Fixtures.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.assay.sdk.curation.WebRecord;
import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.netpreserve.jwarc.WarcCompression;
import org.netpreserve.jwarc.WarcRecord;

class WarcSourceTest {

    static final byte[] RED = png(4, 3, Color.RED);
    static final byte[] BLUE = png(2, 2, Color.BLUE);
    static final byte[] GREEN = png(5, 1, Color.GREEN);

    static final String PAGE_A = "http://example.com/a/index.html";
    static final String PAGE_B = "http://example.com/b.html";
    static final String PAGE_C = "http://example.com/c.html";
    static final String PAGE_D = "http://example.com/d.html";

    @TempDir
    Path tmp;

    /** The crawl of the main test, in write order; index = position in the offsets list. */
    static List<WarcRecord> crawl() throws IOException {
        return List.of(
                htmlResponse(PAGE_A, "<html lang=\"fr\"><head><title>A</title></head><body>"
                        + "<img src=\"cat.png\" alt=\"A caf&eacute; cat\" width=\"64\" height=\"32\">"
                        + "<p><img src=\"/img/dog.png\"></p>"
                        + "<img src=\"http://cdn.example.org/x.png\" alt=\" absolute \">"
                        + "<a href=\"../b.html\">B</a> <a href=\"http://example.com/c.html#top\">C</a>"
                        + "<a href=\"index.html\">myself</a></body></html>"),
                imageResponse("http://example.com/a/cat.png", 200, "image/png", RED),
                garbageResponse("http://example.com/broken"),
                htmlResponse(PAGE_B, "<html><head><base href=\"http://static.example.net/assets/\"></head>"
                        + "<body><img src=\"bird.png\" alt=\"bird &amp; tree\">"
                        + "<a href=\"http://example.com/c.html\">C</a>"
                        + "<a href=\"http://EXAMPLE.com/a/index.html\">A</a></body></html>"),
                imageResponse("http://static.example.net/assets/bird.png", 200, "image/png", GREEN),
                htmlResponse(PAGE_C, "<html><body><img src=\"data:image/png;base64,iVBORw0KGgo=\" alt=\"inline\">"
                        + "<img src=\"img/fish.png\" alt=\"fish\" width=\"50%\" height=\"20\"></body></html>"),
                imageResponse("http://cdn.example.org/x.png", 200, "image/png", BLUE),
                imageResponse("http://example.com/img/dog.png", 404, "image/png", RED),
                htmlResponse(PAGE_D, "<html><body><img src=\"e.png\" alt=\"e\"></body></html>"));
    }

    @ParameterizedTest
    @EnumSource(WarcCompression.class)
    void readsImagesCaptionsBytesAndLinks(WarcCompression compression) throws IOException {
        String name = compression == WarcCompression.GZIP ? "crawl.warc.gz" : "crawl.warc";
        Path file = tmp.resolve(name);
        List<Long> off = Fixtures.writeWarc(file, compression, crawl());

        List<WebRecord> records;
        try (RecordSource source = RecordSources.open("warc", List.of(file), RecordSources.Options.defaults())) {
            assertThat(source.describe()).isEqualTo("WARC: 1 file (" + name + ")");
            records = readAll(source);
        }

        assertThat(records).extracting(WebRecord::id).containsExactly(
                name + "#" + off.get(0) + "/0", name + "#" + off.get(0) + "/1", name + "#" + off.get(0) + "/2",
                name + "#" + off.get(2),
                name + "#" + off.get(3) + "/0",
                name + "#" + off.get(5) + "/0",
                name + "#" + off.get(8) + "/0");
        assertThat(records).extracting(WebRecord::imageUrl).containsExactly(
                "http://example.com/a/cat.png", "http://example.com/img/dog.png", "http://cdn.example.org/x.png",
                null,
                "http://static.example.net/assets/bird.png",
                "http://example.com/img/fish.png",
                "http://example.com/e.png");
        assertThat(records).extracting(WebRecord::caption).containsExactly(
                "A café cat", "", "absolute", "", "bird & tree", "fish", "e");
        assertThat(records).extracting(WebRecord::pageUrl).containsExactly(
                PAGE_A, PAGE_A, PAGE_A, null, PAGE_B, PAGE_C, PAGE_D);

        // Bytes only where the crawl holds a 2xx image response for that URL, byte-equal to what was captured.
        assertThat(records.get(0).image()).isEqualTo(RED);
        assertThat(records.get(1).image()).as("404 image response is not the image").isNull();
        assertThat(records.get(2).image()).isEqualTo(BLUE);
        assertThat(records.get(4).image()).isEqualTo(GREEN);
        assertThat(records.get(5).image()).isNull();
        assertThat(records.get(6).image()).isNull();

        // A: linked from B (B's self-link does not count, nor A's own); B: from A; C: from A and B; D: from none.
        assertThat(records).extracting(WebRecord::inboundLinks).containsExactly(1L, 1L, 1L, -1L, 1L, 2L, 0L);

        WebRecord cat = records.get(0);
        assertThat(cat.metadata()).containsEntry("width", "64").containsEntry("height", "32")
                .containsEntry("pageLanguage", "fr").containsEntry("source", name)
                .containsKey("warcRecordId").doesNotContainKey("unreadable");
        assertThat(cat.metadata().get("warcRecordId")).startsWith("urn:uuid:");
        assertThat(records.get(1).metadata()).doesNotContainKeys("width", "height");
        assertThat(records.get(5).metadata()).as("50% is not an integer width")
                .doesNotContainKey("width").containsEntry("height", "20").doesNotContainKey("pageLanguage");

        WebRecord broken = records.get(3);
        assertThat(broken.metadata().get("unreadable")).startsWith("bad HTTP response: ");
        assertThat(broken.metadata()).containsEntry("source", name);
        assertThat(broken.hasImage()).isFalse();
    }

    @Test
    void secondPassRepeatsTheFirst() throws IOException {
        Path file = tmp.resolve("crawl.warc.gz");
        Fixtures.writeWarc(file, WarcCompression.GZIP, crawl());
        try (RecordSource source = RecordSources.open("warc", List.of(tmp), RecordSources.Options.defaults())) {
            List<WebRecord> first = readAll(source);
            List<WebRecord> second = readAll(source);
            assertThat(second).hasSize(7);
            for (int i = 0; i < first.size(); i++) {
                assertThat(second.get(i).id()).isEqualTo(first.get(i).id());
                assertThat(second.get(i).caption()).isEqualTo(first.get(i).caption());
                assertThat(second.get(i).image()).isEqualTo(first.get(i).image());
            }
        }
    }

    @Test
    void linkCountingCanBeTurnedOff() throws IOException {
        Path file = tmp.resolve("crawl.warc");
        Fixtures.writeWarc(file, WarcCompression.NONE, crawl());
        try (RecordSource source = RecordSources.open("warc", List.of(file), new RecordSources.Options(false, 100))) {
            List<WebRecord> records = readAll(source);
            assertThat(records).hasSize(7).allSatisfy(r -> assertThat(r.inboundLinks()).isEqualTo(-1L));
            assertThat(records.get(0).image()).isEqualTo(RED);
        }
    }

    @ParameterizedTest
    @EnumSource(WarcCompression.class)
    void truncatedFileYieldsTheRecordsBeforeThenOneUnreadable(WarcCompression compression) throws IOException {
        Path whole = tmp.resolve("whole.warc");
        List<Long> off = Fixtures.writeWarc(whole, compression, crawl());
        byte[] bytes = Files.readAllBytes(whole);
        // Cut in the middle of page B's record.
        int cut = (int) ((off.get(3) + off.get(4)) / 2);
        Path cutFile = tmp.resolve(compression == WarcCompression.GZIP ? "cut.warc.gz" : "cut.warc");
        Files.write(cutFile, Arrays.copyOf(bytes, cut));
        String name = cutFile.getFileName().toString();

        List<WebRecord> records;
        try (RecordSource source = RecordSources.open("warc", List.of(cutFile), null)) {
            records = readAll(source);
        }
        assertThat(records).hasSize(5);
        assertThat(records.subList(0, 3)).extracting(WebRecord::caption).containsExactly("A café cat", "", "absolute");
        assertThat(records.get(0).image()).isEqualTo(RED);
        assertThat(records.get(3).metadata().get("unreadable")).startsWith("bad HTTP response");
        WebRecord last = records.get(4);
        assertThat(last.id()).isEqualTo(name + "#" + off.get(3));
        assertThat(last.metadata().get("unreadable"))
                .startsWith("WARC file truncated or corrupt at offset " + off.get(3) + " of " + name
                        + " (nothing readable after it): unexpected end of file: ")
                .endsWith(compression == WarcCompression.GZIP ? "truncated gzip member" : "more bytes");
    }

    @Test
    void aTruncatedFileDoesNotStopTheNextFile() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("crawl"));
        List<Long> off = Fixtures.writeWarc(dir.resolve("0-whole.warc"), WarcCompression.NONE, crawl());
        byte[] bytes = Files.readAllBytes(dir.resolve("0-whole.warc"));
        Files.write(dir.resolve("0-whole.warc"), Arrays.copyOf(bytes, (int) (off.get(0) + 40)));
        Fixtures.writeWarc(dir.resolve("1-next.warc"), WarcCompression.NONE, crawl());
        try (RecordSource source = RecordSources.open("warc", List.of(dir), null)) {
            assertThat(source.describe()).isEqualTo("WARC: 2 files (0-whole.warc, 1-next.warc)");
            List<WebRecord> records = readAll(source);
            assertThat(records).hasSize(1 + 7);
            assertThat(records.get(0).id()).isEqualTo("0-whole.warc#0");
            assertThat(records.get(0).metadata().get("unreadable")).startsWith("WARC file truncated or corrupt at offset 0 of 0-whole.warc (nothing readable after it): ");
            assertThat(records.get(1).id()).startsWith("1-next.warc#0/0");
            assertThat(records.get(1).image()).isEqualTo(RED);
        }
    }

    @Test
    void partsReadOneFileEachAndTogetherEqualTheWholePass() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("parts"));
        Fixtures.writeWarc(dir.resolve("0-a.warc"), WarcCompression.NONE, crawl());
        Fixtures.writeWarc(dir.resolve("1-b.warc"), WarcCompression.GZIP, crawl());
        try (RecordSource source = RecordSources.open("warc", List.of(dir), null)) {
            PartitionedSource parts = (PartitionedSource) source;
            assertThat(parts.partitions()).isEqualTo(2);
            List<WebRecord> whole = readAll(source);
            List<WebRecord> joined = new java.util.ArrayList<>();
            for (int p = 0; p < parts.partitions(); p++) {
                List<WebRecord> part = new java.util.ArrayList<>();
                parts.records(p).forEachRemaining(part::add);
                String prefix = p == 0 ? "0-a.warc#" : "1-b.warc#";
                assertThat(part).hasSize(7).allMatch(r -> r.id().startsWith(prefix));
                joined.addAll(part);
            }
            assertThat(joined).extracting(WebRecord::id).containsExactlyElementsOf(
                    whole.stream().map(WebRecord::id).toList());
            for (int i = 0; i < whole.size(); i++) {
                assertThat(joined.get(i).image()).isEqualTo(whole.get(i).image());
                assertThat(joined.get(i).inboundLinks()).isEqualTo(whole.get(i).inboundLinks());
            }
            assertThatThrownBy(() -> parts.records(2)).isInstanceOf(IndexOutOfBoundsException.class);
        }
    }

    @Test
    void singleStreamGzipFallsBackToRecordNumbers() throws IOException {
        Path plain = tmp.resolve("plain.warc");
        Fixtures.writeWarc(plain, WarcCompression.NONE, crawl());
        Path gz = tmp.resolve("whole.warc.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(Files.readAllBytes(plain));
        }
        try (RecordSource source = RecordSources.open("warc", List.of(gz), null)) {
            List<WebRecord> records = readAll(source);
            assertThat(records).extracting(WebRecord::caption)
                    .containsExactly("A café cat", "", "absolute", "", "bird & tree", "fish", "e");
            // One gzip stream gives no per-record offsets: ids number the records, and images cannot be seeked.
            assertThat(records).extracting(WebRecord::id).containsExactly("whole.warc.gz#r0/0", "whole.warc.gz#r0/1",
                    "whole.warc.gz#r0/2", "whole.warc.gz#r2", "whole.warc.gz#r3/0", "whole.warc.gz#r5/0",
                    "whole.warc.gz#r8/0");
            assertThat(records).allSatisfy(r -> assertThat(r.image()).isNull());
            assertThat(records.get(0).metadata().get("imageError")).contains("one gzip stream");
        }
    }

    @Test
    void detectsWarcByContentInDirectories() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("mixed"));
        Fixtures.writeWarc(dir.resolve("capture.bin"), WarcCompression.GZIP, crawl());
        Files.writeString(dir.resolve("notes.txt"), "not a crawl");
        Files.writeString(dir.resolve(".hidden.warc"), "ignored");
        try (RecordSource source = RecordSources.open("warc", List.of(dir), null)) {
            assertThat(source.describe()).isEqualTo("WARC: 1 file (capture.bin)");
            assertThat(readAll(source)).hasSize(7);
        }
        assertThatThrownBy(() -> RecordSources.open("warc", List.of(dir.resolve("notes.txt")), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("notes.txt");
    }

    @Test
    void openRejectsBadRequests() throws IOException {
        Path missing = tmp.resolve("nope.warc.gz");
        assertThatThrownBy(() -> RecordSources.open("warc", List.of(missing), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(missing.toString());
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertThatThrownBy(() -> RecordSources.open("warc", List.of(empty), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(empty.toString());
        assertThatThrownBy(() -> RecordSources.open("webdataset", List.of(empty), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(empty.toString());
        assertThatThrownBy(() -> RecordSources.open("manifest", List.of(empty), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(empty.toString());
        assertThatThrownBy(() -> RecordSources.open("parquet", List.of(empty), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("parquet");
    }

    @Test
    void closedSourceRefusesNewPassesAndReleasesAbandonedOnes() throws IOException {
        Path file = tmp.resolve("crawl.warc");
        Fixtures.writeWarc(file, WarcCompression.NONE, crawl());
        RecordSource source = RecordSources.open("warc", List.of(file), null);
        var it = source.records();
        assertThat(it.next().caption()).isEqualTo("A café cat");
        source.close();
        assertThat(it.hasNext()).as("an abandoned pass ends when its source closes").isFalse();
        assertThatThrownBy(source::records).isInstanceOf(IllegalStateException.class);
    }
}
