package io.assay.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.assay.framework.cli.ServeCommand;
import io.assay.framework.serve.Server;
import io.assay.framework.io.PngFiles;
import io.assay.sdk.tensor.RgbImage;
import io.assay.sdk.testkit.PluginArchiveBuilder;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code assay serve} in-process on a free loopback port, driven over HTTP: the A1111-compatible endpoints with
 * their JSON shapes, native jobs with progress and cancellation, the limits (body size, unknown fields, paths, a full
 * queue), plugin uploads refused for bundling host classes, and a plugin swapped under load — runs in flight finish
 * on the version they started with while new requests get the new one.
 */
class ServeIT {

    @TempDir
    static Path tmp;

    static Path plugins;
    static Path build;
    static Server server;
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final ObjectMapper JSON = new ObjectMapper();

    /** A guidance that sleeps per step (so runs overlap a swap) and reports its version in describe(). */
    static String slowGuidance(int version) {
        return """
                package io.assay.plugins.slow;

                import io.assay.sdk.*;
                import io.assay.sdk.diffusion.*;
                import io.assay.sdk.tensor.Tensor;
                import java.util.*;

                @org.pf4j.Extension
                @Component(name = "slow-cfg", description = "CFG that takes 15 ms per step (v%d)", settings = SlowSettings.class)
                public final class SlowGuidance implements Guidance {
                    private final float scale;

                    @jakarta.inject.Inject
                    public SlowGuidance(SlowSettings settings) {
                        this.scale = (float) settings.scale();
                    }

                    @Override
                    public Run start(int iterations) {
                        return new Run() {
                            public List<ConditioningKind> needs(StepInfo s) {
                                return List.of(ConditioningKind.UNCOND, ConditioningKind.COND);
                            }

                            public Tensor combine(StepInfo s, Map<ConditioningKind, Tensor> p, Tensor sample) {
                                try {
                                    Thread.sleep(15);
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                                float[] u = p.get(ConditioningKind.UNCOND).data();
                                float[] c = p.get(ConditioningKind.COND).data();
                                float[] o = new float[u.length];
                                for (int i = 0; i < o.length; i++) {
                                    o[i] = u[i] + scale * (c[i] - u[i]);
                                }
                                return new Tensor(p.get(ConditioningKind.COND).shape(), o);
                            }

                            public String describe() {
                                return "slow-cfg v%d";
                            }
                        };
                    }
                }
                """.formatted(version, version);
    }

    static Path archive(int version) throws Exception {
        return PluginArchiveBuilder.plugin("slow", version + ".0.0")
                .source("io.assay.plugins.slow.SlowGuidance", slowGuidance(version))
                .source("io.assay.plugins.slow.SlowSettings", "package io.assay.plugins.slow;\n"
                        + "public record SlowSettings(@io.assay.sdk.Setting(doc = \"scale\", defaultValue = \"3\") "
                        + "double scale) {}\n").build(
                        Files.createDirectories(build.resolve("v" + version)));
    }

    @BeforeAll
    static void start() throws Exception {
        plugins = Files.createDirectories(tmp.resolve("plugins"));
        build = Files.createDirectories(tmp.resolve("build"));
        try (Stream<Path> s = Files.list(Dist.home().resolve("plugins"))) {
            for (Path p : s.filter(p -> p.toString().endsWith(".zip") && !p.toString().contains("language"))
                    .toList()) {
                Files.copy(p, plugins.resolve(p.getFileName()));
            }
        }
        Files.copy(archive(1), plugins.resolve("slow.zip"));
        StringWriter err = new StringWriter();
        server = ServeCommand.start(List.of("--port", "0", "--workers", "2", "--queue", "2", "--timeout", "120",
                "--allow-plugin-upload",
                "--max-request-bytes", "2000000", "--plugins-dir", plugins.toString(), "--experiments",
                Dist.configs().resolve("experiments").toString(), "--out", tmp.resolve("serve-out").toString(), "--set",
                "model.cache-dir=\"" + tmp.resolve("cache") + "\""), new PrintWriter(err, true));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .header("X-Assay-Token", server.token()).POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A request carrying the server's token (every POST and DELETE needs it). */
    static HttpRequest.Builder authed(URI uri) {
        return HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + server.token());
    }

    static RgbImage image(String b64) throws Exception {
        return PngFiles.fromBufferedImage(ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(b64))));
    }

    @Test
    void theA1111SubsetAnswersWithItsShapes() throws Exception {
        JsonNode samplers = JSON.readTree(get("/sdapi/v1/samplers").body());
        assertThat(samplers.findValuesAsText("name")).contains("Euler", "Euler a", "DDIM", "DPM++ 2M Karras");
        JsonNode models = JSON.readTree(get("/sdapi/v1/sd-models").body());
        assertThat(models).hasSize(1);
        assertThat(models.get(0).get("sha256").asText()).hasSize(64);
        assertThat(JSON.readTree(get("/sdapi/v1/options").body()).get("sd_model_checkpoint").asText())
                .isEqualTo(models.get(0).get("title").asText());

        HttpResponse<String> t = post("/sdapi/v1/txt2img", "{\"prompt\": \"a red circle on a blue background\", "
                + "\"steps\": 20, \"cfg_scale\": 7.5, \"seed\": 42, \"sampler_name\": \"Euler\", \"batch_size\": 2}");
        assertThat(t.statusCode()).as(t.body()).isEqualTo(200);
        JsonNode r = JSON.readTree(t.body());
        assertThat(r.get("images")).hasSize(2);
        RgbImage first = image(r.get("images").get(0).asText());
        assertThat(first.width()).isEqualTo(64);
        JsonNode info = JSON.readTree(r.get("info").asText());
        assertThat(info.get("seed").asLong()).isEqualTo(42);
        assertThat(info.get("infotexts").get(0).asText()).contains("Sampler: Euler", "CFG scale: 7.5", "Seed: 42");
        assertThat(r.get("parameters").get("prompt").asText()).isEqualTo("a red circle on a blue background");

        // The same request through the CLI gives the same pixels.
        Path out = tmp.resolve("cli");
        Dist.Result cli = Dist.cli("generate", "a red circle on a blue background", "--seed", "42", "--batch", "2",
                "--out", out.toString(), "--quiet", "--set", "model.cache-dir=\"" + tmp.resolve("cache") + "\"")
                .requireOk();
        RgbImage viaCli = PngFiles.read(Path.of(cli.out().lines().filter(l -> l.endsWith(".png")).findFirst()
                .orElseThrow().trim()));
        assertThat(first.rgb()).isEqualTo(viaCli.rgb());

        HttpResponse<String> i = post("/sdapi/v1/img2img", "{\"prompt\": \"a red circle on a blue background\", "
                + "\"init_images\": [\"" + r.get("images").get(0).asText() + "\"], \"denoising_strength\": 0.5, "
                + "\"steps\": 20, \"seed\": 1}");
        assertThat(i.statusCode()).as(i.body()).isEqualTo(200);
        assertThat(JSON.readTree(JSON.readTree(i.body()).get("info").asText()).get("infotexts").get(0).asText())
                .contains("Denoising strength: 0.5");

        JsonNode progress = JSON.readTree(get("/sdapi/v1/progress").body());
        assertThat(progress.has("progress")).isTrue();
        assertThat(progress.get("state").has("sampling_steps")).isTrue();
        assertThat(get("/").body()).contains("<form", "/api/jobs");
    }

    @Test
    void limitsAndBadRequestsGetClearAnswers() throws Exception {
        HttpResponse<String> path = post("/api/jobs", "{\"prompt\": \"x\", \"overrides\": {\"model.dir\": \"/etc\"}}");
        assertThat(path.statusCode()).isEqualTo(400);
        assertThat(path.body()).contains("model.dir", "not allowed");
        HttpResponse<String> field = post("/api/jobs", "{\"prompt\": \"x\", \"colour\": \"red\"}");
        assertThat(field.statusCode()).isEqualTo(400);
        assertThat(field.body()).contains("unknown field 'colour'");
        assertThat(post("/api/jobs", "{\"steps\": 100000}").body()).contains("steps must be in [1, 500]");
        assertThat(post("/api/jobs", "not json").statusCode()).isEqualTo(400);
        HttpResponse<String> big = post("/sdapi/v1/img2img", "{\"init_images\": [\"" + "A".repeat(3_000_000)
                + "\"]}");
        assertThat(big.statusCode()).as("over --max-request-bytes").isEqualTo(413);
        HttpResponse<String> bomb = post("/sdapi/v1/img2img", "{\"prompt\": \"x\", \"init_images\": [\""
                + Base64.getEncoder().encodeToString(new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3}) + "\"]}");
        assertThat(bomb.statusCode()).isEqualTo(400);
        assertThat(bomb.body()).contains("init image");

        // Cancellation: a long job stops between steps.
        JsonNode job = JSON.readTree(post("/api/jobs", "{\"prompt\": \"x\", \"steps\": 400, "
                + "\"overrides\": {\"guidance.name\": \"slow-cfg\"}}").body());
        for (int i = 0; i < 1000 && JSON.readTree(get("/api/jobs/" + job.get("id").asText()).body()).get("step")
                .asInt() < 3; i++) {
            Thread.sleep(10);
        }
        HTTP.send(authed(uri("/api/jobs/" + job.get("id").asText())).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode end = poll(job.get("id").asText());
        assertThat(end.get("state").asText()).isEqualTo("cancelled");
        assertThat(end.get("step").asInt()).isBetween(3, 399);

        // A full queue answers busy at once: 2 workers + 2 queued, the fifth is refused.
        List<String> ids = new ArrayList<>();
        int busy = 0;
        for (int k = 0; k < 5; k++) {
            HttpResponse<String> r = post("/api/jobs", "{\"prompt\": \"x\", \"steps\": 100, "
                    + "\"overrides\": {\"guidance.name\": \"slow-cfg\"}}");
            if (r.statusCode() == 503) {
                busy++;
                assertThat(r.body()).contains("busy");
            } else {
                ids.add(JSON.readTree(r.body()).get("id").asText());
            }
        }
        assertThat(busy).as("refused when 2 run and 2 wait").isGreaterThanOrEqualTo(1);
        for (String id : ids) {
            HTTP.send(authed(uri("/api/jobs/" + id)).DELETE().build(),
                    HttpResponse.BodyHandlers.ofString());
            poll(id);
        }
    }

    @Test
    void anArchiveBundlingHostClassesIsRefused() throws Exception {
        Path bad = PluginArchiveBuilder.plugin("smuggler", "1.0.0")
                .source("io.assay.plugins.smuggler.Nothing", "package io.assay.plugins.smuggler;\n"
                        + "public final class Nothing {}\n")
                .resource("classes/io/assay/sdk/Stage.class", new byte[] {(byte) 0xca, (byte) 0xfe})
                .build(Files.createDirectories(build.resolve("bad")));
        HttpResponse<String> r = HTTP.send(authed(uri("/api/plugins?filename=smuggler.zip"))
                .POST(HttpRequest.BodyPublishers.ofFile(bad)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(422);
        assertThat(r.body()).contains("bundles host-shared class", "io/assay/sdk/Stage.class");
        assertThat(plugins.resolve("smuggler.zip")).doesNotExist();
        HttpResponse<String> name = HTTP.send(authed(uri("/api/plugins?filename=../x.zip"))
                .POST(HttpRequest.BodyPublishers.ofFile(bad)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(name.statusCode()).isEqualTo(400);
    }

    @Test
    void pluginsAreInstalledReloadedAndUnloadedOverHttp() throws Exception {
        Path echo = PluginArchiveBuilder.plugin("echo-http", "1.0.0")
                .source("io.assay.plugins.echohttp.Slow", slowGuidance(7).replace("package io.assay.plugins.slow;",
                        "package io.assay.plugins.echohttp;").replace("class SlowGuidance", "class Slow")
                        .replace("public SlowGuidance(", "public Slow(").replace("\"slow-cfg\"", "\"echo-http\"")
                        .replace("SlowSettings", "EchoSettings"))
                .source("io.assay.plugins.echohttp.EchoSettings", "package io.assay.plugins.echohttp;\n"
                        + "public record EchoSettings(@io.assay.sdk.Setting(doc = \"scale\", defaultValue = \"3\") "
                        + "double scale) {}\n")
                .build(Files.createDirectories(build.resolve("echo-http")));
        HttpResponse<String> up = HTTP.send(authed(uri("/api/plugins?filename=echo-http.zip"))
                .POST(HttpRequest.BodyPublishers.ofFile(echo)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(up.statusCode()).as(up.body()).isEqualTo(201);
        assertThat(JSON.readTree(up.body()).get("state").asText()).isEqualTo("STARTED");
        HttpResponse<String> gen = post("/api/generate", "{\"prompt\": \"x\", \"steps\": 3, \"overrides\": "
                + "{\"guidance.name\": \"echo-http\"}}");
        assertThat(gen.statusCode()).as(gen.body()).isEqualTo(200);
        HttpResponse<String> reload = post("/api/plugins/echo-http/reload", "");
        assertThat(reload.statusCode()).as(reload.body()).isEqualTo(200);
        HttpResponse<String> gone = HTTP.send(authed(uri("/api/plugins/echo-http")).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(gone.statusCode()).isEqualTo(204);
        HttpResponse<String> after = post("/api/generate", "{\"prompt\": \"x\", \"steps\": 3, \"overrides\": "
                + "{\"guidance.name\": \"echo-http\"}}");
        assertThat(after.statusCode()).as("an unloaded component is no longer selectable").isEqualTo(400);
        assertThat(after.body()).contains("no Guidance named 'echo-http'");
        assertThat(plugins.resolve("echo-http.zip")).as("the archive left the plugins directory").doesNotExist();
    }

    @Test
    void compareRunsAsAJobAndItsReportIsServedFromItsOwnDirectory() throws Exception {
        HttpResponse<String> unknown = post("/api/compare", "{\"experiment\": \"../../etc/passwd\"}");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("commodity-cfg-sweep");
        HttpResponse<String> r = post("/api/compare", "{\"experiment\": \"commodity-cfg-sweep\", "
                + "\"overrides\": {\"run.steps\": 8}}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        String id = JSON.readTree(r.body()).get("id").asText();
        JsonNode done = poll(id);
        assertThat(done.get("state").asText()).as(done.toString()).isEqualTo("done");
        assertThat(done.get("steps").asInt()).as("progress counted cells").isEqualTo(4);
        assertThat(done.get("result").get("cells").asInt()).isEqualTo(4);
        HttpResponse<String> index = get(done.get("result").get("report").asText());
        assertThat(index.statusCode()).isEqualTo(200);
        assertThat(index.body()).contains("commodity-cfg-sweep", "<table id=\"results\">");
        assertThat(get("/api/jobs/" + id + "/files/sheet-1.png").headers().firstValue("content-type").orElse(""))
                .isEqualTo("image/png");
        assertThat(get("/api/jobs/" + id + "/files/..%2F..%2Fcache%2Fsha256.json").statusCode())
                .as("nothing outside the job's directory").isEqualTo(404);

        // A long compare job stops between steps when cancelled.
        JsonNode slow = JSON.readTree(post("/api/compare", "{\"experiment\": \"commodity-cfg-sweep\", "
                + "\"overrides\": {\"run.steps\": 400, \"guidance.name\": \"slow-cfg\"}}").body());
        String slowId = slow.get("id").asText();
        for (int i = 0; i < 3000 && !JSON.readTree(get("/api/jobs/" + slowId).body()).get("state").asText()
                .equals("running"); i++) {
            Thread.sleep(10);
        }
        Thread.sleep(500);
        HTTP.send(authed(uri("/api/jobs/" + slowId)).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode stopped = poll(slowId);
        assertThat(stopped.get("state").asText()).as(stopped.toString()).isEqualTo("cancelled");
        assertThat(stopped.get("step").asInt()).as("cells finished before the cancel").isLessThan(4);
    }

    @Test
    void concurrentRequestsLoadEachModelOnceAndTheNextRequestFindsThemLoaded() throws Exception {
        // A server of its own on a fresh copy of the tiny reference model: nothing of it is loaded yet.
        Path model = tmp.resolve("tiny-model-copy");
        io.assay.sdk.testkit.ModelDirectories.copyTree(io.assay.sdk.testkit.References.require("tiny-sd/model"),
                model);
        try (Server own = ServeCommand.start(List.of("--port", "0", "--workers", "4", "--queue", "4", "--no-watch",
                "--plugins-dir", plugins.toString(), "--out", tmp.resolve("own-out").toString(), "--set",
                "model.dir=\"" + model + "\"", "--set",
                "model.cache-dir=\"" + tmp.resolve("cache") + "\""), new PrintWriter(new StringWriter(), true))) {
            URI base = URI.create("http://127.0.0.1:" + own.port());
            JsonNode before = JSON.readTree(HTTP.send(HttpRequest.newBuilder(base.resolve("/api/status")).GET()
                    .build(), HttpResponse.BodyHandlers.ofString()).body()).get("models");
            assertThat(before.get("created").asInt()).as("nothing loaded before the first request").isZero();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                int seed = i;
                answers.add(pool.submit(() -> {
                    go.await();
                    return HTTP.send(HttpRequest.newBuilder(base.resolve("/api/generate"))
                            .header("Content-Type", "application/json").header("X-Assay-Token", own.token()).POST(HttpRequest.BodyPublishers.ofString(
                                    "{\"prompt\": \"a cat\", \"steps\": 4, \"seed\": " + seed + "}")).build(),
                            HttpResponse.BodyHandlers.ofString());
                }));
            }
            go.countDown();
            for (Future<HttpResponse<String>> a : answers) {
                assertThat(a.get().statusCode()).as(a.get().body()).isEqualTo(200);
            }
            pool.shutdown();
            JsonNode after = JSON.readTree(HTTP.send(HttpRequest.newBuilder(base.resolve("/api/status")).GET()
                    .build(), HttpResponse.BodyHandlers.ofString()).body()).get("models");
            assertThat(after.get("created").asInt()).as("text encoder, U-Net and VAE decoder, each loaded once for "
                    + "4 concurrent requests").isEqualTo(3);
            assertThat(after.get("loaded").asInt()).as("and still loaded").isEqualTo(3);
            assertThat(after.get("hits").asInt()).isEqualTo(3 * 3);
            HttpResponse<String> again = HTTP.send(HttpRequest.newBuilder(base.resolve("/api/generate"))
                    .header("Content-Type", "application/json").header("X-Assay-Token", own.token()).POST(HttpRequest.BodyPublishers.ofString(
                            "{\"prompt\": \"a cat\", \"steps\": 4, \"seed\": 0}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(again.statusCode()).isEqualTo(200);
            JsonNode last = JSON.readTree(HTTP.send(HttpRequest.newBuilder(base.resolve("/api/status")).GET()
                    .build(), HttpResponse.BodyHandlers.ofString()).body()).get("models");
            assertThat(last.get("created").asInt()).as("a second identical request creates no session").isEqualTo(3);
            assertThat(last.get("threadPool").asText()).isIn("global", "per-session");
        }
    }

    static JsonNode poll(String id) throws Exception {
        for (int i = 0; i < 2000; i++) {
            JsonNode j = JSON.readTree(get("/api/jobs/" + id).body());
            String s = j.get("state").asText();
            if (!s.equals("queued") && !s.equals("running")) {
                return j;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("job " + id + " did not finish");
    }

    @Test
    void aPluginSwappedUnderLoadServesNewRequestsWhileRunsInFlightKeepTheirVersion() throws Exception {
        int clients = 3;
        int perClient = 4;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        ConcurrentHashMap<String, AtomicInteger> versions = new ConcurrentHashMap<>();
        AtomicInteger busy = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        long t0 = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int client = c;
            futures.add(pool.submit(() -> {
                for (int k = 0; k < perClient; k++) {
                    try {
                        HttpResponse<String> r = post("/api/generate", "{\"prompt\": \"a blue square\", \"seed\": "
                                + (client * 100 + k) + ", \"steps\": 30, \"overrides\": {\"guidance.name\": "
                                + "\"slow-cfg\"}}");
                        if (r.statusCode() == 503) {
                            busy.incrementAndGet();
                            Thread.sleep(200);
                            k--;
                            continue;
                        }
                        JsonNode j = JSON.readTree(r.body());
                        if (r.statusCode() != 200) {
                            failed.incrementAndGet();
                            System.out.println("serve under a swap: failed request: " + r.statusCode() + " "
                                    + r.body());
                            continue;
                        }
                        String guidance = j.get("result").get("guidance").asText();
                        String plugin = j.get("result").get("components").get("guidance").asText();
                        // What the run reported and which plugin version built it must agree.
                        assertThat(plugin).contains("slow " + guidance.replace("slow-cfg v", "") + ".0.0");
                        versions.computeIfAbsent(guidance, x -> new AtomicInteger()).incrementAndGet();
                    } catch (Exception | AssertionError e) {
                        failed.incrementAndGet();
                        System.out.println("serve under a swap: " + e);
                    }
                }
                return null;
            }));
        }
        // Swap v1 → v2 in the watched directory while the clients run.
        Thread.sleep(700);
        Path v2 = archive(2);
        Path staged = plugins.resolve(".slow.zip.part");
        Files.copy(v2, staged);
        Files.move(staged, plugins.resolve("slow.zip"), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("serve under a swap: %d requests in %.1f s (%.1f/s), versions %s, busy answers %d, "
                + "failures %d%n", clients * perClient, seconds, clients * perClient / seconds, versions, busy.get(),
                failed.get());
        assertThat(failed.get()).isZero();
        assertThat(versions.keySet()).as("both versions served: v1 before the swap, v2 after")
                .contains("slow-cfg v1", "slow-cfg v2");
        // After the swap settles every new request gets v2.
        HttpResponse<String> after = post("/api/generate", "{\"prompt\": \"x\", \"steps\": 5, \"overrides\": "
                + "{\"guidance.name\": \"slow-cfg\"}}");
        assertThat(JSON.readTree(after.body()).get("result").get("guidance").asText()).isEqualTo("slow-cfg v2");
        JsonNode list = JSON.readTree(get("/api/plugins").body());
        assertThat(list.findValuesAsText("version")).contains("2.0.0");
    }
}
