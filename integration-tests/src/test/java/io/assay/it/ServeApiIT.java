package io.assay.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.assay.framework.cli.ServeCommand;
import io.assay.framework.io.PngFiles;
import io.assay.framework.serve.Server;
import io.assay.sdk.tensor.RgbImage;
import io.assay.sdk.testkit.References;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP surface of issue 15: A1111's seeds per image (seed + i over batch_size × n_iter, each image made again
 * from its reported seed), {@code info} filled from the resolved run, unknown and dotted fields refused and assay
 * settings taken under {@code override_settings}, one error shape on every route, the job and experiment lists, the
 * plugins' components as JSON, the request log, the page's empty frames, and {@code serve --model}.
 */
class ServeApiIT {

    @TempDir
    static Path tmp;

    static Server server;
    static final StringWriter LOG = new StringWriter();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        Path plugins = Files.createDirectories(tmp.resolve("plugins"));
        try (Stream<Path> s = Files.list(Dist.home().resolve("plugins"))) {
            for (Path p : s.filter(p -> p.toString().endsWith(".zip")).toList()) {
                Files.copy(p, plugins.resolve(p.getFileName()));
            }
        }
        server = ServeCommand.start(List.of("--port", "0", "--no-watch", "--plugins-dir", plugins.toString(),
                "--experiments", Dist.configs().resolve("experiments").toString(), "--out",
                tmp.resolve("serve-out").toString(), "--set", "model.cache-dir=\"" + Dist.worldCache() + "\""),
                new PrintWriter(LOG, true));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    static HttpResponse<String> send(Server s, String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path));
        if (body != null) {
            b.header("Content-Type", "application/json").header("X-Assay-Token", s.token());
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(String path) throws Exception {
        return send(server, "GET", path, null);
    }

    static HttpResponse<String> post(String path, String body) throws Exception {
        return send(server, "POST", path, body);
    }

    static RgbImage image(JsonNode b64) throws Exception {
        return PngFiles.fromBufferedImage(ImageIO.read(new ByteArrayInputStream(Base64.getDecoder()
                .decode(b64.asText()))));
    }

    /** The error shape every route answers with. */
    static JsonNode error(HttpResponse<String> r, int status, String code) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        JsonNode n = JSON.readTree(r.body());
        List<String> keys = new ArrayList<>();
        n.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).as(r.body()).containsExactly("error", "detail", "status");
        assertThat(n.get("error").asText()).isEqualTo(code).matches("[a-z]+(-[a-z]+)*");
        assertThat(n.get("status").asInt()).isEqualTo(status);
        return n;
    }

    @Test
    void batchesAndIterationsGetSeedPlusIAndEachImageComesBackFromItsSeed() throws Exception {
        HttpResponse<String> r = post("/sdapi/v1/txt2img", "{\"prompt\": \"a red circle on a blue background\", "
                + "\"seed\": 5, \"batch_size\": 2, \"n_iter\": 2, \"steps\": 6, \"restore_faces\": false, "
                + "\"styles\": [], \"enable_hr\": false, \"subseed\": -1, \"subseed_strength\": 0}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("images")).hasSize(4);
        JsonNode info = JSON.readTree(body.get("info").asText());
        List<Long> seeds = new ArrayList<>();
        info.get("all_seeds").forEach(s -> seeds.add(s.asLong()));
        assertThat(seeds).containsExactly(5L, 6L, 7L, 8L);
        assertThat(info.get("batch_size").asInt()).isEqualTo(2);
        assertThat(info.get("n_iter").asInt()).isEqualTo(2);
        // Not sent: the configuration's values, not null.
        assertThat(info.get("cfg_scale").asDouble()).isEqualTo(7.5);
        assertThat(info.get("sampler_name").asText()).isEqualTo("Euler");
        assertThat(info.get("infotexts").get(3).asText()).contains("Seed: 8", "CFG scale: 7.5", "Sampler: Euler");
        Set<String> distinct = new HashSet<>();
        List<RgbImage> images = new ArrayList<>();
        for (JsonNode img : body.get("images")) {
            RgbImage i = image(img);
            images.add(i);
            distinct.add(Base64.getEncoder().encodeToString(i.rgb()));
        }
        assertThat(distinct).as("four seeds, four different images").hasSize(4);
        // Image 2 (seed 7) alone, from its reported seed: the same pixels.
        HttpResponse<String> one = post("/sdapi/v1/txt2img", "{\"prompt\": \"a red circle on a blue background\", "
                + "\"seed\": 7, \"steps\": 6}");
        assertThat(one.statusCode()).as(one.body()).isEqualTo(200);
        JsonNode oneBody = JSON.readTree(one.body());
        assertThat(image(oneBody.get("images").get(0)).rgb()).isEqualTo(images.get(2).rgb());
        assertThat(JSON.readTree(oneBody.get("info").asText()).get("all_seeds").get(0).asLong()).isEqualTo(7);
    }

    @Test
    void unknownAndDottedFieldsAreRefusedAndAssaySettingsGoUnderOverrideSettings() throws Exception {
        JsonNode dotted = error(post("/sdapi/v1/txt2img", "{\"prompt\": \"x\", \"guidance.scale\": 3}"), 400,
                "invalid-request");
        assertThat(dotted.get("detail").asText()).contains("unknown field 'guidance.scale'",
                "\"override_settings\": {\"guidance.scale\": …}");
        assertThat(error(post("/sdapi/v1/txt2img", "{\"prompt\": \"x\", \"promt\": \"y\"}"), 400, "invalid-request")
                .get("detail").asText()).contains("unknown field 'promt'");
        assertThat(error(post("/sdapi/v1/txt2img", "{\"prompt\": \"x\", \"restore_faces\": true}"), 400,
                "invalid-request").get("detail").asText()).contains("field 'restore_faces' = true is not supported",
                "false");
        assertThat(error(post("/sdapi/v1/txt2img", "{\"prompt\": \"x\", \"override_settings\": "
                + "{\"sd_model_checkpoint\": \"sd-xl\"}}"), 400, "invalid-request").get("detail").asText())
                .contains("override_settings.sd_model_checkpoint", "this server runs one model");
        assertThat(error(post("/sdapi/v1/txt2img", "{\"prompt\": \"x\", \"override_settings\": "
                + "{\"model.dir\": \"/etc\"}}"), 400, "invalid-input").get("detail").asText())
                .contains("model.dir", "not allowed");

        String title = JSON.readTree(get("/sdapi/v1/options").body()).get("sd_model_checkpoint").asText();
        assertThat(title).startsWith("world-");
        HttpResponse<String> r = post("/sdapi/v1/txt2img", "{\"prompt\": \"a red circle on a blue background\", "
                + "\"seed\": 3, \"steps\": 4, \"override_settings\": {\"guidance.scale\": 3, "
                + "\"sd_model_checkpoint\": \"" + title + "\"}, \"override_settings_restore_afterwards\": true}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode info = JSON.readTree(JSON.readTree(r.body()).get("info").asText());
        assertThat(info.get("cfg_scale").asDouble()).isEqualTo(3.0);
        assertThat(info.get("infotexts").get(0).asText()).contains("CFG scale: 3");
    }

    @Test
    void everyErrorHasOneShape() throws Exception {
        error(post("/api/jobs", "{not json"), 400, "invalid-request");
        error(post("/api/jobs", "{\"colour\": \"red\"}"), 400, "invalid-request");
        error(post("/api/jobs", "{\"overrides\": {\"model.dir\": \"/etc\"}}"), 400, "invalid-input");
        error(post("/api/jobs", "{\"scheduler\": \"eulr\"}"), 400, "invalid-config");
        error(get("/api/jobs/no-such-job"), 404, "not-found");
        error(get("/api/no-such-route"), 404, "not-found");
        error(post("/api/compare", "{\"experiment\": \"nope\"}"), 404, "not-found");
        error(send(server, "POST", "/api/jobs", null), 401, "unauthorized");
        // A job that fails at run time carries a code of the same table.
        HttpResponse<String> sync = post("/api/generate", "{\"prompt\": \"x\", \"steps\": 2, \"overrides\": "
                + "{\"scheduler.name\": \"euler\", \"scheduler.eta\": 0.5}}");
        JsonNode failed = JSON.readTree(sync.body());
        assertThat(failed.get("error").asText()).as(sync.body()).matches("[a-z]+(-[a-z]+)*");
        assertThat(failed.get("detail").asText()).contains("eta");
    }

    @Test
    void jobsExperimentsAndPluginsAreListedAsJson() throws Exception {
        HttpResponse<String> queued = post("/api/jobs", "{\"prompt\": \"a green square\", \"steps\": 2}");
        assertThat(queued.statusCode()).isEqualTo(202);
        String id = JSON.readTree(queued.body()).get("id").asText();
        JsonNode jobs = JSON.readTree(get("/api/jobs").body());
        assertThat(jobs.isArray()).isTrue();
        List<String> ids = new ArrayList<>();
        jobs.forEach(j -> ids.add(j.get("id").asText()));
        assertThat(ids).contains(id);
        jobs.forEach(j -> assertThat(j.has("preview")).isFalse());

        JsonNode exps = JSON.readTree(get("/api/experiments").body());
        List<String> names = new ArrayList<>();
        for (JsonNode e : exps) {
            names.add(e.get("name").asText());
            if (e.get("name").asText().equals("gaussian-noise")) {
                assertThat(e.get("cells").asInt()).isEqualTo(4);
                assertThat(e.get("seeds")).hasSize(4);
            }
            if (e.get("name").asText().equals("commodity-cfg-sweep")) {
                assertThat(e.get("axes").get(0).asText()).isEqualTo("guidance.scale");
            }
        }
        assertThat(names).contains("gaussian-noise", "commodity-cfg-sweep");

        JsonNode plugins = JSON.readTree(get("/api/plugins").body());
        JsonNode schedulers = null;
        for (JsonNode p : plugins) {
            assertThat(p.get("components").isObject()).as(p.toString()).isTrue();
            if (p.get("id").asText().equals("schedulers")) {
                schedulers = p.get("components").get("Scheduler");
            }
        }
        assertThat(schedulers).isNotNull();
        List<String> names2 = new ArrayList<>();
        for (Iterator<JsonNode> it = schedulers.elements(); it.hasNext();) {
            names2.add(it.next().asText());
        }
        assertThat(names2).contains("euler", "ddim", "lcm");
    }

    @Test
    void aRunOutsideTheSchedulersRecommendedRangeSaysSoInItsResult() throws Exception {
        HttpResponse<String> r = post("/api/generate", "{\"prompt\": \"a red circle on a blue background\", "
                + "\"steps\": 2, \"scheduler\": \"lcm\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode warnings = JSON.readTree(r.body()).get("result").get("warnings");
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0).asText()).contains("scheduler 'lcm' is meant for a guidance scale of 1 to 2; this "
                + "run has 7.5");
    }

    @Test
    void everyRequestIsLoggedAndThePageShowsNoBrokenImages() throws Exception {
        get("/api/status");
        error(get("/api/jobs/missing"), 404, "not-found");
        String log = LOG.toString();
        assertThat(log).containsPattern("assay serve: GET /api/status 200 \\d+ ms");
        assertThat(log).containsPattern("assay serve: GET /api/jobs/missing 404 \\d+ ms");
        assertThat(log).doesNotContain(server.token());
        String page = get("/").body();
        assertThat(page).contains("img.px:not([src]){visibility:hidden}", "clearImages()");
        assertThat(page).doesNotContainPattern("<img[^>]*src=\"\"");
    }

    @Test
    void serveTakesModel(@TempDir Path out) throws Exception {
        Path model = References.require("tiny-sd/model");
        try (Server own = ServeCommand.start(List.of("--port", "0", "--no-watch", "--model", model.toString(),
                "--plugins-dir", tmp.resolve("plugins").toString(), "--out", out.toString(),
                "--set", "model.cache-dir=\"" + Dist.worldCache() + "\""), new PrintWriter(new StringWriter()))) {
            JsonNode config = JSON.readTree(send(own, "GET", "/api/config", null).body());
            assertThat(config.get("model").get("dir").asText()).isEqualTo(model.toAbsolutePath().toString());
            JsonNode models = JSON.readTree(send(own, "GET", "/sdapi/v1/sd-models", null).body());
            assertThat(models.get(0).get("model_name").asText()).isEqualTo(model.getFileName().toString());
        }
    }

    /**
     * Per-client request slots: with {@code --client-slots 1} a client that has a job running is refused a second
     * one with 429 {@code too-many-requests} (nothing queued), reads still answer, and the slot comes back when the
     * job is answered.
     */
    @Test
    void aClientHoldsAtMostItsSlots(@TempDir Path out) throws Exception {
        try (Server own = ServeCommand.start(List.of("--port", "0", "--no-watch", "--client-slots", "1",
                "--plugins-dir", tmp.resolve("plugins").toString(), "--out", out.toString(),
                "--set", "model.cache-dir=\"" + Dist.worldCache() + "\""), new PrintWriter(new StringWriter()))) {
            HttpResponse<String> first = send(own, "POST", "/api/jobs", "{\"prompt\": \"a red circle\", \"steps\": 400}");
            assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
            String id = JSON.readTree(first.body()).get("id").asText();
            JsonNode refused = error(send(own, "POST", "/api/jobs", "{\"prompt\": \"a blue square\", \"steps\": 2}"),
                    429, "too-many-requests");
            assertThat(refused.get("detail").asText()).contains("127.0.0.1", "--client-slots");
            assertThat(send(own, "GET", "/api/status", null).statusCode()).isEqualTo(200);
            JsonNode jobs = JSON.readTree(send(own, "GET", "/api/jobs", null).body());
            assertThat(jobs.size()).as("the refused request queued nothing").isEqualTo(1);
            assertThat(send(own, "DELETE", "/api/jobs/" + id, "").statusCode()).isLessThan(300);
            long deadline = System.nanoTime() + 60_000_000_000L;
            HttpResponse<String> again;
            do {
                Thread.sleep(50);
                again = send(own, "POST", "/api/jobs", "{\"prompt\": \"a blue square\", \"steps\": 2}");
            } while (again.statusCode() == 429 && System.nanoTime() < deadline);
            assertThat(again.statusCode()).as("the slot is back once the first job is answered: " + again.body())
                    .isEqualTo(202);
        }
    }
}
