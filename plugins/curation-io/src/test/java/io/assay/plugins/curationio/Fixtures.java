package io.assay.plugins.curationio;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.assay.sdk.curation.DatasetWriter;
import io.assay.sdk.curation.WebRecord;
import io.assay.sdk.testkit.ModelDirectories;
import io.assay.sdk.testkit.TestSettings;
import io.assay.sdk.testkit.WebRecords;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.netpreserve.jwarc.HttpResponse;
import org.netpreserve.jwarc.MediaType;
import org.netpreserve.jwarc.WarcCompression;
import org.netpreserve.jwarc.WarcRecord;
import org.netpreserve.jwarc.WarcResponse;
import org.netpreserve.jwarc.WarcWriter;

/** Inputs for the sources, written once per test JVM under {@code target/fixtures/} (rewritten on every run). */
final class Fixtures {

    private static final Path ROOT = Path.of(System.getProperty("basedir", "")).toAbsolutePath()
            .resolve("target/fixtures");
    private static final Instant DATE = Instant.parse("2024-05-01T12:00:00Z");
    private static boolean written;

    private Fixtures() {
    }

    /** The sample's records with image bytes. */
    static List<WebRecord> records() {
        return WebRecords.sample().stream().filter(WebRecord::hasImage).toList();
    }

    static synchronized Path root() {
        if (!written) {
            try {
                ModelDirectories.deleteTree(ROOT);
                write(new WebDatasetShards(TestSettings.bind(ShardSettings.class, "shard-size = 4")),
                        ROOT.resolve("shards"));
                write(new DirectoryDataset(), ROOT.resolve("dataset"));
                ModelDirectories.copyTree(ROOT.resolve("dataset"), ROOT.resolve("damaged-dataset"));
                Path manifest = ROOT.resolve("damaged-dataset/manifest.jsonl");
                List<String> lines = new java.util.ArrayList<>(Files.readAllLines(manifest, UTF_8));
                lines.add(2, "{\"this is\": not json");
                Files.write(manifest, lines, UTF_8);
                warc(ROOT.resolve("crawl.warc"), false);
                warc(ROOT.resolve("damaged-crawl.warc"), true);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            written = true;
        }
        return ROOT;
    }

    private static void write(DatasetWriter writer, Path dir) throws IOException {
        try (writer; DatasetWriter.Output out = writer.open(dir, null)) {
            for (WebRecord r : records()) {
                out.write(r, Map.of());
            }
        }
    }

    /** Two pages with three images, the images' responses, and (damaged) a response that is not HTTP between them. */
    private static void warc(Path file, boolean damaged) throws IOException {
        List<WarcRecord> records = new java.util.ArrayList<>();
        records.add(html("http://example.com/a.html", "<html><body><img src=\"kite.png\" alt=\"a red kite over a "
                + "hill\"><img src=\"/cups.png\" alt=\"two cups of coffee\"><a href=\"b.html\">b</a></body></html>"));
        records.add(html("http://example.com/b.html", "<html><body><img src=\"http://cdn.example.org/boat.png\" "
                + "alt=\"a white boat\"><a href=\"a.html\">a</a></body></html>"));
        if (damaged) {
            records.add(new WarcResponse.Builder(URI.create("http://example.com/broken")).date(DATE)
                    .body(MediaType.HTTP_RESPONSE, "this is not an HTTP response\r\n\r\n".getBytes(UTF_8)).build());
        }
        records.add(image("http://example.com/kite.png", WebRecords.png(128, 96, 1)));
        records.add(image("http://example.com/cups.png", WebRecords.png(160, 120, 2)));
        records.add(image("http://cdn.example.org/boat.png", WebRecords.png(150, 100, 11)));
        try (WarcWriter w = new WarcWriter(FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING), WarcCompression.NONE)) {
            for (WarcRecord r : records) {
                w.write(r);
            }
        }
    }

    private static WarcResponse html(String url, String html) throws IOException {
        HttpResponse http = new HttpResponse.Builder(200, "OK").body(MediaType.parse("text/html; charset=utf-8"),
                html.getBytes(UTF_8)).build();
        return new WarcResponse.Builder(URI.create(url)).date(DATE).body(http).build();
    }

    private static WarcResponse image(String url, byte[] png) throws IOException {
        HttpResponse http = new HttpResponse.Builder(200, "OK").body(MediaType.parse("image/png"), png).build();
        return new WarcResponse.Builder(URI.create(url)).date(DATE).body(http).build();
    }
}
