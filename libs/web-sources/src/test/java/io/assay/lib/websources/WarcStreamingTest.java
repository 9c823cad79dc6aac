package io.assay.lib.websources;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.sdk.curation.WebRecord;
import java.awt.Color;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.netpreserve.jwarc.WarcCompression;
import org.netpreserve.jwarc.WarcWriter;

/**
 * Memory is bounded by construction rather than by measurement: the index keeps image URLs only (not pages, not
 * bytes) and at most maxTrackedUrls link targets, and the main pass hands out records while most of the file is
 * still unread.
 */
class WarcStreamingTest {

    static final int PAGES = 20_000;
    static final int IMAGES = 25;

    @TempDir
    Path tmp;

    @Test
    void twentyThousandPagesStreamWithABoundedIndex() throws IOException {
        Path file = tmp.resolve("big.warc.gz");
        byte[] png = Fixtures.png(2, 2, Color.BLACK);
        try (WarcWriter w = new WarcWriter(FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                WarcCompression.GZIP)) {
            for (int i = 0; i < PAGES; i++) {
                // Each page links to the next one and shows one image.
                w.write(Fixtures.htmlResponse("http://example.com/p" + i + ".html",
                        "<html><body><img src=\"/img/" + i + ".png\" alt=\"picture " + i + "\">"
                                + "<a href=\"p" + (i + 1) + ".html\">next</a></body></html>"));
                if (i % (PAGES / IMAGES) == 0) {
                    w.write(Fixtures.imageResponse("http://example.com/img/" + i + ".png", 200, "image/png", png));
                }
            }
        }
        long size = Files.size(file);
        int cap = 1_000;
        try (WarcSource source = (WarcSource) RecordSources.open("warc", List.of(file),
                new RecordSources.Options(true, cap))) {
            Iterator<WebRecord> it = source.records();
            WebRecord first = it.next();
            assertThat(first.caption()).isEqualTo("picture 0");
            assertThat(first.image()).isEqualTo(png);
            assertThat(((WarcSource.Pass) it).position())
                    .as("the first record is handed out before the main pass has read on")
                    .isLessThan(size / 1000);

            WarcIndex index = source.index();
            assertThat(index.imageCount()).as("only image responses are indexed").isEqualTo(IMAGES);
            assertThat(index.trackedUrlCount()).as("the link table stops at its cap").isEqualTo(cap);

            int count = 1;
            int withBytes = 1;
            long linked = 0;
            long unknown = 0;
            WebRecord last = first;
            while (it.hasNext()) {
                last = it.next();
                count++;
                if (last.hasImage()) {
                    withBytes++;
                }
                if (last.inboundLinks() == 1) {
                    linked++;
                } else if (last.inboundLinks() == -1) {
                    unknown++;
                }
            }
            assertThat(count).isEqualTo(PAGES);
            assertThat(withBytes).isEqualTo(IMAGES);
            assertThat(last.caption()).isEqualTo("picture " + (PAGES - 1));
            assertThat(last.pageUrl()).isEqualTo(URI.create("http://example.com/p" + (PAGES - 1) + ".html").toString());
            // Page 0 is tracked but unlinked (0); each page then adds its successor to the table, so pages
            // 1..cap-1 are tracked with one link each, and the later ones did not fit (unknown, -1).
            assertThat(first.inboundLinks()).isZero();
            assertThat(linked).isEqualTo(cap - 1);
            assertThat(unknown).isEqualTo(PAGES - 1 - linked);
        }
    }
}
