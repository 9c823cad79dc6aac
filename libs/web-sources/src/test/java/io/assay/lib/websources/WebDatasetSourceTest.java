package io.assay.lib.websources;

import static io.assay.lib.websources.Fixtures.png;
import static io.assay.lib.websources.Fixtures.readAll;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.assay.sdk.curation.WebRecord;
import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WebDatasetSourceTest {

    static final byte[] JPEG_ISH = {(byte) 0xff, (byte) 0xd8, (byte) 0xff, (byte) 0xe0, 1, 2, 3, 4};
    static final byte[] PNG = png(3, 3, Color.ORANGE);

    @TempDir
    Path tmp;

    /** Writes a tar of (name, bytes) entries the way img2dataset lays shards out; returns its bytes. */
    static byte[] tar(Object... nameAndBytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
            for (int i = 0; i < nameAndBytes.length; i += 2) {
                byte[] data = nameAndBytes[i + 1] instanceof String
                        ? ((String) nameAndBytes[i + 1]).getBytes(UTF_8) : (byte[]) nameAndBytes[i + 1];
                TarArchiveEntry e = new TarArchiveEntry((String) nameAndBytes[i]);
                e.setSize(data.length);
                t.putArchiveEntry(e);
                t.write(data);
                t.closeArchiveEntry();
            }
        }
        return out.toByteArray();
    }

    @Test
    void readsImg2datasetShards() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("shards"));
        Files.write(dir.resolve("00000.tar"), tar(
                "000000000.jpg", JPEG_ISH,
                "000000000.txt", "a dog on a beach",
                "000000000.json", "{\"url\":\"http://x.org/1.jpg\",\"caption\":\"a dog on a beach\","
                        + "\"key\":\"000000000\",\"status\":\"success\",\"width\":64,\"height\":48,"
                        + "\"similarity\":0.31,\"error_message\":null}",
                "000000001.png", PNG,
                "000000001.txt", new byte[] {'c', 'a', 'f', (byte) 0xc3, '(', 'e'},
                "000000001.json", "{\"url\":\"http://x.org/2.png\",\"key\":\"000000001\"}",
                "000000002.txt", "text only",
                "000000002.json", "{\"url\":\"http://x.org/3.jpg\",\"key\":\"000000002\",\"status\":\"failed_to_download\"}",
                "000000003.webp", new byte[] {'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'E', 'B', 'P'},
                "000000003.json", "{\"caption\":\"caption from json\"}"));
        Files.write(dir.resolve("00001.tar"), tar(
                "000000004.png", PNG,
                "000000004.txt", "fine",
                "000000005.png", PNG,
                "000000005.txt", "lost"));
        Files.writeString(dir.resolve("readme.md"), "not a shard");

        List<WebRecord> records;
        try (RecordSource source = RecordSources.open("webdataset", List.of(dir), null)) {
            assertThat(source.describe()).isEqualTo("webdataset: 2 shards (00000.tar, 00001.tar)");
            records = readAll(source);
        }
        assertThat(records).extracting(WebRecord::id).containsExactly("00000.tar/000000000", "00000.tar/000000001",
                "00000.tar/000000002", "00000.tar/000000003", "00001.tar/000000004", "00001.tar/000000005");

        WebRecord dog = records.get(0);
        assertThat(dog.caption()).isEqualTo("a dog on a beach");
        assertThat(dog.image()).isEqualTo(JPEG_ISH);
        assertThat(dog.imageUrl()).isEqualTo("http://x.org/1.jpg");
        assertThat(dog.inboundLinks()).isEqualTo(-1L);
        assertThat(dog.metadata()).isEqualTo(Map.of("key", "000000000", "status", "success", "width", "64",
                "height", "48", "similarity", "0.31"));

        assertThat(records.get(1).metadata()).containsEntry("unreadable", "caption is not valid UTF-8");
        assertThat(records.get(1).image()).isNull();

        assertThat(records.get(2).image()).isNull();
        assertThat(records.get(2).caption()).isEqualTo("text only");
        assertThat(records.get(2).metadata()).containsEntry("status", "failed_to_download");

        assertThat(records.get(3).caption()).isEqualTo("caption from json");
        assertThat(records.get(3).image()).hasSize(12);

        assertThat(records.get(4).caption()).isEqualTo("fine");
        assertThat(records.get(4).image()).isEqualTo(PNG);
        assertThat(records.get(5).caption()).isEqualTo("lost");
    }

    @Test
    void truncatedShardEndsWithOneUnreadableAndTheNextShardIsRead() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("shards"));
        // Every entry here is one 512-byte header plus one 512-byte data block (the PNG is small).
        assertThat(PNG.length).isLessThan(512);
        byte[] whole = tar(
                "a.png", PNG, "a.txt", "first",
                "b.png", PNG, "b.txt", "second");
        // Cut inside b.png's data (which starts at 2048 + 512): a is complete, b is not.
        Files.write(dir.resolve("00000.tar"), Arrays.copyOf(whole, 2560 + 100));
        // Cut inside the header that follows sample c (at 2048): c may have had more entries, so it is not trusted.
        Files.write(dir.resolve("00001.tar"), Arrays.copyOf(tar("c.png", PNG, "c.txt", "third",
                "c.json", "{}"), 2048 + 200));
        Files.write(dir.resolve("00002.tar"), tar("e.png", PNG, "e.txt", "after"));

        List<WebRecord> records;
        try (RecordSource source = RecordSources.open("webdataset", List.of(dir), null)) {
            records = readAll(source);
        }
        assertThat(records).extracting(WebRecord::id).containsExactly(
                "00000.tar/a", "00000.tar/b", "00001.tar/c", "00002.tar/e");
        assertThat(records.get(0).caption()).isEqualTo("first");
        assertThat(records.get(0).image()).isEqualTo(PNG);
        assertThat(records.get(1).metadata().get("unreadable")).startsWith("tar file truncated");
        assertThat(records.get(2).metadata().get("unreadable")).startsWith("tar file truncated");
        assertThat(records.get(3).caption()).isEqualTo("after");
        assertThat(records.get(3).metadata()).doesNotContainKey("unreadable");
    }
}
