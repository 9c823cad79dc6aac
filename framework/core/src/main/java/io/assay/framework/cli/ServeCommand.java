package io.assay.framework.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigRenderOptions;
import io.assay.framework.host.PluginInfo;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import io.assay.sdk.settings.ConfigErrorsException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code assay serve}: the host as a long-running HTTP server (Javalin on Jetty, loopback by default). Native API
 * under {@code /api} (generation jobs with progress and previews, plugins list/install/reload/unload, the resolved
 * config), the AUTOMATIC1111-compatible subset under {@code /sdapi/v1} for existing clients, and a page at
 * {@code /}. The plugins directory is watched: a new plugin version serves new requests while runs in flight finish
 * on the version they leased.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve generation over HTTP (native API, A1111-compatible API, a page), plugins hot-swapped.")
public final class ServeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common = new CommonOptions();

    @Option(names = "--host", description = "Address to bind (default: ${DEFAULT-VALUE}; 0.0.0.0 exposes the server).",
            defaultValue = "127.0.0.1")
    String host;

    @Option(names = "--port", description = "Port (default: ${DEFAULT-VALUE}, as A1111; 0 = any free port).",
            defaultValue = "7860")
    int port;

    @Option(names = "--workers", description = "Jobs run at once (default: ${DEFAULT-VALUE}).", defaultValue = "1")
    int workers;

    @Option(names = "--queue", description = "Jobs that may wait; beyond this requests are refused as busy "
            + "(default: ${DEFAULT-VALUE}).", defaultValue = "8")
    int queue;

    @Option(names = "--max-request-bytes", description = "Largest request body (default: ${DEFAULT-VALUE}).",
            defaultValue = "33554432")
    long maxRequestBytes;

    @Option(names = "--timeout", description = "Seconds a job may take, queued and running (default: "
            + "${DEFAULT-VALUE}).", defaultValue = "600")
    long timeoutSeconds;

    @Option(names = "--no-watch", description = "Do not watch the plugins directory.")
    boolean noWatch;

    @Option(names = "--experiments", paramLabel = "DIR", description = "Experiments /api/compare may run, by name "
            + "(default: configs/experiments).")
    Path experimentsDir;

    @Option(names = "--out", paramLabel = "DIR", description = "Where compare jobs write their reports (default: "
            + "${DEFAULT-VALUE}).", defaultValue = "out/serve")
    Path outRoot;

    private final ObjectMapper json = new ObjectMapper();
    private Map<String, Object> model;

    /**
     * Starts a server in-process from command-line arguments (what {@code assay serve ARGS} does, without blocking);
     * for embedding and tests.
     */
    public static Running start(List<String> args, PrintWriter err) {
        ServeCommand c = new ServeCommand();
        new picocli.CommandLine(c).parseArgs(args.toArray(String[]::new));
        return c.start(err);
    }

    /** A running server. */
    public static final class Running implements AutoCloseable {
        final Javalin app;
        final Workbench bench;
        final ServeJobs jobs;

        Running(Javalin app, Workbench bench, ServeJobs jobs) {
            this.app = app;
            this.bench = bench;
            this.jobs = jobs;
        }

        /** The port it listens on. */
        public int port() {
            return app.port();
        }

        @Override
        public void close() {
            jobs.close();
            app.stop();
            bench.close();
        }
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        Running r = start(err);
        spec.commandLine().getOut().println("assay: serving on http://" + host + ":" + r.port() + "/");
        spec.commandLine().getOut().flush();
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            r.close();
            stop.countDown();
        }));
        stop.await();
        return ExitCodes.OK;
    }

    /** Opens the workbench, starts the plugin watcher and the HTTP server. */
    Running start(PrintWriter err) {
        Workbench bench = Workbench.open(common, err);
        try {
            bench.validate(null); // a broken configuration fails here, before the port opens
            if (!noWatch) {
                bench.host().startWatching();
            }
            model = model(bench); // hashed once, before any request reconfigures the workbench
            ServeJobs jobs = new ServeJobs(Math.max(1, workers), Math.max(0, queue));
            ServeGenerator gen = new ServeGenerator(bench);
            Javalin app = Javalin.create(cfg -> {
                cfg.showJavalinBanner = false;
                cfg.http.maxRequestSize = maxRequestBytes;
            });
            routes(app, gen, jobs);
            app.start(host, port);
            return new Running(app, bench, jobs);
        } catch (RuntimeException e) {
            bench.close();
            throw e;
        }
    }

    private long timeoutMillis() {
        return timeoutSeconds * 1000;
    }

    private void routes(Javalin app, ServeGenerator gen, ServeJobs jobs) {
        Workbench bench = gen.bench();
        app.exception(ServeJobs.Busy.class, (e, ctx) -> error(ctx, 503, "busy", e.getMessage()));
        app.exception(ConfigErrorsException.class, (e, ctx) -> error(ctx, 400, "invalid-config", e.getMessage()));
        app.exception(StageException.class, (e, ctx) -> error(ctx, status(e.code()), e.code().name(),
                e.getMessage()));
        app.exception(IllegalArgumentException.class, (e, ctx) -> error(ctx, 400, "invalid-request",
                e.getMessage()));
        app.exception(com.fasterxml.jackson.core.JsonProcessingException.class, (e, ctx) -> error(ctx, 400,
                "invalid-json", e.getOriginalMessage()));

        app.get("/", ctx -> ctx.contentType("text/html; charset=utf-8").result(ServePage.HTML));

        // Native API.
        app.post("/api/jobs", ctx -> {
            ServeGenerator.Spec s = spec(ctx.body());
            ServeGenerator.overrides(s); // refuse bad fields before queueing
            if (s.initImage() != null) {
                ServeGenerator.decodeImage(s.initImage());
            }
            ServeJobs.Job job = jobs.submit("generate", timeoutMillis(), j -> gen.generate(s, j));
            ctx.status(202).json(job.view(false));
        });
        app.get("/api/jobs/{id}", ctx -> {
            ServeJobs.Job job = jobs.get(ctx.pathParam("id"));
            if (job == null) {
                error(ctx, 404, "not-found", "no job '" + ctx.pathParam("id") + "'");
                return;
            }
            ctx.json(job.view(true));
        });
        app.delete("/api/jobs/{id}", ctx -> {
            ServeJobs.Job job = jobs.get(ctx.pathParam("id"));
            if (job == null) {
                error(ctx, 404, "not-found", "no job '" + ctx.pathParam("id") + "'");
                return;
            }
            job.cancelRequested = true;
            ctx.json(job.view(false));
        });
        app.post("/api/generate", ctx -> {
            // Synchronous convenience: queue, wait, answer (still bounded by the queue and the timeout).
            ServeGenerator.Spec s = spec(ctx.body());
            ServeGenerator.overrides(s);
            ServeJobs.Job job = jobs.submit("generate", timeoutMillis(), j -> gen.generate(s, j));
            await(job);
            finish(ctx, job);
        });
        app.post("/api/compare", ctx -> {
            JsonNode n = json.readTree(ctx.body().isBlank() ? "{}" : ctx.body());
            String name = n.path("experiment").asText("");
            Path dir = experimentsDir != null ? experimentsDir : Path.of("configs", "experiments");
            if (!name.matches("[a-z0-9][a-z0-9-]*") || !Files.isRegularFile(dir.resolve(name + ".conf"))) {
                List<String> known = new ArrayList<>();
                if (Files.isDirectory(dir)) {
                    try (var s = Files.list(dir)) {
                        s.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".conf"))
                                .map(f -> f.substring(0, f.length() - 5)).sorted().forEach(known::add);
                    }
                }
                error(ctx, 404, "not-found", "no experiment '" + name + "'; available: " + known);
                return;
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> overrides = n.has("overrides") ? json.convertValue(n.get("overrides"), Map.class)
                    : null;
            List<String> sets = ServeGenerator.overrides(new ServeGenerator.Spec(null, null, null, null, null, null,
                    null, null, null, overrides, null, null));
            Path file = dir.resolve(name + ".conf").toAbsolutePath();
            ServeJobs.Job job = jobs.submit("compare", timeoutMillis(), j -> compare(j, file, sets, bench));
            ctx.status(202).json(job.view(false));
        });
        app.get("/api/jobs/{id}/files/*", ctx -> {
            ServeJobs.Job job = jobs.get(ctx.pathParam("id"));
            String prefix = "/api/jobs/" + ctx.pathParam("id") + "/files/";
            String rel = java.net.URLDecoder.decode(ctx.path().substring(Math.min(ctx.path().length(),
                    prefix.length())), java.nio.charset.StandardCharsets.UTF_8);
            Path root = outRoot.resolve(ctx.pathParam("id")).toAbsolutePath().normalize();
            Path f = root.resolve(rel).normalize();
            // Only files the job wrote: nothing outside its own directory, whatever the path says.
            if (job == null || !job.kind.equals("compare") || !f.startsWith(root) || !Files.isRegularFile(f)) {
                error(ctx, 404, "not-found", "no such file of job '" + ctx.pathParam("id") + "'");
                return;
            }
            String type = f.toString().endsWith(".html") ? "text/html; charset=utf-8"
                    : f.toString().endsWith(".png") ? "image/png" : f.toString().endsWith(".json")
                    ? "application/json" : f.toString().endsWith(".csv") ? "text/csv" : "application/octet-stream";
            ctx.contentType(type).result(Files.readAllBytes(f));
        });
        app.get("/api/plugins", ctx -> ctx.json(plugins(bench)));
        app.post("/api/plugins", ctx -> {
            String name = ctx.queryParam("filename");
            if (name == null || !name.matches("[A-Za-z0-9._-]+\\.zip")) {
                error(ctx, 400, "invalid-request", "give ?filename=<name>.zip (letters, digits, . _ -)");
                return;
            }
            Path staging = Files.createTempDirectory("assay-upload-");
            try {
                Path archive = staging.resolve(name);
                Files.write(archive, ctx.bodyAsBytes());
                PluginInfo info = bench.host().install(archive);
                if (info.state() != PluginInfo.State.STARTED) {
                    Files.deleteIfExists(bench.host().pluginsDir().resolve(name));
                    bench.host().sync();
                    error(ctx, 422, "plugin-refused", info.problem());
                    return;
                }
                ctx.status(201).json(describe(info));
            } finally {
                try (var s = Files.list(staging)) {
                    for (Path p : s.toList()) {
                        Files.deleteIfExists(p);
                    }
                }
                Files.deleteIfExists(staging);
            }
        });
        app.post("/api/plugins/{id}/reload", ctx -> ctx.json(describe(bench.host().reload(ctx.pathParam("id")))));
        app.delete("/api/plugins/{id}", ctx -> {
            String id = ctx.pathParam("id");
            PluginInfo info = bench.host().plugins().stream().filter(p -> id.equals(p.id())
                    && p.state() == PluginInfo.State.STARTED).findFirst().orElse(null);
            if (info == null) {
                error(ctx, 404, "not-found", "no plugin '" + id + "' is loaded");
                return;
            }
            // Remove the archive too (only inside the plugins directory), so the watcher and the next start agree.
            Path source = info.path();
            if (source != null && source.toAbsolutePath().normalize().startsWith(
                    bench.host().pluginsDir().toAbsolutePath().normalize())) {
                Files.deleteIfExists(source);
            }
            bench.host().unload(id);
            ctx.status(204);
        });
        app.get("/api/config", ctx -> {
            String rendered;
            synchronized (bench) {
                rendered = bench.config().root().render(ConfigRenderOptions.concise());
            }
            ctx.contentType("application/json").result(rendered);
        });
        app.get("/api/status", ctx -> ctx.json(Map.of("running", jobs.running(), "queued", jobs.queued(),
                "capacity", queue)));

        // AUTOMATIC1111-compatible subset.
        app.post("/sdapi/v1/txt2img", ctx -> a1111(ctx, gen, jobs, false));
        app.post("/sdapi/v1/img2img", ctx -> a1111(ctx, gen, jobs, true));
        app.get("/sdapi/v1/samplers", ctx -> {
            List<Map<String, Object>> out = new ArrayList<>();
            for (var c : bench.host().catalog().components(io.assay.sdk.diffusion.Scheduler.class)) {
                String name = Infotext.SAMPLERS.getOrDefault(c.name(), c.name());
                out.add(Map.of("name", name, "aliases", List.of(c.name()), "options", Map.of()));
            }
            ctx.json(out);
        });
        app.get("/sdapi/v1/sd-models", ctx -> ctx.json(List.of(model)));
        app.get("/sdapi/v1/options", ctx -> {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("sd_model_checkpoint", model.get("title"));
            o.put("samples_format", "png");
            ctx.json(o);
        });
        app.post("/sdapi/v1/options", ctx -> {
            JsonNode n = json.readTree(ctx.body());
            if (n.has("sd_model_checkpoint")
                    && !n.get("sd_model_checkpoint").asText().equals(model.get("title"))
                    && !n.get("sd_model_checkpoint").asText().equals(model.get("model_name"))) {
                error(ctx, 400, "invalid-request", "this server runs one model ("
                        + model.get("title") + "); start another with --set model.dir=… to serve another");
                return;
            }
            ctx.json(Map.of());
        });
        app.get("/sdapi/v1/progress", ctx -> {
            ServeJobs.Job j = jobs.current();
            Map<String, Object> state = new LinkedHashMap<>();
            state.put("skipped", false);
            state.put("interrupted", j != null && j.cancelRequested);
            state.put("job", j == null ? "" : j.id);
            state.put("job_count", jobs.running() + jobs.queued());
            state.put("job_timestamp", j == null ? "0" : Instant.ofEpochMilli(j.created).toString());
            state.put("job_no", 0);
            state.put("sampling_step", j == null ? 0 : j.step);
            state.put("sampling_steps", j == null ? 0 : j.steps);
            Map<String, Object> m = new LinkedHashMap<>();
            double progress = j == null || j.steps == 0 ? 0 : j.step / (double) j.steps;
            m.put("progress", progress);
            double elapsed = j == null ? 0 : (System.currentTimeMillis() - j.started) / 1000.0;
            m.put("eta_relative", progress > 0 ? elapsed / progress - elapsed : 0);
            m.put("state", state);
            m.put("current_image", j == null || j.preview == null ? null
                    : j.preview.substring(j.preview.indexOf(',') + 1));
            m.put("textinfo", null);
            ctx.json(m);
        });
        app.post("/sdapi/v1/interrupt", ctx -> {
            jobs.cancelAll();
            ctx.json(Map.of());
        });
    }

    /**
     * A compare job: the experiment runs as {@code assay compare} does (its own plugin lease and session cache) into
     * {@code <out>/<job id>/}; progress comes from its per-cell lines.
     */
    private Map<String, Object> compare(ServeJobs.Job job, Path file, List<String> sets, Workbench bench)
            throws Exception {
        Path dir = outRoot.resolve(job.id).toAbsolutePath();
        List<String> args = new ArrayList<>(List.of("compare", file.toString(), "--out", dir.toString(),
                "--plugins-dir", bench.host().pluginsDir().toString()));
        for (String s : common.sets) {
            args.add("--set");
            args.add(s);
        }
        for (String s : sets) {
            args.add("--set");
            args.add(s);
        }
        java.util.regex.Pattern cell = java.util.regex.Pattern.compile("compare: cell (\\d+)/(\\d+)");
        StringBuilder log = new StringBuilder();
        java.io.Writer progress = new java.io.Writer() {
            private final StringBuilder line = new StringBuilder();

            @Override
            public void write(char[] buf, int off, int len) {
                for (int i = off; i < off + len; i++) {
                    if (buf[i] == '\n') {
                        java.util.regex.Matcher m = cell.matcher(line);
                        if (m.find()) {
                            job.step = Integer.parseInt(m.group(1));
                            job.steps = Integer.parseInt(m.group(2));
                        }
                        log.append(line).append('\n');
                        line.setLength(0);
                    } else {
                        line.append(buf[i]);
                    }
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.io.StringWriter out = new java.io.StringWriter();
        int code;
        CancelFlag.EMBEDDED.set(job::shouldStop); // DELETE /api/jobs/<id> and the timeout stop it between steps
        try {
            code = AssayCli.run(args.toArray(String[]::new), new PrintWriter(out, true),
                    new PrintWriter(progress, true));
        } finally {
            CancelFlag.EMBEDDED.remove();
        }
        if (code != ExitCodes.OK) {
            throw new StageException(code == 3 ? ErrorCode.INVALID_INPUT : ErrorCode.INTERNAL, "compare failed (exit "
                    + code + "): " + log.toString().strip());
        }
        JsonNode results = json.readTree(dir.resolve("results.json").toFile());
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("experiment", results.path("experiment").asText());
        r.put("cells", results.path("cells").asInt());
        r.put("computed", results.path("computed").asInt());
        r.put("report", "/api/jobs/" + job.id + "/files/index.html");
        r.put("results", "/api/jobs/" + job.id + "/files/results.json");
        return r;
    }

    private ServeGenerator.Spec spec(String body) throws Exception {
        JsonNode n = json.readTree(body.isBlank() ? "{}" : body);
        if (!n.isObject()) {
            throw new IllegalArgumentException("expected a JSON object");
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext();) {
            String f = it.next();
            if (!ServeGenerator.SPEC_FIELDS.contains(f)) {
                throw new IllegalArgumentException("unknown field '" + f + "'; fields: "
                        + new java.util.TreeSet<>(ServeGenerator.SPEC_FIELDS));
            }
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> overrides = n.has("overrides") ? json.convertValue(n.get("overrides"), Map.class) : null;
        return new ServeGenerator.Spec(text(n, "prompt"), text(n, "negative"),
                n.has("seed") ? n.get("seed").asLong() : null, n.has("steps") ? n.get("steps").asInt() : null,
                n.has("width") ? n.get("width").asInt() : null, n.has("height") ? n.get("height").asInt() : null,
                n.has("batch") ? n.get("batch").asInt() : null, n.has("guidance") ? n.get("guidance").asDouble() : null,
                text(n, "scheduler"), overrides, text(n, "initImage"),
                n.has("strength") ? n.get("strength").asDouble() : null);
    }

    private static String text(JsonNode n, String f) {
        return n.has(f) && !n.get(f).isNull() ? n.get(f).asText() : null;
    }

    /** The A1111 request shapes: txt2img and img2img (sampler names or our scheduler names). */
    private void a1111(Context ctx, ServeGenerator gen, ServeJobs jobs, boolean img2img) throws Exception {
        JsonNode n = json.readTree(ctx.body().isBlank() ? "{}" : ctx.body());
        String sampler = n.has("sampler_name") ? n.get("sampler_name").asText()
                : n.has("sampler_index") ? n.get("sampler_index").asText() : null;
        String scheduler = null;
        if (sampler != null && !sampler.isBlank()) {
            scheduler = sampler;
            for (Map.Entry<String, String> e : Infotext.SAMPLERS.entrySet()) {
                if (e.getValue().equalsIgnoreCase(sampler)) {
                    scheduler = e.getKey();
                }
            }
        }
        long seed = n.path("seed").asLong(-1);
        if (seed < 0) {
            seed = new java.security.SecureRandom().nextInt(Integer.MAX_VALUE);
        }
        String init = null;
        if (img2img) {
            if (!n.has("init_images") || n.get("init_images").isEmpty()) {
                error(ctx, 400, "invalid-request", "img2img needs init_images (base64)");
                return;
            }
            init = n.get("init_images").get(0).asText();
        }
        int batch = n.path("batch_size").asInt(1) * Math.max(1, n.path("n_iter").asInt(1));
        ServeGenerator.Spec s = new ServeGenerator.Spec(n.path("prompt").asText(""),
                n.path("negative_prompt").asText(""), seed, n.has("steps") ? n.get("steps").asInt() : null,
                n.has("width") ? n.get("width").asInt() : null, n.has("height") ? n.get("height").asInt() : null,
                batch, n.has("cfg_scale") ? n.get("cfg_scale").asDouble() : null, scheduler, null, init,
                img2img ? n.path("denoising_strength").asDouble(0.75) : null);
        ServeGenerator.overrides(s);
        if (init != null) {
            ServeGenerator.decodeImage(init); // a broken or oversized image is the client's error, before queueing
        }
        ServeJobs.Job job = jobs.submit(img2img ? "img2img" : "txt2img", timeoutMillis(), j -> gen.generate(s, j));
        await(job);
        if (!job.state.equals("done")) {
            finish(ctx, job);
            return;
        }
        Map<String, Object> r = job.result;
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("prompt", r.get("prompt"));
        info.put("all_prompts", java.util.Collections.nCopies(((List<?>) r.get("images")).size(), r.get("prompt")));
        info.put("negative_prompt", r.get("negative"));
        info.put("seed", r.get("seed"));
        info.put("all_seeds", java.util.Collections.nCopies(((List<?>) r.get("images")).size(), r.get("seed")));
        info.put("steps", r.get("steps"));
        info.put("cfg_scale", n.has("cfg_scale") ? n.get("cfg_scale").asDouble() : null);
        info.put("width", r.get("width"));
        info.put("height", r.get("height"));
        info.put("sampler_name", sampler);
        info.put("infotexts", r.get("infotexts"));
        info.put("job_timestamp", Instant.ofEpochMilli(job.created).toString());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("images", r.get("images"));
        out.put("parameters", json.convertValue(n, Map.class));
        out.put("info", json.writeValueAsString(info));
        ctx.json(out);
    }

    private static void await(ServeJobs.Job job) throws InterruptedException {
        while (job.state.equals("queued") || job.state.equals("running")) {
            Thread.sleep(10);
        }
    }

    private static void finish(Context ctx, ServeJobs.Job job) {
        if (job.state.equals("done")) {
            ctx.json(job.view(true));
        } else if (job.state.equals("cancelled")) {
            error(ctx, 409, "cancelled", job.error);
        } else {
            error(ctx, job.errorStatus > 0 ? job.errorStatus : 500, "failed", job.error);
        }
    }

    static int status(ErrorCode code) {
        return switch (code.category()) {
            case USER -> 400;
            case MODEL -> 500;
            case CANCELLED -> 409;
            default -> 500;
        };
    }

    private static void error(Context ctx, int status, String kind, String message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", kind);
        m.put("detail", message);
        ctx.status(status).json(m);
    }

    private static List<Map<String, Object>> plugins(Workbench bench) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (PluginInfo p : bench.host().plugins()) {
            out.add(describe(p));
        }
        return out;
    }

    private static Map<String, Object> describe(PluginInfo p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", p.id());
        m.put("version", p.version());
        m.put("state", p.state());
        m.put("problem", p.problem());
        m.put("components", p.components().toString());
        return m;
    }

    private static Map<String, Object> model(Workbench bench) {
        Map<String, String> files = bench.modelFiles();
        Path dir = bench.modelDir();
        String sha = files.getOrDefault("unet/model.onnx", "");
        String name = dir == null ? "embedded" : dir.getFileName().toString();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("title", name + (sha.isEmpty() ? "" : " [" + sha.substring(0, 10) + "]"));
        m.put("model_name", name);
        m.put("hash", sha.isEmpty() ? null : sha.substring(0, 10));
        m.put("sha256", sha.isEmpty() ? null : sha);
        m.put("filename", dir == null ? null : dir.toString());
        m.put("config", null);
        return m;
    }
}
