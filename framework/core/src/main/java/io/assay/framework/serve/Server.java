package io.assay.framework.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigRenderOptions;
import io.assay.framework.assembly.PipelineAssembler;
import io.assay.framework.experiment.ExperimentRunner;
import io.assay.framework.host.PluginInfo;
import io.assay.framework.runtime.Infotext;
import io.assay.framework.experiment.ExperimentPlan;
import io.assay.framework.runtime.AssayRuntime;
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

/**
 * The host as a long-running HTTP server (Javalin on Jetty, loopback by default). Native API under {@code /api}
 * (generation jobs with progress and previews, experiments as jobs, plugins list/install/reload/unload, the resolved
 * config), the AUTOMATIC1111-compatible subset under {@code /sdapi/v1} for existing clients, and a page at {@code /}.
 * The plugins directory is watched: a new plugin version serves new requests while runs in flight finish on the
 * version they leased.
 */
public final class Server implements AutoCloseable {

    /**
     * How the server runs.
     *
     * @param host the address to bind
     * @param port the port (0 = any free port)
     * @param workers jobs run at once
     * @param queue jobs that may wait before requests are refused as busy
     * @param maxRequestBytes the largest request body
     * @param timeoutSeconds seconds a job may take, queued and running
     * @param watch whether to watch the plugins directory
     * @param experimentsDir experiments {@code /api/compare} may run, by name
     * @param outRoot where compare jobs write their reports
     * @param token the token every state-changing request must carry, or null for none ({@code --no-auth})
     * @param allowPluginUpload whether {@code POST /api/plugins} may install an archive
     * @param maxSteps most inference steps per request
     * @param maxBatch most images per request
     * @param maxSide largest width or height per request
     * @param maxPixels most pixels per request (width × height × batch)
     * @param maxPromptChars longest prompt or negative prompt per request, in characters
     * @param bodyTimeoutSeconds how long a request body may take to arrive once its request is handled (a
     *     slow-body client holds a server thread until then), 0 = no limit
     * @param clientSlots jobs one client address may have queued or running at once (429 beyond), 0 = no limit
     */
    public record Options(String host, int port, int workers, int queue, long maxRequestBytes, long timeoutSeconds,
            boolean watch, Path experimentsDir, Path outRoot, String token, boolean allowPluginUpload, int maxSteps,
            int maxBatch, int maxSide, long maxPixels, int maxPromptChars, long bodyTimeoutSeconds, int clientSlots) {

        /** The options without a per-client limit. */
        public Options(String host, int port, int workers, int queue, long maxRequestBytes, long timeoutSeconds,
                boolean watch, Path experimentsDir, Path outRoot, String token, boolean allowPluginUpload,
                int maxSteps, int maxBatch, int maxSide, long maxPixels, int maxPromptChars,
                long bodyTimeoutSeconds) {
            this(host, port, workers, queue, maxRequestBytes, timeoutSeconds, watch, experimentsDir, outRoot, token,
                    allowPluginUpload, maxSteps, maxBatch, maxSide, maxPixels, maxPromptChars, bodyTimeoutSeconds, 0);
        }

        /** The options with the default limits, authentication by {@code token} and uploads off. */
        public Options(String host, int port, int workers, int queue, long maxRequestBytes, long timeoutSeconds,
                boolean watch, Path experimentsDir, Path outRoot, String token) {
            this(host, port, workers, queue, maxRequestBytes, timeoutSeconds, watch, experimentsDir, outRoot, token,
                    false, RequestPolicy.Limits.DEFAULTS.maxSteps(), RequestPolicy.Limits.DEFAULTS.maxBatch(),
                    RequestPolicy.Limits.DEFAULTS.maxSide(), RequestPolicy.Limits.DEFAULTS.maxPixels(),
                    RequestPolicy.Limits.DEFAULTS.maxPromptChars(), 10);
        }
    }

    /** A new random token for {@link Options#token()}. */
    public static String newToken() {
        return Guard.newToken();
    }

    private final ObjectMapper json = new ObjectMapper();
    private final Options options;
    private final AssayRuntime runtime;
    /** The served model for the A1111 routes: its description waits for the model files' digests, so on first use. */
    private final java.util.function.Supplier<Map<String, Object>> model;
    private final Jobs jobs;
    private final Guard guard;
    private final RequestPolicy policy;
    private final Javalin app;

    private Server(Options options, AssayRuntime runtime, java.util.function.Consumer<String> log) {
        this.options = options;
        this.runtime = runtime;
        // A broken configuration fails here, before the port opens.
        io.assay.framework.runtime.RunConfig base = runtime.configure(List.of());
        if (options.watch()) {
            runtime.host().startWatching();
        }
        java.util.concurrent.atomic.AtomicReference<Map<String, Object>> described = new java.util.concurrent.atomic
                .AtomicReference<>();
        this.model = () -> described.updateAndGet(m -> m != null ? m : model(runtime, base));
        this.jobs = new Jobs(Math.max(1, options.workers()), Math.max(0, options.queue()), options.clientSlots());
        this.guard = new Guard(options.token(), options.host());
        this.policy = new RequestPolicy(stage -> runtime.host().catalog().components(stage),
                new RequestPolicy.Limits(options.maxSteps(), options.maxBatch(), options.maxSide(),
                        options.maxPixels(), options.maxPromptChars()));
        ServeGenerator gen = new ServeGenerator(runtime, policy);
        this.app = Javalin.create(cfg -> {
            cfg.showJavalinBanner = false;
            cfg.http.maxRequestSize = options.maxRequestBytes();
            // One line per request: method, path, status, milliseconds (never the body, the query or the token).
            cfg.requestLogger.http((ctx, ms) -> log.accept(ctx.method() + " " + ctx.path() + " " + ctx.statusCode()
                    + " " + Math.round(ms) + " ms"));
        });
        app.before(ctx -> {
            ctx.header("X-Content-Type-Options", "nosniff");
            ctx.header("X-Frame-Options", "DENY");
            guard.check(ctx, app.port());
            readBodyWithinDeadline(ctx);
        });
        routes(app, gen, jobs);
        app.start(options.host(), options.port());
    }

    /**
     * Serves on {@code runtime} (which the server then owns and closes); the configuration is validated before the
     * port opens.
     */
    public static Server start(AssayRuntime runtime, Options options) {
        return start(runtime, options, line -> System.err.println("assay serve: " + line));
    }

    /** Like {@link #start(AssayRuntime, Options)}, with the request log (a line per request) going to {@code log}. */
    public static Server start(AssayRuntime runtime, Options options, java.util.function.Consumer<String> log) {
        try {
            return new Server(options, runtime, log);
        } catch (RuntimeException e) {
            runtime.close();
            throw e;
        }
    }

    /**
     * Reads the request body (Javalin keeps it for the route) within {@link Options#bodyTimeoutSeconds()}: a client
     * trickling its body (slowloris) holds a server thread while it does, so past the deadline the connection is
     * aborted. The deadline runs from when the request is handled, so a small body that arrived while the server was
     * busy is never refused (Jetty's own minimum data rate counts from the first byte and refuses those).
     */
    private void readBodyWithinDeadline(Context ctx) {
        long seconds = options.bodyTimeoutSeconds();
        boolean body = ctx.req().getContentLengthLong() > 0 || ctx.header("Transfer-Encoding") != null;
        if (seconds <= 0 || !body) {
            return;
        }
        org.eclipse.jetty.server.Request base = org.eclipse.jetty.server.Request.getBaseRequest(ctx.req());
        java.util.concurrent.atomic.AtomicBoolean expired = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.ScheduledFuture<?> timer = BODY_WATCH.schedule(() -> {
            expired.set(true);
            if (base != null) {
                base.getHttpChannel().abort(new java.util.concurrent.TimeoutException("request body deadline"));
            }
        }, seconds, java.util.concurrent.TimeUnit.SECONDS);
        try {
            ctx.bodyAsBytes();
        } catch (Exception e) {
            if (expired.get()) {
                throw new Guard.Refused(408, "request-timeout", "the request body did not arrive within " + seconds
                        + " s (--body-timeout)");
            }
            throw e;
        } finally {
            timer.cancel(false);
        }
    }

    private static final java.util.concurrent.ScheduledExecutorService BODY_WATCH = java.util.concurrent.Executors
            .newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "assay-body-deadline");
                t.setDaemon(true);
                return t;
            });

    /** The token state-changing requests must carry, or null when the server runs with {@code --no-auth}. */
    public String token() {
        return guard.token();
    }

    /** The port it listens on. */
    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        jobs.close();
        app.stop();
        runtime.close();
    }

    private long timeoutMillis() {
        return options.timeoutSeconds() * 1000;
    }

    private void routes(Javalin app, ServeGenerator gen, Jobs jobs) {
        app.exception(Guard.Refused.class, (e, ctx) -> error(ctx, e.status, e.kind, e.getMessage()));
        app.exception(Jobs.Busy.class, (e, ctx) -> error(ctx, 503, "busy", e.getMessage()));
        app.exception(Jobs.ClientBusy.class, (e, ctx) -> error(ctx, 429, "too-many-requests", e.getMessage()));
        app.exception(ConfigErrorsException.class, (e, ctx) -> error(ctx, 400, "invalid-config", e.getMessage()));
        app.exception(StageException.class, (e, ctx) -> error(ctx, status(e.code()), code(e.code()),
                e.getMessage()));
        app.exception(IllegalArgumentException.class, (e, ctx) -> error(ctx, 400, "invalid-request",
                e.getMessage()));
        app.exception(com.fasterxml.jackson.core.JsonProcessingException.class, (e, ctx) -> error(ctx, 400,
                "invalid-request", "the body is not valid JSON: " + e.getOriginalMessage()));
        // Routes that do not exist answer in the same shape as every other error.
        app.error(404, ctx -> {
            // Javalin answers a missing route with plain text; the routes' own 404s are already JSON.
            if (ctx.result() == null || !ctx.result().startsWith("{")) {
                error(ctx, 404, "not-found", "no route " + ctx.method() + " " + ctx.path());
            }
        });
        app.error(405, ctx -> error(ctx, 405, "method-not-allowed", "no route " + ctx.method() + " " + ctx.path()));

        app.get("/", ctx -> ctx.contentType("text/html; charset=utf-8").result(ServePage.html(guard.token())));

        // Native API.
        app.post("/api/jobs", ctx -> {
            ServeGenerator.Spec s = spec(ctx.body());
            gen.prepare(s); // refuse bad fields and sizes before queueing
            if (s.initImage() != null) {
                ServeGenerator.decodeImage(s.initImage());
            }
            Jobs.Job job = jobs.submit("generate", ctx.ip(), timeoutMillis(), j -> gen.generate(s, j));
            ctx.status(202).json(job.view(false));
        });
        app.get("/api/jobs", ctx -> {
            List<Map<String, Object>> list = new ArrayList<>();
            for (Jobs.Job j : jobs.list()) {
                Map<String, Object> v = j.view(false);
                v.remove("preview"); // the list stays small: GET /api/jobs/{id} has the preview and the result
                list.add(v);
            }
            java.util.Collections.reverse(list); // newest first
            ctx.json(list);
        });
        app.get("/api/experiments", ctx -> ctx.json(experiments()));
        app.get("/api/jobs/{id}", ctx -> {
            Jobs.Job job = jobs.get(ctx.pathParam("id"));
            if (job == null) {
                error(ctx, 404, "not-found", "no job '" + ctx.pathParam("id") + "'");
                return;
            }
            ctx.json(job.view(true));
        });
        app.delete("/api/jobs/{id}", ctx -> {
            Jobs.Job job = jobs.get(ctx.pathParam("id"));
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
            gen.prepare(s);
            Jobs.Job job = jobs.submit("generate", ctx.ip(), timeoutMillis(), j -> gen.generate(s, j));
            await(job);
            finish(ctx, job);
        });
        app.post("/api/compare", ctx -> {
            JsonNode n = json.readTree(ctx.body().isBlank() ? "{}" : ctx.body());
            if (!n.isObject()) {
                throw new IllegalArgumentException("expected a JSON object");
            }
            if (n.has("experiment") && !n.get("experiment").isTextual()) {
                throw new IllegalArgumentException("field 'experiment' must be a string");
            }
            if (n.has("overrides") && !n.get("overrides").isObject()) {
                throw new IllegalArgumentException("field 'overrides' must be an object of setting: value");
            }
            String name = n.path("experiment").asText("");
            Path dir = experimentsDir();
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
            List<String> sets = policy.overrides(overrides);
            policy.checkRun(runtime.configure(sets).run()); // the limits on the merged configuration
            Path file = dir.resolve(name + ".conf").toAbsolutePath();
            Jobs.Job job = jobs.submit("compare", ctx.ip(), timeoutMillis(), j -> compare(j, file, sets));
            ctx.status(202).json(job.view(false));
        });
        app.get("/api/jobs/{id}/files/*", ctx -> {
            Jobs.Job job = jobs.get(ctx.pathParam("id"));
            String prefix = "/api/jobs/" + ctx.pathParam("id") + "/files/";
            String rel = java.net.URLDecoder.decode(ctx.path().substring(Math.min(ctx.path().length(),
                    prefix.length())), java.nio.charset.StandardCharsets.UTF_8);
            Path root = options.outRoot().resolve(ctx.pathParam("id")).toAbsolutePath().normalize();
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
        app.get("/api/plugins", ctx -> ctx.json(plugins(runtime)));
        app.post("/api/plugins", ctx -> {
            if (!options.allowPluginUpload()) {
                error(ctx, 403, "upload-disabled", "plugin upload is off: start the server with "
                        + "--allow-plugin-upload to install archives over HTTP (plugins run as trusted code)");
                return;
            }
            String name = ctx.queryParam("filename");
            if (name == null || !name.matches("[A-Za-z0-9._-]+\\.zip")) {
                error(ctx, 400, "invalid-request", "give ?filename=<name>.zip (letters, digits, . _ -)");
                return;
            }
            Path staging = Files.createTempDirectory("assay-upload-");
            try {
                Path archive = staging.resolve(name);
                Files.write(archive, ctx.bodyAsBytes());
                PluginInfo info = runtime.host().install(archive);
                if (info.state() != PluginInfo.State.STARTED) {
                    Files.deleteIfExists(runtime.host().pluginsDir().resolve(name));
                    runtime.host().sync();
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
        app.post("/api/plugins/{id}/reload", ctx -> ctx.json(describe(runtime.host().reload(ctx.pathParam("id")))));
        app.delete("/api/plugins/{id}", ctx -> {
            String id = ctx.pathParam("id");
            PluginInfo info = runtime.host().plugins().stream().filter(p -> id.equals(p.id())
                    && p.state() == PluginInfo.State.STARTED).findFirst().orElse(null);
            if (info == null) {
                error(ctx, 404, "not-found", "no plugin '" + id + "' is loaded");
                return;
            }
            // Remove the archive too (only inside the plugins directory), so the watcher and the next start agree.
            Path source = info.path();
            if (source != null && source.toAbsolutePath().normalize().startsWith(
                    runtime.host().pluginsDir().toAbsolutePath().normalize())) {
                Files.deleteIfExists(source);
            }
            runtime.host().unload(id);
            ctx.status(204);
        });
        app.get("/api/config", ctx -> {
            ctx.contentType("application/json").result(runtime.configure(List.of()).config().root()
                    .render(ConfigRenderOptions.concise()));
        });
        app.get("/api/status", ctx -> {
            Map<String, Object> status = new LinkedHashMap<>();
            status.put("running", jobs.running());
            status.put("abandoned", jobs.abandoned());
            status.put("queued", jobs.queued());
            status.put("capacity", options.queue());
            status.put("workers", options.workers());
            status.put("models", runtime.sessions().stats());
            ctx.json(status);
        });

        // AUTOMATIC1111-compatible subset.
        app.post("/sdapi/v1/txt2img", ctx -> a1111(ctx, gen, jobs, false));
        app.post("/sdapi/v1/img2img", ctx -> a1111(ctx, gen, jobs, true));
        app.get("/sdapi/v1/samplers", ctx -> {
            List<Map<String, Object>> out = new ArrayList<>();
            for (var c : runtime.host().catalog().components(io.assay.sdk.diffusion.Scheduler.class)) {
                String name = Infotext.SAMPLERS.getOrDefault(c.name(), c.name());
                out.add(Map.of("name", name, "aliases", List.of(c.name()), "options", Map.of()));
            }
            ctx.json(out);
        });
        app.get("/sdapi/v1/sd-models", ctx -> ctx.json(List.of(model.get())));
        app.get("/sdapi/v1/options", ctx -> {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("sd_model_checkpoint", model.get().get("title"));
            o.put("samples_format", "png");
            ctx.json(o);
        });
        app.post("/sdapi/v1/options", ctx -> {
            JsonNode n = json.readTree(ctx.body());
            if (n.has("sd_model_checkpoint")
                    && !n.get("sd_model_checkpoint").asText().equals(model.get().get("title"))
                    && !n.get("sd_model_checkpoint").asText().equals(model.get().get("model_name"))) {
                error(ctx, 400, "invalid-request", "this server runs one model ("
                        + model.get().get("title") + "); start another with --set model.dir=… to serve another");
                return;
            }
            ctx.json(Map.of());
        });
        app.get("/sdapi/v1/progress", ctx -> {
            Jobs.Job j = jobs.current();
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
     * A compare job: the experiment's cells planned and run on the server's runtime (its plugins, its model cache,
     * its configuration under the experiment file, its overrides and the request's) into {@code <out>/<job id>/};
     * progress per cell, and DELETE or the timeout stop it between steps.
     */
    private Map<String, Object> compare(Jobs.Job job, Path file, List<String> sets) throws Exception {
        Path dir = options.outRoot().resolve(job.id).toAbsolutePath();
        ExperimentPlan plan = ExperimentPlan.of(runtime, file, sets);
        job.steps = plan.cells().size();
        ExperimentRunner.Summary s = new ExperimentRunner(runtime).run(plan, dir, job::shouldStop,
                (done, total, computed) -> job.step = done);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("experiment", plan.experiment().name());
        r.put("cells", s.cells());
        r.put("computed", s.computed());
        r.put("trajectories", s.trajectories());
        r.put("decodes", s.decodes());
        r.put("report", "/api/jobs/" + job.id + "/files/index.html");
        r.put("results", "/api/jobs/" + job.id + "/files/results.json");
        return r;
    }

    private Path experimentsDir() {
        return options.experimentsDir() != null ? options.experimentsDir() : Path.of("configs", "experiments");
    }

    /**
     * The experiments {@code /api/compare} may run: name, file, description, and the cell count and axes when the
     * file plans (else the problem that stops it, so a broken file shows here rather than when it is run).
     */
    private List<Map<String, Object>> experiments() throws java.io.IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        Path dir = experimentsDir();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        List<Path> files;
        try (var s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().matches("[a-z0-9][a-z0-9-]*\\.conf")).sorted().toList();
        }
        for (Path f : files) {
            Map<String, Object> m = new LinkedHashMap<>();
            String file = f.getFileName().toString();
            m.put("name", file.substring(0, file.length() - 5));
            m.put("file", f.toString());
            try {
                ExperimentPlan plan = ExperimentPlan.of(runtime, f.toAbsolutePath(), List.of());
                m.put("prompts", plan.experiment().prompts().size());
                m.put("seeds", plan.experiment().seeds());
                m.put("cells", plan.cells().size());
                List<String> axes = new ArrayList<>();
                plan.experiment().axes().forEach(a -> axes.add(a.label()));
                m.put("axes", axes);
            } catch (RuntimeException e) {
                m.put("problem", e.getMessage());
            }
            out.add(m);
        }
        return out;
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
        Map<String, Object> overrides = n.has("overrides") && !n.get("overrides").isNull() ? json.convertValue(
                Fields.object(n, "overrides"), Map.class) : null;
        return new ServeGenerator.Spec(Fields.string(n, "prompt"), Fields.string(n, "negative"),
                Fields.integer(n, "seed"), Fields.int32(n, "steps"), Fields.int32(n, "width"),
                Fields.int32(n, "height"), Fields.int32(n, "batch"), Fields.number(n, "guidance"),
                Fields.string(n, "scheduler"), overrides, Fields.string(n, "initImage"), Fields.number(n, "strength"));
    }

    /**
     * The A1111 request shapes: txt2img and img2img (sampler names or our scheduler names). As A1111 does, the
     * {@code batch_size × n_iter} images get seeds {@code seed, seed + 1, …}, and each image is a run of its own from
     * its seed, so any image is made again by a request for one image with its reported seed. The {@code info}
     * fields are those of the resolved run (the configuration's values where the request left a field out).
     */
    private void a1111(Context ctx, ServeGenerator gen, Jobs jobs, boolean img2img) throws Exception {
        JsonNode n = json.readTree(ctx.body().isBlank() ? "{}" : ctx.body());
        if (!n.isObject()) {
            throw new IllegalArgumentException("expected a JSON object");
        }
        A1111Fields.check(n, img2img);
        // Every field this route reads is type-checked: a wrong type is a 400 naming the field, never a default.
        String sampler = Fields.string(n, "sampler_name");
        if (sampler == null) {
            sampler = Fields.string(n, "sampler_index");
        }
        String scheduler = null;
        if (sampler != null && !sampler.isBlank()) {
            scheduler = sampler;
            for (Map.Entry<String, String> e : Infotext.SAMPLERS.entrySet()) {
                if (e.getValue().equalsIgnoreCase(sampler)) {
                    scheduler = e.getKey();
                }
            }
        }
        String prompt = Fields.string(n, "prompt");
        String negative = Fields.string(n, "negative_prompt");
        Long given = Fields.integer(n, "seed");
        long seed = given == null || given < 0 ? new java.security.SecureRandom().nextInt(Integer.MAX_VALUE) : given;
        Integer steps = Fields.int32(n, "steps");
        Integer width = Fields.int32(n, "width");
        Integer height = Fields.int32(n, "height");
        Integer batchSize = Fields.int32(n, "batch_size");
        Integer iterations = Fields.int32(n, "n_iter");
        Double cfg = Fields.number(n, "cfg_scale");
        Double strength = Fields.number(n, "denoising_strength");
        boolean sendImages = !n.hasNonNull("send_images") || n.get("send_images").asBoolean();
        if (n.hasNonNull("send_images") && !n.get("send_images").isBoolean()) {
            throw new IllegalArgumentException("field 'send_images' must be a boolean, found " + n.get("send_images"));
        }
        Map<String, Object> model = this.model.get();
        List<String> names = new ArrayList<>();
        names.add(String.valueOf(model.get("title")));
        names.add(String.valueOf(model.get("model_name")));
        Map<String, Object> overrides = A1111Fields.overrides(n.get("override_settings"), names);
        // eta, as A1111 uses it: the DDIM noise weight when the sampler is DDIM, ignored by samplers without one.
        Double eta = Fields.number(n, "eta");
        if (eta != null && !overrides.containsKey("scheduler.eta")) {
            String resolved = scheduler != null ? scheduler : runtime.configure(List.of()).validated().stages()
                    .get("scheduler").canonicalName();
            if (resolved.equals("ddim")) {
                overrides.put("scheduler.eta", eta);
            }
        }
        String init = null;
        if (img2img) {
            init = Fields.firstString(n, "init_images");
            if (init == null) {
                throw new IllegalArgumentException("img2img needs init_images (an array holding one base64 image)");
            }
        }
        if (batchSize != null && batchSize < 1 || iterations != null && iterations < 1) {
            throw new IllegalArgumentException("fields 'batch_size' and 'n_iter' must be at least 1, found "
                    + batchSize + " and " + iterations);
        }
        long batch = (long) (batchSize == null ? 1 : batchSize) * (iterations == null ? 1 : iterations);
        if (batch > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("field 'batch_size' × 'n_iter' must be at most 2^31-1, found " + batch);
        }
        ServeGenerator.Spec s = new ServeGenerator.Spec(prompt == null ? "" : prompt, negative == null ? ""
                : negative, seed, steps, width, height, (int) batch, cfg, scheduler,
                overrides.isEmpty() ? null : overrides, init, img2img ? (strength == null ? 0.75 : strength) : null,
                true);
        gen.prepare(s);
        if (init != null) {
            ServeGenerator.decodeImage(init); // a broken or oversized image is the client's error, before queueing
        }
        Jobs.Job job = jobs.submit(img2img ? "img2img" : "txt2img", ctx.ip(), timeoutMillis(),
                j -> gen.generate(s, j));
        await(job);
        if (!job.state.equals("done")) {
            finish(ctx, job);
            return;
        }
        Map<String, Object> r = job.result;
        int count = ((List<?>) r.get("images")).size();
        String resolvedScheduler = (String) r.get("scheduler");
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("prompt", r.get("prompt"));
        info.put("all_prompts", java.util.Collections.nCopies(count, r.get("prompt")));
        info.put("negative_prompt", r.get("negative"));
        info.put("all_negative_prompts", java.util.Collections.nCopies(count, r.get("negative")));
        info.put("seed", r.get("seed"));
        info.put("all_seeds", r.get("seeds"));
        info.put("subseed", -1);
        info.put("all_subseeds", java.util.Collections.nCopies(count, -1));
        info.put("subseed_strength", 0);
        info.put("width", r.get("width"));
        info.put("height", r.get("height"));
        info.put("sampler_name", Infotext.SAMPLERS.getOrDefault(resolvedScheduler, resolvedScheduler));
        info.put("cfg_scale", r.get("guidanceScale"));
        info.put("steps", r.get("steps"));
        info.put("batch_size", batchSize == null ? 1 : batchSize);
        info.put("n_iter", iterations == null ? 1 : iterations);
        info.put("denoising_strength", img2img ? r.get("strength") : null);
        info.put("sd_model_name", model.get("model_name"));
        info.put("sd_model_hash", model.get("hash"));
        info.put("seed_resize_from_w", -1);
        info.put("seed_resize_from_h", -1);
        info.put("restore_faces", false);
        info.put("index_of_first_image", 0);
        info.put("infotexts", r.get("infotexts"));
        info.put("styles", List.of());
        info.put("job_timestamp", java.time.format.DateTimeFormatter.ofPattern("yyyyMMddHHmmss")
                .withZone(java.time.ZoneOffset.UTC).format(Instant.ofEpochMilli(job.created)));
        info.put("clip_skip", 1);
        info.put("is_using_inpainting_conditioning", false);
        info.put("version", "assay");
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("images", sendImages ? r.get("images") : List.of());
        out.put("parameters", json.convertValue(n, Map.class));
        out.put("info", json.writeValueAsString(info));
        ctx.json(out);
    }

    private static void await(Jobs.Job job) throws InterruptedException {
        while (job.state.equals("queued") || job.state.equals("running")) {
            Thread.sleep(10);
        }
    }

    private static void finish(Context ctx, Jobs.Job job) {
        if (job.state.equals("done")) {
            ctx.json(job.view(true));
        } else if (job.state.equals("cancelled")) {
            // Stopped by its deadline rather than by a client: a timeout (504), whichever noticed it first.
            boolean timedOut = "timeout".equals(job.errorCode);
            error(ctx, timedOut ? 504 : 409, timedOut ? "timeout" : "cancelled", job.error);
        } else {
            error(ctx, job.errorStatus > 0 ? job.errorStatus : 500, job.errorCode != null ? job.errorCode
                    : "internal-error", job.error);
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

    /**
     * Every error of every route has one shape: {@code {"error": code, "detail": message, "status": n}}, where the
     * code is kebab-case ({@code invalid-request}, {@code invalid-config}, {@code invalid-input}, {@code not-found},
     * {@code busy}, {@code cancelled}, {@code timeout}, {@code unauthorized}, …; docs/http-api.md lists them).
     */
    private static void error(Context ctx, int status, String code, String message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", code);
        m.put("detail", message);
        m.put("status", status);
        ctx.status(status).json(m);
    }

    /** An SDK error code in the API's error shape: {@code INVALID_INPUT} → {@code invalid-input}. */
    static String code(ErrorCode code) {
        return code.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    private static List<Map<String, Object>> plugins(AssayRuntime runtime) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (PluginInfo p : runtime.host().plugins()) {
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
        m.put("components", p.components());
        return m;
    }

    private static Map<String, Object> model(AssayRuntime runtime, io.assay.framework.runtime.RunConfig base) {
        Map<String, String> files = runtime.modelFiles(base);
        Path dir = base.model().dir();
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
