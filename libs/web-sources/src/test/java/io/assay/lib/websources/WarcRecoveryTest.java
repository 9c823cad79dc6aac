package io.assay.lib.websources;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import io.assay.sdk.curation.WebRecord;
import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.netpreserve.jwarc.WarcCompression;
import org.netpreserve.jwarc.WarcRecord;
import org.netpreserve.jwarc.WarcWriter;

/**
 * Damage inside a WARC/WAT file costs the entry it hits only: every input is a crawl of 30 pages built with jwarc's
 * writer, one record (or one gzip member) of which is then damaged byte by byte.
 */
class WarcRecoveryTest {

    static final int PAGES = 30;

    @TempDir
    Path tmp;

    /** A crawl file as bytes, and where each of its records (or members) starts. */
    record Crawl(byte[] bytes, List<Long> offsets) {
        long end(int k) {
            return k + 1 < offsets.size() ? offsets.get(k + 1) : bytes.length;
        }
    }

    static WarcRecord page(int i) throws IOException {
        return Fixtures.htmlResponse("http://example.com/p" + i + ".html",
                "<html><body><img src=\"i" + i + ".png\" alt=\"picture " + i + "\"></body></html>");
    }

    /** Built afresh for every crawl: a record's body can be written once only. */
    static List<WarcRecord> watPages() {
        List<WarcRecord> out = new ArrayList<>();
        for (int i = 0; i < PAGES; i++) {
            out.add(watPage(i));
        }
        return out;
    }

    static WarcRecord watPage(int i) {
        return Fixtures.watRecord("http://example.com/p" + i + ".html", WatSourceTest.envelope(
                "http://example.com/p" + i + ".html", "{\"path\":\"IMG@/src\",\"url\":\"i" + i + ".png\",\"alt\":\"picture "
                        + i + "\"}"));
    }

    static byte[] serialize(WarcRecord r) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (WarcWriter w = new WarcWriter(Channels.newChannel(out), WarcCompression.NONE)) {
            w.write(r);
        }
        return out.toByteArray();
    }

    static byte[] gzip(byte[] plain) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(plain);
        }
        return out.toByteArray();
    }

    /** The records serialized one after another, record {@code k} edited first, each its own member for GZIP. */
    static Crawl crawl(List<WarcRecord> records, WarcCompression compression, int k, UnaryOperator<byte[]> edit)
            throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Long> offsets = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            byte[] b = serialize(records.get(i));
            if (i == k) {
                b = edit.apply(b);
            }
            offsets.add((long) out.size());
            out.write(compression == WarcCompression.GZIP ? gzip(b) : b);
        }
        return new Crawl(out.toByteArray(), offsets);
    }

    /** Built afresh for every crawl: a record's body can be written once only. */
    static List<WarcRecord> pages() throws IOException {
        List<WarcRecord> out = new ArrayList<>();
        for (int i = 0; i < PAGES; i++) {
            out.add(page(i));
        }
        return out;
    }

    /** The WARC header's Content-Length (the first one in the record) changed by {@code delta}. */
    static UnaryOperator<byte[]> contentLength(int delta) {
        return b -> {
            String s = new String(b, ISO_8859_1);
            int at = s.indexOf("Content-Length: ") + "Content-Length: ".length();
            int eol = s.indexOf("\r\n", at);
            long declared = Long.parseLong(s.substring(at, eol));
            return (s.substring(0, at) + (declared + delta) + s.substring(eol)).getBytes(ISO_8859_1);
        };
    }

    List<WebRecord> read(String name, byte[] bytes, RecordSources.Options options) throws IOException {
        Path file = tmp.resolve(name);
        Files.write(file, bytes);
        try (RecordSource source = RecordSources.open("warc", List.of(file), options)) {
            return Fixtures.readAll(source);
        }
    }

    /** Every page but {@code k} read intact, in order, and one unreadable entry for {@code k} at {@code offset}. */
    static void assertOnlyOneLost(List<WebRecord> records, String name, Crawl c, int k, long offset, String reason) {
        List<String> ids = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        for (int i = 0; i < PAGES; i++) {
            ids.add(name + "#" + (i == k ? offset : c.offsets().get(i) + "/0"));
            captions.add(i == k ? "" : "picture " + i);
        }
        assertThat(records).extracting(WebRecord::id).containsExactlyElementsOf(ids);
        assertThat(records).extracting(WebRecord::caption).containsExactlyElementsOf(captions);
        for (int i = 0; i < PAGES; i++) {
            WebRecord r = records.get(i);
            if (i == k) {
                assertThat(r.metadata().get("unreadable")).as("record %d", i).startsWith(reason);
                assertThat(r.metadata()).containsEntry("source", name);
            } else {
                assertThat(r.metadata()).as("record %d", i).doesNotContainKey("unreadable");
                assertThat(r.imageUrl()).isEqualTo("http://example.com/i" + i + ".png");
            }
        }
    }

    static String resumed(String name, long at, long resume) {
        return "WARC file truncated or corrupt at offset " + at + " of " + name
                + (resume < 0 ? " (nothing readable after it): " : " (reading resumed at offset " + resume + "): ");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 13, PAGES - 1})
    void aCorruptGzipMemberCostsItsRecordOnly(int k) throws IOException {
        Crawl c = crawl(pages(), WarcCompression.GZIP, -1, null);
        byte[] bytes = c.bytes().clone();
        // Overwrite the middle of member k's deflate data (its 10-byte header and 8-byte trailer stay intact).
        long from = c.offsets().get(k) + 20;
        Arrays.fill(bytes, (int) from, (int) (c.end(k) - 20), (byte) 0xff);

        List<WebRecord> records = read("crawl.warc.gz", bytes, null);

        long resume = k == PAGES - 1 ? -1 : c.offsets().get(k + 1);
        assertOnlyOneLost(records, "crawl.warc.gz", c, k, c.offsets().get(k),
                resumed("crawl.warc.gz", c.offsets().get(k), resume) + "corrupt gzip member (");
        assertThat(records).hasSize(PAGES);
    }

    @Test
    void aBadChecksumCostsItsRecordAndReadingResumesAtTheMembersEnd() throws IOException {
        Crawl c = crawl(pages(), WarcCompression.GZIP, -1, null);
        byte[] bytes = c.bytes().clone();
        int k = 7;
        bytes[(int) c.end(k) - 8] ^= 0x55; // first byte of member k's CRC-32
        List<WebRecord> records = read("crawl.warc.gz", bytes, null);
        assertOnlyOneLost(records, "crawl.warc.gz", c, k, c.offsets().get(k),
                resumed("crawl.warc.gz", c.offsets().get(k), c.offsets().get(k + 1))
                        + "corrupt gzip member (CRC-32 mismatch)");
    }

    @ParameterizedTest
    @EnumSource(WarcCompression.class)
    void aContentLengthTooLongCostsItsRecordOnly(WarcCompression compression) throws IOException {
        String name = compression == WarcCompression.GZIP ? "long.warc.gz" : "long.warc";
        int k = 11;
        Crawl c = crawl(pages(), compression, k, contentLength(+7));
        List<WebRecord> records = read(name, c.bytes(), null);
        assertOnlyOneLost(records, name, c, k, c.offsets().get(k),
                resumed(name, c.offsets().get(k), c.offsets().get(k + 1)));
    }

    @ParameterizedTest
    @EnumSource(WarcCompression.class)
    void aContentLengthTooShortCostsItsRecordOnly(WarcCompression compression) throws IOException {
        String name = compression == WarcCompression.GZIP ? "short.warc.gz" : "short.warc";
        int k = 11;
        Crawl c = crawl(pages(), compression, k, contentLength(-7));
        List<WebRecord> records = read(name, c.bytes(), null);
        assertOnlyOneLost(records, name, c, k, c.offsets().get(k),
                resumed(name, c.offsets().get(k), c.offsets().get(k + 1))
                        + "its Content-Length (" + (serialize(page(k)).length - headerAndTrailer(k) - 7)
                        + ") does not end the record: no record trailer there");
    }

    /** Bytes of page k's record that are not its block: header block and trailer. */
    static int headerAndTrailer(int k) throws IOException {
        String s = new String(serialize(page(k)), ISO_8859_1);
        return s.indexOf("\r\n\r\n") + 4 + 4;
    }

    @ParameterizedTest
    @EnumSource(WarcCompression.class)
    void aContentLengthPastTheEndOfTheFileCostsTheLastRecordOnly(WarcCompression compression) throws IOException {
        String name = compression == WarcCompression.GZIP ? "end.warc.gz" : "end.warc";
        int k = PAGES - 1;
        Crawl c = crawl(pages(), compression, k, contentLength(+100_000));
        List<WebRecord> records = read(name, c.bytes(), null);
        assertOnlyOneLost(records, name, c, k, c.offsets().get(k),
                resumed(name, c.offsets().get(k), -1) + "unexpected end of file");
    }

    @Test
    void aTruncatedFinalMemberCostsTheLastRecordOnly() throws IOException {
        Crawl c = crawl(pages(), WarcCompression.GZIP, -1, null);
        int k = PAGES - 1;
        byte[] cut = Arrays.copyOf(c.bytes(), (int) (c.offsets().get(k) + c.end(k)) / 2);
        List<WebRecord> records = read("cut.warc.gz", cut, null);
        assertOnlyOneLost(records, "cut.warc.gz", c, k, c.offsets().get(k),
                resumed("cut.warc.gz", c.offsets().get(k), -1) + "unexpected end of file: truncated gzip member");
    }

    @ParameterizedTest
    @EnumSource(WarcCompression.class)
    void garbageBetweenRecordsIsOneUnreadableEntry(WarcCompression compression) throws IOException {
        String name = compression == WarcCompression.GZIP ? "junk.warc.gz" : "junk.warc";
        Crawl c = crawl(pages(), compression, -1, null);
        int k = 17;
        byte[] junk = new byte[5000];
        new Random(42).nextBytes(junk);
        // A false gzip magic and a false record line inside the junk: the resynchronisation must not stop there.
        System.arraycopy(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3}, 0, junk, 1000, 13);
        byte[] line = "WARC/1.0\r\nnot a header\r\n".getBytes(ISO_8859_1);
        System.arraycopy(line, 0, junk, 3000, line.length);
        long at = c.offsets().get(k);
        byte[] bytes = new byte[c.bytes().length + junk.length];
        System.arraycopy(c.bytes(), 0, bytes, 0, (int) at);
        System.arraycopy(junk, 0, bytes, (int) at, junk.length);
        System.arraycopy(c.bytes(), (int) at, bytes, (int) at + junk.length, (int) (c.bytes().length - at));

        List<WebRecord> records = read(name, bytes, null);

        assertThat(records).hasSize(PAGES + 1);
        WebRecord skipped = records.get(k);
        assertThat(skipped.id()).isEqualTo(name + "#" + at);
        assertThat(skipped.metadata().get("unreadable")).startsWith(resumed(name, at, at + junk.length));
        for (int i = 0; i < PAGES; i++) {
            WebRecord r = records.get(i < k ? i : i + 1);
            long offset = c.offsets().get(i) + (i < k ? 0 : junk.length);
            assertThat(r.id()).isEqualTo(name + "#" + offset + "/0");
            assertThat(r.caption()).isEqualTo("picture " + i);
        }
    }

    @Test
    void aGzipBombCostsItsRecordOnlyAndIsInflatedNoFurtherThanTheLimit() throws IOException {
        int k = 5;
        // A well-formed record of 64 MiB of zeros: it compresses to about 64 KiB.
        byte[] zeros = new byte[64 << 20];
        WarcRecord bomb = Fixtures.imageResponse("http://example.com/bomb.png", 200, "image/png", zeros);
        List<WarcRecord> records = new ArrayList<>(pages());
        records.set(k, bomb);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Long> offsets = new ArrayList<>();
        for (WarcRecord r : records) {
            offsets.add((long) out.size());
            out.write(gzipBest(serialize(r)));
        }
        Crawl c = new Crawl(out.toByteArray(), offsets);
        assertThat(c.end(k) - c.offsets().get(k)).as("compressed size of the bomb").isLessThan(256 << 10);

        List<WebRecord> read = read("bomb.warc.gz", c.bytes(), new RecordSources.Options(true, 1000, 4 << 20));

        assertThat(read).hasSize(PAGES);
        WebRecord skipped = read.get(k);
        assertThat(skipped.id()).isEqualTo("bomb.warc.gz#" + c.offsets().get(k));
        assertThat(skipped.metadata().get("unreadable")).isEqualTo(
                resumed("bomb.warc.gz", c.offsets().get(k), c.offsets().get(k + 1))
                        + "a gzip member inflating to more than 4 MiB for one record");
        assertThat(read).filteredOn(r -> !r.metadata().containsKey("unreadable")).hasSize(PAGES - 1);
    }

    static byte[] gzipBest(byte[] plain) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out) {
            {
                def.setLevel(Deflater.BEST_COMPRESSION);
            }
        }) {
            gz.write(plain);
        }
        return out.toByteArray();
    }

    @ParameterizedTest
    @EnumSource(WarcCompression.class)
    void aHeaderBlockOverTheLimitCostsItsRecordOnly(WarcCompression compression) throws IOException {
        String name = compression == WarcCompression.GZIP ? "header.warc.gz" : "header.warc";
        int k = 3;
        String big = "X-Padding: " + "a".repeat(WarcFileReader.MAX_HEADER_BYTES + 100_000) + "\r\n";
        Crawl c = crawl(pages(), compression, k, b -> {
            String s = new String(b, ISO_8859_1);
            int eol = s.indexOf("\r\n") + 2;
            return (s.substring(0, eol) + big + s.substring(eol)).getBytes(ISO_8859_1);
        });
        List<WebRecord> records = read(name, c.bytes(), null);
        assertOnlyOneLost(records, name, c, k, c.offsets().get(k),
                resumed(name, c.offsets().get(k), c.offsets().get(k + 1)) + "a WARC header block larger than 1 MiB");
    }

    @Test
    void anUncompressedRecordWithABrokenHeaderCostsItselfOnly() throws IOException {
        int k = 20;
        Crawl c = crawl(pages(), WarcCompression.NONE, k,
                b -> new String(b, ISO_8859_1).replaceFirst("WARC/1.0", "WXRC/1.0").getBytes(ISO_8859_1));
        List<WebRecord> records = read("bad.warc", c.bytes(), null);
        assertOnlyOneLost(records, "bad.warc", c, k, c.offsets().get(k),
                resumed("bad.warc", c.offsets().get(k), c.offsets().get(k + 1)));
    }

    @Test
    void watFilesRecoverTheSameWay() throws IOException {
        Crawl c = crawl(watPages(), WarcCompression.GZIP, -1, null);
        int k = 9;
        byte[] bytes = c.bytes().clone();
        Arrays.fill(bytes, (int) c.offsets().get(k).longValue() + 20, (int) c.end(k) - 20, (byte) 0xff);
        List<WebRecord> records = read("crawl.wat.gz", bytes, null);
        assertOnlyOneLost(records, "crawl.wat.gz", c, k, c.offsets().get(k),
                resumed("crawl.wat.gz", c.offsets().get(k), c.offsets().get(k + 1)) + "corrupt gzip member (");

        Crawl lying = crawl(watPages(), WarcCompression.GZIP, k, contentLength(-7));
        assertOnlyOneLost(read("lying.wat.gz", lying.bytes(), null), "lying.wat.gz", lying, k, lying.offsets().get(k),
                resumed("lying.wat.gz", lying.offsets().get(k), lying.offsets().get(k + 1)));
    }

    @Test
    void imagesAfterADamagedMemberStillComeWithTheirBytes() throws IOException {
        byte[] red = Fixtures.png(3, 2, Color.RED);
        List<WarcRecord> records = new ArrayList<>(pages());
        records.add(Fixtures.imageResponse("http://example.com/i25.png", 200, "image/png", red));
        Crawl c = crawl(records, WarcCompression.GZIP, -1, null);
        byte[] bytes = c.bytes().clone();
        int k = 2;
        Arrays.fill(bytes, (int) c.offsets().get(k).longValue() + 20, (int) c.end(k) - 20, (byte) 0xff);
        List<WebRecord> read = read("images.warc.gz", bytes, null);
        assertThat(read).hasSize(PAGES);
        assertThat(read.get(k).metadata()).containsKey("unreadable");
        assertThat(read.get(25).image()).as("indexed past the damage, fetched by offset").isEqualTo(red);
    }
}
