package io.assay.lib.websources;

import static io.assay.lib.websources.Fixtures.readAll;
import static io.assay.lib.websources.Fixtures.watRecord;
import static org.assertj.core.api.Assertions.assertThat;

import io.assay.sdk.curation.WebRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.netpreserve.jwarc.WarcCompression;

class WatSourceTest {

    @TempDir
    Path tmp;

    /** A WAT envelope the way Common Crawl lays it out, with the given Links array. */
    static String envelope(String target, String links) {
        return "{\"Container\":{\"Filename\":\"crawl.warc.gz\"},\"Envelope\":{\"Format\":\"WARC\","
                + "\"WARC-Header-Metadata\":{\"WARC-Type\":\"response\",\"WARC-Target-URI\":\"" + target + "\"},"
                + "\"Payload-Metadata\":{\"Actual-Content-Type\":\"application/http; msgtype=response\","
                + "\"HTTP-Response-Metadata\":{\"Response-Message\":{\"Status\":\"200\"},"
                + "\"HTML-Metadata\":{\"Head\":{\"Title\":\"t\"},\"Links\":[" + links + "]}}}}}";
    }

    @Test
    void readsImageLinksWithoutBytes() throws IOException {
        Path file = tmp.resolve("crawl.wat.gz");
        List<Long> off = Fixtures.writeWarc(file, WarcCompression.GZIP, List.of(
                watRecord("http://example.com/a.html", envelope("http://example.com/a.html",
                        "{\"path\":\"IMG@/src\",\"url\":\"/img/apple.jpg\",\"alt\":\"An apple\"},"
                                + "{\"path\":\"A@/href\",\"url\":\"b.html\",\"text\":\"B\"},"
                                + "{\"path\":\"IMG@/src\",\"url\":\"http://cdn.example.org/pear.jpg\"},"
                                + "{\"path\":\"LINK@/href\",\"url\":\"style.css\"}")),
                // The request's envelope: no HTML metadata, no records.
                watRecord("http://example.com/b.html", "{\"Envelope\":{\"WARC-Header-Metadata\":"
                        + "{\"WARC-Type\":\"request\",\"WARC-Target-URI\":\"http://example.com/b.html\"}}}"),
                watRecord("http://example.com/b.html", envelope("http://example.com/b.html",
                        "{\"path\":\"IMG@/src\",\"url\":\"plum.png\",\"alt\":\"Plum &amp; co\"},"
                                + "{\"path\":\"A@/href\",\"url\":\"/a.html\"},"
                                + "{\"path\":\"A@/href\",\"url\":\"http://example.com/a.html#x\"},"
                                + "{\"path\":\"A@/href\",\"url\":\"b.html\"}")),
                watRecord("http://example.com/c.html", "{\"Envelope\": {broken")));

        List<WebRecord> records;
        try (RecordSource source = RecordSources.open("warc", List.of(file), null)) {
            records = readAll(source);
        }
        assertThat(records).extracting(WebRecord::id).containsExactly(
                "crawl.wat.gz#" + off.get(0) + "/0", "crawl.wat.gz#" + off.get(0) + "/1",
                "crawl.wat.gz#" + off.get(2) + "/0", "crawl.wat.gz#" + off.get(3));
        assertThat(records.subList(0, 3)).extracting(WebRecord::imageUrl).containsExactly(
                "http://example.com/img/apple.jpg", "http://cdn.example.org/pear.jpg", "http://example.com/plum.png");
        // WAT copies alt attributes raw; entities are decoded as for HTML.
        assertThat(records.subList(0, 3)).extracting(WebRecord::caption)
                .containsExactly("An apple", "", "Plum & co");
        assertThat(records.subList(0, 3)).extracting(WebRecord::pageUrl)
                .containsExactly("http://example.com/a.html", "http://example.com/a.html", "http://example.com/b.html");
        assertThat(records).allSatisfy(r -> assertThat(r.image()).isNull());
        // a.html: two links from b.html; b.html: one from a.html (its self-link does not count).
        assertThat(records.subList(0, 3)).extracting(WebRecord::inboundLinks).containsExactly(2L, 2L, 1L);
        assertThat(records.get(0).metadata()).containsEntry("source", "crawl.wat.gz").containsKey("warcRecordId");
        assertThat(records.get(3).metadata().get("unreadable")).startsWith("bad WAT JSON: ");
    }
}
