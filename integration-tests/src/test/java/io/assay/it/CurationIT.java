package io.assay.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.assay.framework.io.PngFiles;
import io.assay.framework.world.ProceduralWeb;
import io.assay.framework.world.SceneJudge;
import io.assay.lib.websources.RecordSource;
import io.assay.lib.websources.RecordSources;
import io.assay.sdk.curation.WebRecord;
import io.assay.sdk.tensor.RgbImage;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.netpreserve.jwarc.HttpResponse;
import org.netpreserve.jwarc.MediaType;
import org.netpreserve.jwarc.WarcResponse;
import org.netpreserve.jwarc.WarcWriter;

/**
 * {@code assay curate} end to end on the built distribution: conservation (every record kept or in the ledger),
 * also across a killed and resumed run; the image–text threshold's precision and recall on the procedural web's
 * mismatched captions; a hand-made WARC with a corrupt record; and curation choices changing what a world compiled
 * from the kept set can draw.
 */
class CurationIT {

    /** The suite's model cache: the worlds are built once for all classes. */
    static final Path cache = Dist.worldCache();

    static String cacheSet() {
        return "model.cache-dir=\"" + cache + "\"";
    }

    static JsonNode summary(Path out) throws Exception {
        return new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    }

    static List<JsonNode> ledger(Path out) throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        ObjectMapper m = new ObjectMapper();
        for (String l : Files.readAllLines(out.resolve("ledger.jsonl"))) {
            lines.add(m.readTree(l));
        }
        return lines;
    }

    static List<WebRecord> kept(Path out) {
        List<WebRecord> r = new ArrayList<>();
        try (RecordSource s = RecordSources.open("webdataset", List.of(out.resolve("kept")),
                RecordSources.Options.defaults())) {
            for (Iterator<WebRecord> it = s.records(); it.hasNext();) {
                r.add(it.next());
            }
        }
        return r;
    }

    /** Every source id exactly once: in the kept set or in the ledger. */
    static void assertConserved(Path out, int read) throws Exception {
        JsonNode s = summary(out);
        assertThat(s.get("read").asLong()).isEqualTo(read);
        assertThat(s.get("kept").asLong() + s.get("rejected").asLong() + s.get("unreadable").asLong())
                .as("kept + rejected + unreadable = read").isEqualTo(read);
        List<JsonNode> ledger = ledger(out);
        assertThat(ledger).hasSize((int) (s.get("rejected").asLong() + s.get("unreadable").asLong()));
        for (JsonNode l : ledger) {
            assertThat(l.get("reason").asText()).as("every ledger line has a reason").isNotBlank();
            assertThat(l.get("filter").asText()).isNotBlank();
        }
        List<WebRecord> kept = kept(out);
        assertThat(kept).hasSize((int) s.get("kept").asLong());
        Set<String> ids = new HashSet<>();
        ledger.forEach(l -> assertThat(ids.add(l.get("id").asText())).as("id once: " + l.get("id")).isTrue());
        kept.forEach(k -> assertThat(ids.add(keptId(k))).as("id once: " + keptId(k)).isTrue());
        assertThat(ids).hasSize(read);
    }

    static String keptId(WebRecord k) {
        return k.metadata().getOrDefault("sourceId", k.id());
    }

    @Test
    void everyRecordIsKeptOrInTheLedgerAlsoAfterAKilledRunIsResumed(@TempDir Path out) throws Exception {
        Path conf = Dist.configs().resolve("curation/laion-style.conf");
        // The image-text filter needs the world: build it first so the killed process spends its time curating.
        Dist.cli("generate", "x", "--steps", "1", "--out", out.resolve("warm").toString(), "--set", cacheSet())
                .requireOk();
        Path run = out.resolve("run");
        Process p = new ProcessBuilder(Dist.home().resolve("bin/assay").toString(), "curate", conf.toString(),
                "--out", run.toString(), "--set", cacheSet(), "--set", "curation.checkpoint-every=100")
                .redirectErrorStream(true).redirectOutput(out.resolve("killed.log").toFile()).start();
        Path checkpoint = run.resolve("checkpoint.json");
        long deadline = System.nanoTime() + 180_000_000_000L;
        while (p.isAlive() && System.nanoTime() < deadline && processed(checkpoint) < 300) {
            Thread.sleep(20);
        }
        p.destroyForcibly().waitFor();
        long before = processed(checkpoint);
        assertThat(before).as("killed between checkpoints, before the end; log:%n%s",
                Files.readString(out.resolve("killed.log"))).isBetween(300L, 2399L);

        Dist.Result r = Dist.cli("curate", conf.toString(), "--out", run.toString(), "--set", cacheSet(), "--set",
                "curation.checkpoint-every=100").requireOk();
        assertThat(r.out()).contains("read 2400");
        assertConserved(run, 2400);
        JsonNode s = summary(run);
        assertThat(s.get("filters").get("language").get("reasons").get("language-fr").asLong())
                .as("French captions dropped by the language filter").isPositive();
        assertThat(s.get("filters").get("junk-caption").get("rejected").asLong()).isPositive();
        assertThat(s.get("filters").get("near-duplicate").get("reasons").get("near-duplicate").asLong()).isPositive();
        assertThat(Files.readString(run.resolve("report.html"))).contains("Removed by language / language-fr",
                "data:image/png;base64,");

        // The same run uninterrupted gives the same kept set and ledger.
        Path straight = englishRun();
        assertThat(summary(straight).get("kept").asLong()).isEqualTo(s.get("kept").asLong());
        assertThat(Files.readAllLines(straight.resolve("ledger.jsonl")))
                .containsExactlyElementsOf(Files.readAllLines(run.resolve("ledger.jsonl")));
    }

    /** One uninterrupted run of the English-only LAION-style curation, shared by the tests that need it. */
    static synchronized Path englishRun() {
        Path straight = cache.resolve("curated-en");
        if (!Files.isRegularFile(straight.resolve("summary.json"))) {
            Dist.cli("curate", Dist.configs().resolve("curation/laion-style.conf").toString(), "--out",
                    straight.toString(), "--set", cacheSet(), "--set", "curation.checkpoint-every=100").requireOk();
        }
        return straight;
    }

    static long processed(Path checkpoint) {
        try {
            return Files.isRegularFile(checkpoint)
                    ? new ObjectMapper().readTree(checkpoint.toFile()).get("processed").asLong() : 0;
        } catch (Exception e) {
            return 0; // being replaced right now
        }
    }

    @Test
    void theSimilarityThresholdFindsTheMismatchedCaptions(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("similarity.conf");
        Files.writeString(conf, "curation {\n  source { type = procedural, records = 2400 }\n"
                + "  filters = [ { name = image-text, threshold = 0.4 } ]\n}\n");
        Path out = dir.resolve("out");
        Dist.cli("curate", conf.toString(), "--out", out.toString(), "--set", cacheSet()).requireOk();
        assertConserved(out, 2400);
        JsonNode f = summary(out).get("filters").get("image-text");
        long mismatched = f.get("judgedByKind").get("mismatched").asLong();
        long caught = f.get("rejectedByKind").path("mismatched").asLong();
        long cleanLost = f.get("rejectedByKind").path("clean").asLong();
        long rejected = f.get("rejected").asLong();
        double recall = caught / (double) mismatched;
        // Precision between the two kinds that differ only in whether the caption fits: mismatched vs clean.
        double precision = caught / (double) (caught + cleanLost);
        System.out.printf("image-text threshold 0.4 on the procedural web: %d mismatched captions, %d caught, %d "
                + "clean pairs lost, %d rejected in all (junk and translated captions also score low); precision "
                + "%.3f, recall %.3f%n", mismatched, caught, cleanLost, rejected, precision, recall);
        assertThat(mismatched).isGreaterThan(50);
        assertThat(recall).as("recall on mismatched captions").isGreaterThanOrEqualTo(0.7);
        assertThat(precision).as("precision against clean pairs").isGreaterThanOrEqualTo(0.4);
    }

    static byte[] png(RgbImage img) throws Exception {
        return PngFiles.encode(img, java.util.Map.of());
    }

    @Test
    void aHandMadeWarcWithACorruptRecord(@TempDir Path dir) throws Exception {
        Path warc = dir.resolve("crawl.warc");
        RgbImage red = ProceduralWeb.render(ProceduralWeb.scenes(1, 1).get(0), 64, 64);
        try (WarcWriter w = new WarcWriter(Files.newByteChannel(warc, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE))) {
            String page1 = "<html lang=\"en\"><body><a href=\"/p2\">next</a>"
                    + "<img src=\"/img/one.png\" alt=\"a red circle on a blue background\">"
                    + "<img src=\"https://cdn.example/two.png\" alt=\"IMG_2041.jpg\">"
                    + "<img src=\"/img/broken.png\" alt=\"a broken picture of a square\">"
                    + "<img src=\"/img/bomb.png\" alt=\"a green triangle on a white background\"></body></html>";
            String page2 = "<html><body><a href=\"/p1\">back</a><img src=\"/img/one.png\" alt=\"click here\">"
                    + "</body></html>";
            w.write(page("https://site.example/p1", page1));
            w.write(page("https://site.example/p2", page2));
            w.write(image("https://site.example/img/one.png", png(red)));
            byte[] broken = png(red);
            w.write(image("https://site.example/img/broken.png", java.util.Arrays.copyOf(broken, broken.length / 3)));
            w.write(image("https://site.example/img/bomb.png", bomb(100_000, 100_000)));
            // A response whose HTTP payload is not HTTP at all.
            w.write(new WarcResponse.Builder(URI.create("https://site.example/garbage"))
                    .date(Instant.parse("2026-11-01T00:00:00Z"))
                    .body(MediaType.HTTP_RESPONSE, "this is not an HTTP response\r\n\r\n".getBytes(
                            StandardCharsets.US_ASCII)).build());
        }
        Path conf = dir.resolve("warc.conf");
        Files.writeString(conf, "curation {\n  source { type = warc, paths = [\"crawl.warc\"] }\n"
                + "  filters = [ { name = junk-caption }, { name = min-size, min-width = 32, min-height = 32 } ]\n"
                + "  format = webdataset\n}\n");
        Path out = dir.resolve("out");
        Dist.Result r = Dist.cli("curate", conf.toString(), "--out", out.toString(), "--set", cacheSet())
                .requireOk();
        JsonNode s = summary(out);
        List<JsonNode> ledger = ledger(out);
        System.out.println("WARC curation: " + r.out().lines().findFirst().orElse("") + "; ledger " + ledger);
        assertThat(s.get("read").asLong()).as("5 images on 2 pages and the corrupt record").isEqualTo(6);
        assertThat(s.get("kept").asLong()).as("only the red circle with its bytes").isEqualTo(1);
        assertThat(s.get("unreadable").asLong()).as("the truncated PNG, the bomb and the garbage record")
                .isEqualTo(3);
        assertThat(ledger).extracting(l -> l.get("reason").asText())
                .containsExactlyInAnyOrder("file-name", "boilerplate", "unreadable", "unreadable", "unreadable");
        assertThat(ledger).extracting(l -> l.path("detail").asText()).anyMatch(d -> d.contains("decompression bomb"));
        WebRecord k = kept(out).get(0);
        assertThat(k.caption()).isEqualTo("a red circle on a blue background");
        assertThat(PngFiles.fromBufferedImage(javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(
                k.image()))).rgb()).isEqualTo(red.rgb());
        assertConserved(out, 6);
    }

    /** A 57-byte PNG whose header declares width × height pixels (a decompression bomb's calling card). */
    static byte[] bomb(int width, int height) {
        java.nio.ByteBuffer ihdr = java.nio.ByteBuffer.allocate(17).put("IHDR".getBytes(StandardCharsets.US_ASCII))
                .putInt(width).putInt(height).put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(ihdr.array());
        java.nio.ByteBuffer png = java.nio.ByteBuffer.allocate(8 + 4 + 17 + 4 + 12);
        png.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}).putInt(13).put(ihdr.array())
                .putInt((int) crc.getValue()).putInt(0).put("IEND".getBytes(StandardCharsets.US_ASCII))
                .putInt(0xAE426082);
        return png.array();
    }

    static WarcResponse page(String url, String html) throws java.io.IOException {
        byte[] body = html.getBytes(StandardCharsets.UTF_8);
        return new WarcResponse.Builder(URI.create(url)).date(Instant.parse("2026-11-01T00:00:00Z"))
                .body(new HttpResponse.Builder(200, "OK").body(MediaType.parse("text/html; charset=utf-8"), body)
                        .build())
                .build();
    }

    static WarcResponse image(String url, byte[] bytes) throws java.io.IOException {
        return new WarcResponse.Builder(URI.create(url)).date(Instant.parse("2026-11-01T00:00:00Z"))
                .body(new HttpResponse.Builder(200, "OK").body(MediaType.parse("image/png"), bytes).build())
                .build();
    }

    /** Share of images whose foreground and background colours match a French prompt (one process per world). */
    static double frenchAdherence(Path dataset, Path out, String denoiser) throws Exception {
        String[][] prompts = {{"rouge", "bleu", "red", "blue"}, {"jaune", "noir", "yellow", "black"},
            {"vert", "blanc", "green", "white"}, {"bleu", "jaune", "blue", "yellow"}};
        Files.createDirectories(out);
        Path lines = out.resolve("prompts.jsonl");
        Files.write(lines, java.util.Arrays.stream(prompts).map(p -> "{\"prompt\": \"un cercle " + p[0]
                + " sur fond " + p[1] + "\", \"seed\": 3, \"batch\": 6}").toList());
        Dist.Result r = Dist.cli("generate", "--prompts", lines.toString(), "--quiet", "--out",
                out.resolve("images").toString(), "--set", cacheSet(), "--set", "model.world-dataset=\"" + dataset
                + "\"", "--set", "model.world-denoiser=" + denoiser).requireOk();
        List<Path> written = r.out().lines().map(String::strip).filter(l -> l.endsWith(".png")).map(Path::of)
                .toList();
        assertThat(written).hasSize(24);
        int hits = 0;
        int total = 0;
        for (int i = 0; i < written.size(); i++) {
            String[] p = prompts[i / 6];
            SceneJudge.Verdict v = SceneJudge.judge(PngFiles.read(written.get(i)));
            hits += p[2].equals(v.foreground()) && p[3].equals(v.background()) ? 1 : 0;
            total++;
        }
        assertThat(total).isEqualTo(24);
        return hits / (double) total;
    }

    @Test
    void curatingWithoutTheLanguageFilterTeachesTheWorldFrench(@TempDir Path dir) throws Exception {
        Path en = englishRun();
        Path all = dir.resolve("all");
        Dist.cli("curate", Dist.configs().resolve("curation/laion-style-no-language.conf").toString(), "--out",
                all.toString(), "--set", cacheSet()).requireOk();
        JsonNode langEn = summary(en).get("languages");
        JsonNode langAll = summary(all).get("languages");
        assertThat(langEn.path("fr").path("kept").asLong()).isZero();
        assertThat(langAll.path("fr").path("kept").asLong()).isPositive();
        double withFilter = frenchAdherence(en.resolve("kept"), dir.resolve("gen-en"), "memorize");
        double withoutFilter = frenchAdherence(all.resolve("kept"), dir.resolve("gen-all"), "memorize");
        double composing = frenchAdherence(all.resolve("kept"), dir.resolve("gen-all-local"), "local");
        System.out.printf("French prompts, both colours right: memorizing world from the English-only set %.1f%%, "
                + "from the set without the language filter %.1f%%; composing world from that set %.1f%% (24 images "
                + "each; French captions kept: %d vs %d)%n", 100 * withFilter, 100 * withoutFilter, 100 * composing,
                langEn.path("fr").path("kept").asLong(), langAll.path("fr").path("kept").asLong());
        // Measured 0% vs 25% (memorize) and 0% (local). Few French captions survive even without the language
        // filter: the image-text step scores translated captions low (the encoder's text space is mostly English),
        // as CLIP filtering did. A memorizing world recalls the pictures of those few captions; the composing world
        // learns what a word asks of a region by regression over all captions, and two examples do not teach it.
        assertThat(withFilter).as("a world without French captions cannot follow French prompts").isLessThan(0.1);
        assertThat(withoutFilter).as("the memorizing world that saw French captions recalls them")
                .isGreaterThanOrEqualTo(withFilter + 0.15);
    }
}
