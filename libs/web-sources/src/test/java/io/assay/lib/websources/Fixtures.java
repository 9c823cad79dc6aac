package io.assay.lib.websources;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.assay.sdk.curation.WebRecord;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.netpreserve.jwarc.HttpResponse;
import org.netpreserve.jwarc.MediaType;
import org.netpreserve.jwarc.WarcCompression;
import org.netpreserve.jwarc.WarcMetadata;
import org.netpreserve.jwarc.WarcRecord;
import org.netpreserve.jwarc.WarcResponse;
import org.netpreserve.jwarc.WarcWriter;

/** Test inputs built with the same libraries real crawls are read with. */
final class Fixtures {

    static final Instant DATE = Instant.parse("2024-05-01T12:00:00Z");

    private Fixtures() {
    }

    /** A small PNG of one colour, via javax.imageio. */
    static byte[] png(int w, int h, Color c) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, c.getRGB());
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static WarcResponse htmlResponse(String url, String html) throws IOException {
        HttpResponse http = new HttpResponse.Builder(200, "OK")
                .body(MediaType.parse("text/html; charset=utf-8"), html.getBytes(UTF_8)).build();
        return new WarcResponse.Builder(URI.create(url)).date(DATE).body(http).build();
    }

    static WarcResponse imageResponse(String url, int status, String type, byte[] bytes) throws IOException {
        HttpResponse http = new HttpResponse.Builder(status, status == 200 ? "OK" : "Not Found")
                .body(MediaType.parse(type), bytes).build();
        return new WarcResponse.Builder(URI.create(url)).date(DATE).body(http).build();
    }

    /** A response record whose HTTP payload is not HTTP at all. */
    static WarcResponse garbageResponse(String url) {
        return new WarcResponse.Builder(URI.create(url)).date(DATE)
                .body(MediaType.HTTP_RESPONSE, "this is not an HTTP response\r\n\r\n".getBytes(UTF_8)).build();
    }

    static WarcMetadata watRecord(String url, String json) {
        return new WarcMetadata.Builder().targetURI(URI.create(url)).date(DATE)
                .body(MediaType.JSON, json.getBytes(UTF_8)).build();
    }

    /** Writes the records and returns the offset at which each one starts. */
    static List<Long> writeWarc(Path file, WarcCompression compression, List<? extends WarcRecord> records)
            throws IOException {
        List<Long> offsets = new ArrayList<>();
        try (WarcWriter w = new WarcWriter(FileChannel.open(file, StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING), compression)) {
            for (WarcRecord r : records) {
                offsets.add(w.position());
                w.write(r);
            }
        }
        return offsets;
    }

    static List<WebRecord> readAll(RecordSource source) {
        List<WebRecord> out = new ArrayList<>();
        Iterator<WebRecord> it = source.records();
        it.forEachRemaining(out::add);
        return out;
    }

    static Map<String, String> meta(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }
}
