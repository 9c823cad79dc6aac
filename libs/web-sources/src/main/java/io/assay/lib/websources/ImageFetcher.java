package io.assay.lib.websources;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.netpreserve.jwarc.WarcReader;
import org.netpreserve.jwarc.WarcRecord;
import org.netpreserve.jwarc.WarcResponse;

/**
 * Reads image payloads by seeking to indexed offsets. Keeps a few readers open (images are usually fetched close to
 * the pages that embed them, so the same one or two files are hit repeatedly) but never one per file, which would
 * exhaust file descriptors on a crawl of thousands of files.
 */
final class ImageFetcher implements Closeable {

    private static final int OPEN_READERS = 4;

    private final List<Path> files;
    private final Map<Integer, WarcReader> readers = new LinkedHashMap<>(8, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, WarcReader> eldest) {
            if (size() > OPEN_READERS) {
                AbstractRecordSource.quietlyClose(eldest.getValue());
                return true;
            }
            return false;
        }
    };

    ImageFetcher(List<Path> files) {
        this.files = files;
    }

    /**
     * The decoded HTTP payload of the image response at {@code location}.
     *
     * @throws IOException if the record there is unreadable, is not that URL's response (a WARC compressed as one
     *         gzip stream has no usable offsets), or is over {@link Bytes#MAX_IMAGE_BYTES}
     */
    byte[] fetch(long location, String urlKey) throws IOException {
        int f = WarcIndex.fileOf(location);
        long offset = WarcIndex.offsetOf(location);
        WarcReader r = readers.get(f);
        if (r == null) {
            r = WarcRecords.open(files.get(f));
            readers.put(f, r);
        }
        try {
            r.position(offset);
            WarcRecord rec = r.next().orElseThrow(() -> new IOException("no record at offset " + offset));
            if (!(rec instanceof WarcResponse)) {
                throw new IOException("no image response at offset " + offset);
            }
            WarcResponse resp = (WarcResponse) rec;
            java.net.URI target = Urls.absolute(resp.target());
            if (target == null || !Urls.key(target).equals(urlKey)) {
                throw new IOException("offset " + offset + " does not hold the indexed image");
            }
            return Bytes.readAll(resp.http().bodyDecoded().stream(), Bytes.MAX_IMAGE_BYTES, "image");
        } catch (IOException | RuntimeException e) {
            // The reader's state is unknown after a failure: reopen next time.
            readers.remove(f);
            AbstractRecordSource.quietlyClose(r);
            throw e;
        }
    }

    @Override
    public void close() {
        readers.values().forEach(AbstractRecordSource::quietlyClose);
        readers.clear();
    }
}
