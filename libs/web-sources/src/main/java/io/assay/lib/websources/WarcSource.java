package io.assay.lib.websources;

import io.assay.sdk.curation.WebRecord;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.netpreserve.jwarc.HttpResponse;
import org.netpreserve.jwarc.WarcRecord;
import org.netpreserve.jwarc.WarcResponse;

/**
 * Image/alt-text records from WARC files (HTML responses, with image bytes when the crawl captured them) and WAT files
 * (link lists, no bytes), in file order, record order, then {@code <img>} order.
 *
 * <p>Two passes over the files: the {@link WarcIndex} pass (once per source, the first time records are asked for),
 * then a main pass per {@link #records()} call that reads one WARC record at a time and fetches image bytes by
 * seeking. Memory holds the index, one page and one image.
 *
 * <p>Damage inside a file — a corrupt gzip member, a lying {@code Content-Length}, garbage between records — costs the
 * entry it hits only: it becomes one unreadable record naming the file, the offset and the cause, and reading resumes
 * at the next intact record ({@link WarcFileReader}).
 */
final class WarcSource extends AbstractRecordSource implements PartitionedSource {

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
        return new Pass(0, files.size());
    }

    /** One part per file; the index (image locations, link counts) is still the whole source's. */
    @Override
    public int partitions() {
        return files.size();
    }

    @Override
    public Iterator<WebRecord> records(int part) {
        if (part < 0 || part >= files.size()) {
            throw new IndexOutOfBoundsException("part " + part + " of " + files.size());
        }
        ensureOpen();
        return new Pass(part, part + 1);
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
        private final int endFile;
        private WarcFileReader reader;
        private String name;
        private long position;
        private boolean byOrdinal;

        Pass(int fromFile, int toFile) {
            super(WarcSource.this);
            this.nextFile = fromFile;
            this.endFile = toFile;
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
                    if (nextFile >= endFile) {
                        return null;
                    }
                    byOrdinal = idx.unseekable(nextFile);
                    Path file = files.get(nextFile++);
                    name = file.getFileName().toString();
                    position = 0;
                    try {
                        reader = new WarcFileReader(file, options.maxRecordBytes());
                    } catch (IOException | RuntimeException e) {
                        return Unreadable.record(name + "#0", "WARC file " + name + " cannot be read: "
                                + Unreadable.describe(e), name);
                    }
                }
                WarcFileReader.Entry entry = reader.next();
                if (entry == null) {
                    closeReader();
                    continue;
                }
                position = entry.offset();
                String id = recordId(entry.offset(), entry.ordinal());
                if (entry.record() == null) {
                    return Unreadable.record(id, entry.damage(), name);
                }
                List<PendingImage> found = new ArrayList<>();
                String payloadProblem = null;
                try {
                    visit(entry.record(), id, idx, found);
                } catch (IOException | RuntimeException e) {
                    payloadProblem = e instanceof WarcRecords.BadPayloadException
                            ? ((WarcRecords.BadPayloadException) e).label + e.getMessage()
                            : "unreadable record: " + Unreadable.describe(e);
                }
                // A record whose framing turns out damaged is not trusted, whatever was read of it.
                String damage = reader.finish();
                if (damage != null || payloadProblem != null) {
                    return Unreadable.record(id, damage != null ? damage : payloadProblem, name);
                }
                pending.addAll(found);
            }
        }

        /**
         * {@code <file>#<offset>}, or {@code <file>#r<ordinal>} (the record's number in the file) where offsets do not
         * tell records apart (see {@link WarcIndex#unseekable}).
         */
        private String recordId(long offset, long ordinalInFile) {
            return byOrdinal ? name + "#r" + ordinalInFile : name + "#" + offset;
        }

        /** Collects the images of the record, if it is a page. */
        private void visit(WarcRecord rec, String recordId, WarcIndex idx, List<PendingImage> found)
                throws IOException {
            Page page;
            if (WarcRecords.isHttpResponse(rec)) {
                HttpResponse http = WarcRecords.http((WarcResponse) rec);
                if (!WarcRecords.isHtml(http)) {
                    return;
                }
                String target = ((WarcResponse) rec).target();
                byte[] html = WarcRecords.pageBytes(http);
                page = HtmlPages.parse(html, WarcRecords.charset(http), Urls.absolute(target), false);
                queue(page, target, rec, recordId, idx, found);
            } else if (WarcRecords.isJsonMetadata(rec)) {
                byte[] json = Bytes.readAll(rec.body().stream(), Bytes.MAX_JSON_BYTES, "WAT record");
                String target = rec.headers().first("WARC-Target-URI").orElse(null);
                try {
                    page = WatPages.parse(json, target, false);
                } catch (IOException e) {
                    throw new WarcRecords.BadPayloadException("bad WAT JSON: ", e);
                }
                if (page != null) {
                    queue(page, page.url() != null ? page.url().toString() : target, rec, recordId, idx, found);
                }
            }
        }

        private void queue(Page page, String pageUrl, WarcRecord rec, String recordId, WarcIndex idx,
                List<PendingImage> found) {
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
                found.add(new PendingImage(recordId + "/" + i, img, pageUrl, inbound, meta));
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
