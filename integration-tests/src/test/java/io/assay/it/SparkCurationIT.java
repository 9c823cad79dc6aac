package io.assay.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.assay.framework.io.PngFiles;
import io.assay.framework.world.ProceduralWeb;
import io.assay.sdk.curation.WebRecord;
import io.assay.sdk.tensor.RgbImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.netpreserve.jwarc.WarcWriter;

/**
 * {@code assay curate --engine spark} on Spark {@code local[2]} (through the distribution's launcher, which puts
 * lib/spark on the class path) gives what the local engine gives: the same kept records (byte-equal images), the same
 * ledger and the same summary counts, on the procedural web (3 tasks; near-duplicates across them) and on a hand-made
 * two-file crawl with a corrupt record; a task failing on its first attempt is retried without duplicating or losing
 * records; the Parquet metadata reads back with parquet-java.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SparkCurationIT {

    @TempDir
    static Path dir;

    Path procedural;
    Path local;

    String cacheSet() {
        return "model.cache-dir=\"" + Dist.worldCache() + "\"";
    }

    @BeforeAll
    void localRun() throws Exception {
        procedural = dir.resolve("procedural.conf");
        Files.writeString(procedural, "include \"" + Dist.configs().resolve("curation/laion-style-no-language.conf")
                + "\"\ncuration.source.records = 450\n");
        local = dir.resolve("local");
        Dist.cli("curate", procedural.toString(), "--out", local.toString(), "--set", cacheSet())
                .requireOk();
    }

    /** Runs the distribution's bin/assay with the spark engine on local[2] (or the given master). */
    String spark(Path conf, Path out, String master, String... extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Dist.home().resolve("bin/assay").toString(), "curate",
                conf.toString(), "--out", out.toString(), "--set", cacheSet(), "--engine", "spark",
                "--master", master));
        cmd.addAll(List.of(extra));
        Path log = out.resolveSibling(out.getFileName() + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("ASSAY_JAVA_OPTS", "-Xmx2g");
        long t0 = System.nanoTime();
        int code = pb.start().waitFor();
        String text = Files.readString(log);
        assertThat(code).as("spark curate exit; output:%n%s", text).isZero();
        System.out.printf("spark curate %s (%s): %.1f s; %s%n", conf.getFileName(), master,
                (System.nanoTime() - t0) / 1e9, text.lines().filter(l -> l.startsWith("read ")).findFirst()
                        .orElse(""));
        return text;
    }

    @Test
    void proceduralWebEqualsTheLocalEngineAndTheMetadataReadsBack() throws Exception {
        Path out = dir.resolve("spark");
        spark(procedural, out, "local[2]");
        assertSame(local, out, 450);
        JsonNode s = CurationIT.summary(out);
        assertThat(s.get("tasks").asInt()).as("450 records in parts of 200").isEqualTo(3);
        assertThat(s.at("/filters/near-duplicate/rejected").asLong()).as("near-duplicates found").isPositive();

        // The Parquet metadata, read with parquet-java: one row per record read, the LAION-style columns.
        List<Path> files;
        try (Stream<Path> l = Files.list(out.resolve("metadata"))) {
            files = l.filter(p -> p.toString().endsWith(".parquet")).sorted().toList();
        }
        assertThat(files).hasSize(3);
        Map<String, Long> status = new TreeMap<>();
        Map<String, Group> byId = new HashMap<>();
        for (Path f : files) {
            try (ParquetReader<Group> r = ParquetReader.builder(new GroupReadSupport(),
                    new org.apache.hadoop.fs.Path(f.toUri())).build()) {
                for (Group g = r.read(); g != null; g = r.read()) {
                    status.merge(g.getString("status", 0), 1L, Long::sum);
                    byId.put(g.getString("id", 0), g);
                }
            }
        }
        assertThat(byId).hasSize(450);
        assertThat(status).containsEntry("kept", s.get("kept").asLong())
                .containsEntry("rejected", s.get("rejected").asLong());
        assertThat(byId.values().iterator().next().getType().getFields().stream()
                .map(org.apache.parquet.schema.Type::getName).toList()).containsExactly("id", "url", "page",
                "caption", "width", "height", "bytes", "status", "filter", "reason", "scores");
        // A kept record's row against its shard entry: caption, size, bytes and the image-text score.
        WebRecord k = CurationIT.kept(out).get(0);
        Group g = byId.get(k.id());
        RgbImage img = PngFiles.fromBufferedImage(javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(
                k.image())));
        assertThat(g.getString("caption", 0)).isEqualTo(k.caption());
        assertThat(g.getInteger("width", 0)).isEqualTo(img.width());
        assertThat(g.getInteger("height", 0)).isEqualTo(img.height());
        assertThat(g.getLong("bytes", 0)).isEqualTo(k.image().length);
        assertThat(g.getString("status", 0)).isEqualTo("kept");
        Group scores = g.getGroup("scores", 0);
        List<String> scored = new ArrayList<>();
        for (int i = 0; i < scores.getFieldRepetitionCount(0); i++) {
            scored.add(scores.getGroup(0, i).getString("key", 0));
        }
        assertThat(scored).contains("min-size", "near-duplicate", "image-text");
    }

    @Test
    void aTaskThatFailsOnceIsRetriedWithoutDuplicatesOrLosses() throws Exception {
        Path out = dir.resolve("spark-retried");
        String log = spark(procedural, out, "local[2,2]", "--conf", "spark.assay.test.failFirstAttempt=true");
        assertThat(log).as("the injected failure happened").contains("injected failure");
        assertSame(local, out, 450);
        assertThat(out.resolve("_temporary")).doesNotExist();
    }

    @Test
    void aTwoFileCrawlWithACorruptRecordEqualsTheLocalEngine() throws Exception {
        RgbImage red = ProceduralWeb.render(ProceduralWeb.scenes(1, 1).get(0), 64, 64);
        RgbImage other = ProceduralWeb.render(ProceduralWeb.scenes(2, 3).get(2), 64, 64);
        Path crawl = dir.resolve("crawl");
        Files.createDirectories(crawl);
        try (WarcWriter w = new WarcWriter(Files.newByteChannel(crawl.resolve("a.warc"),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE))) {
            w.write(CurationIT.page("https://site.example/p1", "<html lang=\"en\"><body><a href=\"/p2\">next</a>"
                    + "<img src=\"/img/one.png\" alt=\"a red circle on a blue background\">"
                    + "<img src=\"https://cdn.example/two.png\" alt=\"IMG_2041.jpg\">"
                    + "<img src=\"/img/broken.png\" alt=\"a broken picture of a square\">"
                    + "<img src=\"/img/other.png\" alt=\"another picture of shapes\"></body></html>"));
            w.write(CurationIT.image("https://site.example/img/one.png", PngFiles.encode(red, Map.of())));
            byte[] png = PngFiles.encode(red, Map.of());
            w.write(CurationIT.image("https://site.example/img/broken.png", java.util.Arrays.copyOf(png,
                    png.length / 3)));
        }
        try (WarcWriter w = new WarcWriter(Files.newByteChannel(crawl.resolve("b.warc"),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE))) {
            // Page 2 points at page 1's image (a near-duplicate across files) and at an image stored in this file.
            w.write(CurationIT.page("https://site.example/p2", "<html><body><a href=\"/p1\">back</a>"
                    + "<img src=\"/img/one.png\" alt=\"the same red circle again\">"
                    + "<img src=\"/img/bomb.png\" alt=\"a green triangle on a white background\"></body></html>"));
            w.write(CurationIT.image("https://site.example/img/other.png", PngFiles.encode(other, Map.of())));
            w.write(CurationIT.image("https://site.example/img/bomb.png", CurationIT.bomb(100_000, 100_000)));
            w.write(new org.netpreserve.jwarc.WarcResponse.Builder(java.net.URI.create("https://site.example/garbage"))
                    .date(java.time.Instant.parse("2026-11-01T00:00:00Z"))
                    .body(org.netpreserve.jwarc.MediaType.HTTP_RESPONSE, "this is not an HTTP response\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII)).build());
        }
        Path conf = dir.resolve("warc.conf");
        Files.writeString(conf, "curation {\n  source { type = warc, paths = [\"crawl\"], count-inbound-links = true }\n"
                + "  filters = [ { name = junk-caption }, { name = link-rank, top-share = 0.5 }\n"
                + "    { name = min-size, min-width = 32, min-height = 32 }, { name = near-duplicate, max-distance = 2 } ]\n"
                + "  format = webdataset\n}\n");
        Path localOut = dir.resolve("warc-local");
        Dist.cli("curate", conf.toString(), "--out", localOut.toString(), "--set", cacheSet())
                .requireOk();
        Path out = dir.resolve("warc-spark");
        spark(conf, out, "local[2]");
        JsonNode s = CurationIT.summary(out);
        assertThat(s.get("tasks").asInt()).as("one task per WARC file").isEqualTo(2);
        assertThat(s.get("read").asLong()).as("6 images on 2 pages and the corrupt record").isEqualTo(7);
        assertThat(s.get("unreadable").asLong()).as("the truncated PNG, the bomb and the garbage record")
                .isEqualTo(3);
        assertThat(s.at("/filters/near-duplicate/rejected").asLong()).as("page 2's copy of page 1's image")
                .isEqualTo(1);
        assertSame(localOut, out, 7);
    }

    @Test
    void aFourCellExperimentGivesTheLocalEnginesResults() throws Exception {
        Path exp = Dist.configs().resolve("experiments/commodity-cfg-sweep.conf");
        Path localOut = dir.resolve("compare-local");
        Dist.cli("compare", exp.toString(), "--out", localOut.toString(), "--set", cacheSet()).requireOk();
        Path out = dir.resolve("compare-spark");
        Path log = dir.resolve("compare-spark.log");
        ProcessBuilder pb = new ProcessBuilder(Dist.home().resolve("bin/assay").toString(), "compare", exp.toString(),
                "--out", out.toString(), "--set", cacheSet(), "--engine", "spark", "--master", "local[2]")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("ASSAY_JAVA_OPTS", "-Xmx2g");
        assertThat(pb.start().waitFor()).as("spark compare; output:%n%s", Files.readString(log)).isZero();
        JsonNode run = new ObjectMapper().readTree(out.resolve("run.json").toFile());
        assertThat(run.get("tasks").asInt()).as("one task per trajectory: 4 guidance scales").isEqualTo(4);
        assertThat(run.get("computed").asInt()).isEqualTo(4);
        JsonNode a = withoutTimings(new ObjectMapper().readTree(localOut.resolve("results.json").toFile()));
        JsonNode b = withoutTimings(new ObjectMapper().readTree(out.resolve("results.json").toFile()));
        assertThat(b.get("results")).hasSize(4);
        assertThat(b).as("results.json, timings aside").isEqualTo(a);
        for (JsonNode row : a.get("results")) {
            String png = row.get("image").asText();
            // Pixels equal; the PNG's provenance text carries each run's own timings (as two local runs' do).
            assertThat(PngFiles.read(out.resolve(png)).rgb()).as(png).isEqualTo(PngFiles.read(localOut.resolve(png))
                    .rgb());
        }
        assertThat(out.resolve("index.html")).isRegularFile();
        assertThat(out.resolve("_temporary")).doesNotExist();
    }

    @Test
    void withoutLibSparkOnTheClassPathTheEngineIsRefusedInOneLine() throws Exception {
        // In-process: the test's class path is the core's, without lib/spark (as a distribution without it).
        Dist.Result r = Dist.cli("curate", procedural.toString(), "--out", dir.resolve("refused").toString(),
                "--set", cacheSet(), "--engine", "spark");
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).contains("the spark engine is not installed").contains("lib/spark");
        assertThat(dir.resolve("refused").resolve("summary.json")).doesNotExist();
    }

    /** A copy without the fields that measure time ("timingsMillis", "wallMillis", anything "seconds"). */
    static JsonNode withoutTimings(JsonNode n) {
        JsonNode copy = n.deepCopy();
        strip(copy);
        return copy;
    }

    private static void strip(JsonNode n) {
        if (n instanceof ObjectNode o) {
            o.remove(List.of("timingsMillis", "wallMillis", "seconds", "millis"));
            o.fields().forEachRemaining(e -> strip(e.getValue()));
        } else if (n != null && n.isArray()) {
            n.forEach(SparkCurationIT::strip);
        }
    }

    /** Same counts (timings and paths aside), same ledger lines, same kept records with byte-equal images. */
    static void assertSame(Path localOut, Path sparkOut, long read) throws Exception {
        JsonNode a = CurationIT.summary(localOut);
        JsonNode b = CurationIT.summary(sparkOut);
        for (String k : List.of("read", "kept", "rejected", "unreadable", "unreadableReasons", "languages",
                "domains", "complete")) {
            assertThat(b.get(k)).as(k).isEqualTo(a.get(k));
        }
        assertThat(b.get("read").asLong()).isEqualTo(read);
        assertThat(b.get("kept").asLong() + b.get("rejected").asLong() + b.get("unreadable").asLong())
                .as("conservation").isEqualTo(read);
        assertThat(withoutSeconds(b.get("filters"))).as("per-filter counts, reasons and score histograms")
                .isEqualTo(withoutSeconds(a.get("filters")));
        assertThat(sortedLines(sparkOut.resolve("ledger.jsonl"))).as("ledger")
                .isEqualTo(sortedLines(localOut.resolve("ledger.jsonl")));
        assertThat(keptById(sparkOut)).as("kept records").isEqualTo(keptById(localOut));
    }

    static JsonNode withoutSeconds(JsonNode filters) {
        ObjectNode copy = filters.deepCopy();
        copy.fields().forEachRemaining(e -> ((ObjectNode) e.getValue()).remove("seconds"));
        return copy;
    }

    static List<String> sortedLines(Path f) throws Exception {
        return Files.readAllLines(f).stream().sorted().toList();
    }

    /** id → caption, image bytes (base64) and metadata, for every kept record. */
    static Map<String, String> keptById(Path out) {
        Map<String, String> m = new TreeMap<>();
        for (WebRecord r : CurationIT.kept(out)) {
            m.put(r.id(), r.caption() + "|" + (r.image() == null ? "-" : Base64.getEncoder().encodeToString(
                    r.image())) + "|" + new TreeMap<>(r.metadata()));
        }
        return m;
    }
}
