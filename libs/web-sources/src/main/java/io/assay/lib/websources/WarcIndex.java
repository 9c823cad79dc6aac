package io.assay.lib.websources;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.netpreserve.jwarc.HttpResponse;
import org.netpreserve.jwarc.WarcRecord;
import org.netpreserve.jwarc.WarcResponse;

/**
 * What the main pass needs to know before it starts: where each image response lives (a page's {@code <img>} usually
 * comes before the crawler fetched the image, often in another file), and how many links point at each page (the
 * links to a page are spread over the whole crawl). Built by one sequential pass that keeps only URL keys, file
 * numbers and offsets — never bytes — and both tables are capped.
 */
final class WarcIndex {

    private static final int FILE_BITS = 20;
    private static final int OFFSET_BITS = 63 - FILE_BITS;

    private final Map<String, Long> images = new HashMap<>();
    private final BitSet unseekable = new BitSet();
    private final long cap;
    private final LinkCounter links;

    private WarcIndex(RecordSources.Options options) {
        this.cap = options.maxTrackedUrls();
        this.links = options.countInboundLinks() ? new LinkCounter(options.maxTrackedUrls()) : null;
    }

    /**
     * Reads every file once. Damaged entries are skipped silently (the main pass reports them), and a record counts
     * only once its framing is known to be whole.
     */
    static WarcIndex build(List<Path> files, RecordSources.Options options) {
        WarcIndex idx = new WarcIndex(options);
        for (int f = 0; f < files.size(); f++) {
            try (WarcFileReader reader = new WarcFileReader(files.get(f), options.maxRecordBytes())) {
                long previous = -1;
                for (WarcFileReader.Entry e = reader.next(); e != null; e = reader.next()) {
                    if (e.offset() <= previous) {
                        idx.unseekable.set(f);
                    }
                    previous = e.offset();
                    if (e.record() == null) {
                        continue;
                    }
                    Runnable contribution = null;
                    try {
                        contribution = idx.visit(e.record(), f, e.offset());
                    } catch (IOException | RuntimeException ex) {
                        // A payload the main pass reports as unreadable.
                    }
                    if (reader.finish() == null && contribution != null) {
                        contribution.run();
                    }
                }
            } catch (IOException | RuntimeException e) {
                // Unopenable file: the main pass reports it.
            }
        }
        return idx;
    }

    /** What the record adds to the tables (applied once the record is known to be whole), or {@code null}. */
    private Runnable visit(WarcRecord rec, int file, long offset) throws IOException {
        if (WarcRecords.isHttpResponse(rec)) {
            WarcResponse resp = (WarcResponse) rec;
            HttpResponse http = WarcRecords.http(resp);
            if (WarcRecords.isImage(http)) {
                URI u = Urls.absolute(resp.target());
                if (u != null && file < (1 << FILE_BITS) && offset < (1L << OFFSET_BITS)) {
                    return () -> {
                        if (images.size() < cap) {
                            images.putIfAbsent(Urls.key(u), ((long) file << OFFSET_BITS) | offset);
                        }
                    };
                }
            } else if (links != null && WarcRecords.isHtml(http)) {
                URI pageUrl = Urls.absolute(resp.target());
                byte[] html = WarcRecords.pageBytes(http);
                Page page = HtmlPages.parse(html, WarcRecords.charset(http), pageUrl, true);
                return () -> count(page);
            }
        } else if (links != null && WarcRecords.isJsonMetadata(rec)) {
            byte[] json = Bytes.readAll(rec.body().stream(), Bytes.MAX_JSON_BYTES, "WAT record");
            String target = rec.headers().first("WARC-Target-URI").orElse(null);
            Page page = WatPages.parse(json, target, true);
            if (page != null) {
                return () -> count(page);
            }
        }
        return null;
    }

    private void count(Page page) {
        if (page.url() == null) {
            return;
        }
        String from = Urls.key(page.url());
        links.registerPage(from);
        for (String to : page.linkKeys()) {
            links.countLink(from, to);
        }
    }

    /**
     * Whether the file's record offsets are unusable: a .warc.gz compressed as one gzip stream (or with several
     * records per gzip member) reports the same or arbitrary offsets for consecutive records, so they can neither
     * name records uniquely nor be seeked to.
     */
    boolean unseekable(int file) {
        return unseekable.get(file);
    }

    /** The packed location of the image response for this URL key, or {@code null}. */
    Long imageLocation(String urlKey) {
        return images.get(urlKey);
    }

    static int fileOf(long location) {
        return (int) (location >>> OFFSET_BITS);
    }

    static long offsetOf(long location) {
        return location & ((1L << OFFSET_BITS) - 1);
    }

    /** Inbound links to the page, or -1 when not counted or not tracked. */
    long inboundLinks(URI pageUrl) {
        return links == null || pageUrl == null ? -1L : links.inbound(Urls.key(pageUrl));
    }

    /** Number of image URLs held (for memory checks). */
    int imageCount() {
        return images.size();
    }

    /** Number of URLs in the link table (for memory checks). */
    int trackedUrlCount() {
        return links == null ? 0 : links.size();
    }
}
