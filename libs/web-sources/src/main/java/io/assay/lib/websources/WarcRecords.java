package io.assay.lib.websources;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Locale;
import org.netpreserve.jwarc.HttpResponse;
import org.netpreserve.jwarc.MediaType;
import org.netpreserve.jwarc.WarcMetadata;
import org.netpreserve.jwarc.WarcReader;
import org.netpreserve.jwarc.WarcRecord;
import org.netpreserve.jwarc.WarcResponse;

/** Classification of WARC records and the reading conventions shared by the index pass and the main pass. */
final class WarcRecords {

    private WarcRecords() {
    }

    /** A payload that could not be understood, labelled with what kind of payload it was. */
    static final class BadPayloadException extends IOException {
        private static final long serialVersionUID = 1L;
        final String label;

        BadPayloadException(String label, Throwable cause) {
            super(Unreadable.describe(cause), cause);
            this.label = label;
        }
    }

    /** Opens a reader on a seekable channel (seeking is how image bytes are fetched), closing it if jwarc refuses. */
    static WarcReader open(Path file) throws IOException {
        FileChannel ch = FileChannel.open(file);
        try {
            WarcReader r = new WarcReader(ch);
            r.onWarning(w -> { });
            return r;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** A response record holding an HTTP exchange (a missing Content-Type is taken as HTTP, as crawlers mean it). */
    static boolean isHttpResponse(WarcRecord r) {
        if (!(r instanceof WarcResponse)) {
            return false;
        }
        if (r.headers().first("Content-Type").isEmpty()) {
            return true;
        }
        MediaType t = r.contentType();
        return t.type().equalsIgnoreCase("application") && t.subtype().equalsIgnoreCase("http");
    }

    /** A metadata record whose block is JSON, the shape of WAT envelopes. */
    static boolean isJsonMetadata(WarcRecord r) {
        if (!(r instanceof WarcMetadata)) {
            return false;
        }
        MediaType t = r.contentType();
        return t.type().equalsIgnoreCase("application") && t.subtype().equalsIgnoreCase("json");
    }

    /** Parses the HTTP head, labelling garbage as a bad response rather than a broken file. */
    static HttpResponse http(WarcResponse r) throws IOException {
        try {
            return r.http();
        } catch (IOException | RuntimeException e) {
            throw new BadPayloadException("bad HTTP response: ", e);
        }
    }

    private static String contentType(HttpResponse h) {
        return h.headers().first("Content-Type").orElse("").toLowerCase(Locale.ROOT);
    }

    static boolean isHtml(HttpResponse h) {
        String ct = contentType(h);
        return ct.contains("text/html") || ct.contains("application/xhtml+xml");
    }

    /** An image the server actually delivered (error pages served as image/* are not the image). */
    static boolean isImage(HttpResponse h) {
        return contentType(h).strip().startsWith("image/") && h.status() >= 200 && h.status() < 300;
    }

    static String charset(HttpResponse h) {
        String raw = h.headers().first("Content-Type").orElse("");
        try {
            return MediaType.parseLeniently(raw).parameters().get("charset");
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The page's HTML, decoded from its transfer/content encodings, cut at {@link Bytes#MAX_PAGE_BYTES}. */
    static byte[] pageBytes(HttpResponse h) throws IOException {
        try {
            return Bytes.readPrefix(h.bodyDecoded().stream(), Bytes.MAX_PAGE_BYTES);
        } catch (IOException | RuntimeException e) {
            throw new BadPayloadException("bad HTTP response: ", e);
        }
    }
}
