package io.assay.lib.websources;

import io.assay.sdk.curation.WebRecord;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.netpreserve.jwarc.HttpResponse;
import org.netpreserve.jwarc.WarcReader;
import org.netpreserve.jwarc.WarcRecord;
import org.netpreserve.jwarc.WarcResponse;

/**
 * Image/alt-text records from WARC files (HTML responses, with image bytes when the crawl captured them) and WAT files
 * (link lists, no bytes), in file order, record order, then {@code <img>} order.
 *
 * <p>Two passes over the files: the {@link WarcIndex} pass (once per source, the first time records are asked for),
 * then a main pass per {@link #records()} call that reads one WARC record at a time and fetches image bytes by
 * seeking. Memory holds the index, one page and one image.
 */
final class WarcSource extends AbstractRecordSource {

    private final List<Path> files;
    private final RecordSources.Options options;
    private WarcIndex index;

    WarcSource(List<Path> files, RecordSources.Options options) {
        super("WARC", "file", files);
        this.files = files;
        this.options = options;
    }

    /** Built lazily and kept: both passes of a curation run see the same index, built once. */
    synchronized WarcIndex index() {
        if (index == null) {
            index = WarcIndex.build(files, options);
        }
        return index;
    }

    @Override
    Iterator<WebRecord> newPass() {
        return new Pass();
    }

    /** An {@code <img>} waiting to become a record: bytes are only fetched when the record is handed out. */
    private record PendingImage(String id, Page.Image image, String pageUrl, long inboundLinks,
            Map<String, String> metadata) {
    }

    /** One main pass. */
    final class Pass extends LazyIterator<WebRecord> {
        private final ArrayDeque<PendingImage> pending = new ArrayDeque<>();
        private final ImageFetcher fetcher = new ImageFetcher(files);
        private int nextFile;
        private WarcReader reader;
        private String name;
        private long position;
        private boolean byOrdinal;
        private long ordinal;

        Pass() {
            super(WarcSource.this);
        }

        /** Offset of the WARC record last read in the current file (how far this pass has got). */
        long position() {
            return position;
        }

        @Override
        WebRecord computeNext() {
            WarcIndex idx = index();
            while (true) {
                if (!pending.isEmpty()) {
                    return materialize(pending.poll(), idx);
                }
                if (reader == null) {
                    if (nextFile >= files.size()) {
                        return null;
                    }
                    byOrdinal = idx.unseekable(nextFile);
                    ordinal = -1;
                    Path file = files.get(nextFile++);
                    name = file.getFileName().toString();
                    position = 0;
                    try {
                        reader = WarcRecords.open(file);
                    } catch (IOException | RuntimeException e) {
                        return Unreadable.record(name + "#0", WarcRecords.fileFailure(0, e), name);
                    }
                }
                Optional<WarcRecord> next;
                try {
                    next = reader.next();
                } catch (IOException | RuntimeException e) {
                    long at = reader.position();
                    closeReader();
                    return Unreadable.record(recordId(at, ordinal + 1), WarcRecords.fileFailure(at, e), name);
                }
                if (next.isEmpty()) {
                    closeReader();
                    continue;
                }
                WarcRecord rec = next.get();
                long offset = reader.position();
                position = offset;
                ordinal++;
                String id = recordId(offset, ordinal);
                try {
                    visit(rec, id, idx);
                } catch (IOException | RuntimeException e) {
                    if (WarcRecords.blockIncomplete(rec)) {
                        closeReader();
                        return Unreadable.record(id, WarcRecords.fileFailure(offset, e), name);
                    }
                    String reason = e instanceof WarcRecords.BadPayloadException
                            ? ((WarcRecords.BadPayloadException) e).label + e.getMessage()
                            : "unreadable record: " + Unreadable.describe(e);
                    return Unreadable.record(id, reason, name);
                }
            }
        }

        /**
         * {@code <file>#<offset>}, or {@code <file>#r<ordinal>} (the record's number in the file) where offsets do not
         * tell records apart (see {@link WarcIndex#unseekable}).
         */
        private String recordId(long offset, long ordinalInFile) {
            return byOrdinal ? name + "#r" + ordinalInFile : name + "#" + offset;
        }

        /** Queues the images of the record, if it is a page. */
        private void visit(WarcRecord rec, String recordId, WarcIndex idx) throws IOException {
            Page page;
            if (WarcRecords.isHttpResponse(rec)) {
                HttpResponse http = WarcRecords.http((WarcResponse) rec);
                if (!WarcRecords.isHtml(http)) {
                    return;
                }
                String target = ((WarcResponse) rec).target();
                byte[] html = WarcRecords.pageBytes(http);
                page = HtmlPages.parse(html, WarcRecords.charset(http), Urls.absolute(target), false);
                queue(page, target, rec, recordId, idx);
            } else if (WarcRecords.isJsonMetadata(rec)) {
                byte[] json = Bytes.readAll(rec.body().stream(), Bytes.MAX_JSON_BYTES, "WAT record");
                String target = rec.headers().first("WARC-Target-URI").orElse(null);
                try {
                    page = WatPages.parse(json, target, false);
                } catch (IOException e) {
                    throw new WarcRecords.BadPayloadException("bad WAT JSON: ", e);
                }
                if (page != null) {
                    queue(page, page.url() != null ? page.url().toString() : target, rec, recordId, idx);
                }
            }
        }

        private void queue(Page page, String pageUrl, WarcRecord rec, String recordId, WarcIndex idx) {
            long inbound = idx.inboundLinks(page.url());
            for (int i = 0; i < page.images().size(); i++) {
                Page.Image img = page.images().get(i);
                Map<String, String> meta = new HashMap<>();
                meta.put("source", name);
                meta.put("warcRecordId", String.valueOf(rec.id()));
                if (img.width() != null) {
                    meta.put("width", img.width().toString());
                }
                if (img.height() != null) {
                    meta.put("height", img.height().toString());
                }
                if (page.language() != null) {
                    meta.put("pageLanguage", page.language());
                }
                pending.add(new PendingImage(recordId + "/" + i, img, pageUrl, inbound, meta));
            }
        }

        private WebRecord materialize(PendingImage p, WarcIndex idx) {
            URI url = p.image().url();
            String key = Urls.key(url);
            Long location = idx.imageLocation(key);
            byte[] bytes = null;
            Map<String, String> meta = p.metadata();
            if (location != null && idx.unseekable(WarcIndex.fileOf(location))) {
                meta.put("imageError", "the image is in a WARC file compressed as one gzip stream, which cannot be"
                        + " seeked (recompress it with one gzip member per record)");
            } else if (location != null) {
                try {
                    bytes = fetcher.fetch(location, key);
                } catch (IOException | RuntimeException e) {
                    meta.put("imageError", Unreadable.shorten(Unreadable.describe(e)));
                }
            }
            return new WebRecord(p.id(), url.toString(), p.pageUrl(), p.image().alt(), bytes, p.inboundLinks(), meta);
        }

        private void closeReader() {
            quietlyClose(reader);
            reader = null;
        }

        @Override
        void release() {
            closeReader();
            fetcher.close();
            pending.clear();
        }
    }
}
