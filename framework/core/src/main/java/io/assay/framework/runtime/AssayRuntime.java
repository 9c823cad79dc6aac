package io.assay.framework.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import io.assay.framework.assembly.Assembled;
import io.assay.framework.assembly.PipelineAssembler;
import io.assay.framework.assembly.SingleStage;
import io.assay.framework.assembly.StageKey;
import io.assay.framework.engine.GenerationRequest;
import io.assay.framework.engine.GenerationResult;
import io.assay.framework.host.PluginHost;
import io.assay.framework.io.Hashes;
import io.assay.framework.io.PngFiles;
import io.assay.framework.settings.ConfigLoader;
import io.assay.framework.settings.MetricsSettings;
import io.assay.framework.settings.ModelSettings;
import io.assay.framework.settings.OutputSettings;
import io.assay.framework.settings.PipelineValidator;
import io.assay.framework.settings.PluginsSettings;
import io.assay.framework.settings.RunSettings;
import io.assay.framework.settings.ValidatedConfig;
import io.assay.framework.world.EmbeddedWorld;
import io.assay.framework.world.WorldCompiler;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.SdkVersion;
import io.assay.sdk.Stage;
import io.assay.sdk.StageException;
import io.assay.sdk.onnx.OnnxRuntimeSettings;
import io.assay.sdk.onnx.OnnxSessions;
import io.assay.sdk.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The runtime the CLI, the server and experiments share: configuration → validated pipeline → run. It owns what
 * outlives one run — the plugin host, the model cache ({@link OnnxSessions}: sessions kept while used, then for an
 * idle time, within a memory budget, with one thread budget for all of ONNX Runtime), the embedded world, the model
 * file digests for provenance — and hands out immutable {@link RunConfig}s and assembled pipelines, so concurrent
 * runs need no lock of their own.
 */
public final class AssayRuntime implements AutoCloseable {

    /** The framework's configuration sections and their settings records. */
    public static final Map<String, Class<? extends Record>> SECTIONS = Map.of(
            "model", ModelSettings.class,
            "run", RunSettings.class,
            "output", OutputSettings.class,
            "plugins", PluginsSettings.class,
            "onnx", OnnxRuntimeSettings.class,
            "metrics", MetricsSettings.class);

    private static final List<String> STAGE_KEYS = StageKey.GENERATION.stream().map(StageKey::key).toList();

    private final ConfigLoader loader;
    private final Path userFile;
    private final List<String> baseSets;
    private final PluginHost host;
    private final CompletableFuture<OnnxSessions> sessions;
    private final Consumer<String> log;
    private final Map<String, CompletableFuture<Path>> worlds = new ConcurrentHashMap<>();
    private final java.util.concurrent.ExecutorService background = java.util.concurrent.Executors
            .newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "assay-world");
                t.setDaemon(true);
                return t;
            });
    private final ModelHashes hashes = new ModelHashes();

    private AssayRuntime(ConfigLoader loader, Path userFile, List<String> baseSets, PluginHost host,
            CompletableFuture<OnnxSessions> sessions, Consumer<String> log) {
        this.loader = loader;
        this.userFile = userFile;
        this.baseSets = List.copyOf(baseSets);
        this.host = host;
        this.sessions = sessions;
        this.log = log;
    }

    /**
     * Loads the base configuration and the plugins (stages are validated per run, by {@link #configure}).
     *
     * @param configFile the pipeline file (a bare name means {@code configs/<name>.conf}), or null for the defaults
     * @param sets {@code path=value} overrides every run gets
     * @param pluginsDirOption the plugins directory, or null for {@code plugins.dir} or the distribution's
     * @param lazy load only the plugins the configurations name ({@link PluginHost#indexAll()}), not all of them
     * @param log where progress notes go (e.g. building the embedded world)
     */
    public static AssayRuntime open(Path configFile, List<String> sets, Path pluginsDirOption, boolean lazy,
            Consumer<String> log) {
        Path file = resolveConfigFile(configFile);
        ConfigLoader loader = new ConfigLoader(ConfigLoader.frameworkReference());
        Config config = loader.load(file, sets, null);
        PluginsSettings plugins = section(config, "plugins", PluginsSettings.class, file);
        Path pluginsDir = pluginsDirOption != null ? pluginsDirOption
                : plugins.dir() != null ? plugins.dir() : defaultPluginsDir();
        ModelSettings model = section(config, "model", ModelSettings.class, file);
        OnnxRuntimeSettings onnx = section(config, "onnx", OnnxRuntimeSettings.class, file);
        // Loading ONNX Runtime's native library takes a while: it happens while the plugins load and the
        // configuration resolves; the first stage that needs it waits for it.
        CompletableFuture<OnnxSessions> sessions = new CompletableFuture<>();
        Thread init = new Thread(() -> {
            try {
                sessions.complete(new OnnxSessions(onnx));
            } catch (RuntimeException | LinkageError e) {
                sessions.completeExceptionally(e);
            }
        }, "assay-onnx-init");
        init.setDaemon(true);
        init.start();
        Injector injector = Guice.createInjector(new AbstractModule() {
            @Override
            protected void configure() {
                bind(OnnxSessions.class).toProvider((com.google.inject.Provider<OnnxSessions>) () -> join(sessions));
            }
        });
        PluginHost host = new PluginHost(pluginsDir, injector);
        host.archiveLimits(new io.assay.framework.host.ArchiveLimits(plugins.maxArchiveEntries(),
                plugins.maxArchiveBytes(), plugins.maxArchiveRatio()));
        if (lazy) {
            host.indexAll();
        } else {
            host.loadAll();
        }
        AssayRuntime runtime = new AssayRuntime(loader, file, sets, host, sessions, log);
        if (model.dir() == null) {
            // The embedded world is checked (or built) while the plugins load; the first configure waits for it.
            runtime.worlds.put(worldKey(model), CompletableFuture.supplyAsync(() -> runtime.buildWorld(model),
                    runtime.background));
        }
        return runtime;
    }

    /** One section of a configuration, bound and checked alone (before any plugin is loaded). */
    private static <R extends Record> R section(Config config, String section, Class<R> type, Path file) {
        ValidatedConfig v = new PipelineValidator(Map.of(section, type), List.of())
                .validate(config.hasPath(section) ? config.withOnlyPath(section) : ConfigFactory.empty(),
                        NO_COMPONENTS, Set.of(), subject(file));
        return v.section(section, type);
    }

    private static final PipelineValidator.Components NO_COMPONENTS = new PipelineValidator.Components() {
        @Override
        public Map<String, PipelineValidator.Installed> installed(String stage) {
            return Map.of();
        }

        @Override
        public String stageTypeName(String stage) {
            return stage;
        }
    };

    /** {@code sd15} → configs/sd15.conf; an existing path as it is. */
    public static Path resolveConfigFile(Path given) {
        if (given == null) {
            return null;
        }
        if (Files.exists(given)) {
            return given.toAbsolutePath().normalize();
        }
        String name = given.toString().endsWith(".conf") ? given.toString() : given + ".conf";
        String dir = System.getenv("ASSAY_CONFIGS");
        for (Path base : new Path[] {dir == null ? null : Paths.get(dir), Paths.get("configs")}) {
            if (base != null && Files.isRegularFile(base.resolve(name))) {
                return base.resolve(name).toAbsolutePath().normalize();
            }
        }
        return given.toAbsolutePath().normalize(); // the loader reports it missing, naming the path
    }

    /** The distribution's plugins directory ({@code assay.home}/plugins), else ./plugins. */
    public static Path defaultPluginsDir() {
        String home = System.getProperty("assay.home");
        return home != null ? Paths.get(home, "plugins") : Paths.get("plugins");
    }

    /** A path with a leading {@code ~} expanded to the user's home. */
    public static Path expandHome(String p) {
        if (p.equals("~") || p.startsWith("~/")) {
            return Paths.get(System.getProperty("user.home") + p.substring(1));
        }
        return Paths.get(p);
    }

    /** Names a configuration in reports. */
    static String subject(Path file) {
        return file == null ? "the default configuration" : file.toString();
    }

    /** The plugin host. */
    public PluginHost host() {
        return host;
    }

    /** The model cache. */
    public OnnxSessions sessions() {
        return join(sessions);
    }

    private static OnnxSessions join(CompletableFuture<OnnxSessions> sessions) {
        try {
            return sessions.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new StageException(ErrorCode.RUNTIME_UNAVAILABLE, "ONNX Runtime cannot start: " + e.getCause(),
                    e.getCause());
        }
    }

    /** The pipeline file it was opened with, or null. */
    public Path userFile() {
        return userFile;
    }

    /** The overrides every run gets. */
    public List<String> baseSets() {
        return baseSets;
    }

    /** The base configuration with {@code sets} on top, validated with every generation stage. */
    public RunConfig configure(List<String> sets) {
        return configure(userFile, sets, null, null);
    }

    /**
     * A configuration, validated.
     *
     * @param file the pipeline file: the runtime's own, or another (an experiment's) layered over the runtime's own
     * @param sets overrides on top of the runtime's own
     * @param drop a section that is not part of the pipeline (e.g. {@code experiment}), or null
     * @param stages the stages to validate (null = every generation stage)
     */
    public RunConfig configure(Path file, List<String> sets, String drop, Set<String> stages) {
        Config underlay = underlay(file);
        List<String> all = new ArrayList<>(baseSets);
        all.addAll(sets);
        Config c = load(file, all, underlay, drop);
        ModelSettings model = section(c, "model", ModelSettings.class, file);
        if (model.dir() == null) {
            Config world = ConfigFactory.parseString("model.dir = " + ConfigLoader.quote(world(model).toString()),
                    ConfigParseOptions.defaults().setOriginDescription("embedded world"));
            c = load(file, all, underlay == null ? world : underlay.withFallback(world), drop);
        }
        for (StageKey k : StageKey.GENERATION) {
            String path = k.key() + ".name";
            if ((stages == null || stages.contains(k.key())) && c.hasPath(path)
                    && c.getValue(path).valueType() == com.typesafe.config.ConfigValueType.STRING) {
                host.require(k.type(), c.getString(path));
            }
        }
        ValidatedConfig v = new PipelineValidator(SECTIONS, STAGE_KEYS).validate(c,
                PipelineAssembler.validatorView(host.catalog()), stages, subject(file));
        ModelSettings m = v.section("model", ModelSettings.class);
        if (m.dir() != null && Files.isDirectory(m.dir())) {
            hashes.start(m.dir(), digestCache(m));
        }
        return new RunConfig(v, file);
    }

    /** A pipeline file's configuration as {@link #configure} layers it, unvalidated (to read extra sections). */
    public Config raw(Path file) {
        return load(file, baseSets, underlay(file), null);
    }

    /** The runtime's own pipeline file under another one, or null when it is that file (or there is none). */
    private Config underlay(Path file) {
        return file == null || userFile == null || file.equals(userFile) ? null
                : ConfigFactory.parseFile(userFile.toFile());
    }

    private Config load(Path file, List<String> sets, Config underlay, String drop) {
        Config c = loader.load(file, sets, underlay);
        return drop != null && c.hasPath(drop) ? c.withoutPath(drop) : c;
    }

    /** The embedded world for these model settings, built on first use and checked once per runtime. */
    private Path world(ModelSettings model) {
        CompletableFuture<Path> f = worlds.computeIfAbsent(worldKey(model), k -> CompletableFuture.completedFuture(
                buildWorld(model)));
        try {
            return f.join();
        } catch (java.util.concurrent.CompletionException e) {
            worlds.remove(worldKey(model), f);
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    private Path buildWorld(ModelSettings model) {
        WorldCompiler.Spec spec = WorldCompiler.Spec.defaults().withDenoiser("memorize".equals(model.worldDenoiser())
                ? WorldCompiler.Denoiser.MEMORIZE : WorldCompiler.Denoiser.LOCAL);
        return EmbeddedWorld.ensure(expandHome(model.cacheDir()), spec, model.worldDataset(),
                log::accept);
    }

    private static String worldKey(ModelSettings model) {
        return model.cacheDir() + "|" + model.worldDataset() + "|" + model.worldDenoiser();
    }

    /**
     * The model directory of the base configuration, building the embedded world when {@code model.dir} is unset
     * (for commands that need a model without a generation pipeline, such as curation's image–text filter).
     */
    public Path modelDir() {
        ModelSettings model = section(load(userFile, baseSets, null, null), "model", ModelSettings.class, userFile);
        return model.dir() != null ? model.dir() : world(model);
    }

    /** A whole generation pipeline for a configuration, built under one plugin lease. */
    public Assembled assemble(RunConfig c) {
        return new PipelineAssembler(host, c.baseDir()).assemble(c.validated());
    }

    /** One stage alone (e.g. the text encoder for {@code tokenize}), built under its own lease. */
    public <S extends Stage> SingleStage<S> single(RunConfig c, StageKey key, Class<S> type) {
        return new PipelineAssembler(host, c.baseDir()).single(c.validated(), key, type);
    }

    /** The request the run section describes; the size defaults to the model's native size. */
    public GenerationRequest request(RunConfig c, Assembled a) throws IOException {
        RunSettings run = c.run();
        int nativeSize = nativeSize(c.model().dir(), a.pipeline().autoencoder().downsamplingFactor());
        int width = run.width() != null ? run.width() : nativeSize;
        int height = run.height() != null ? run.height() : nativeSize;
        Tensor init = null;
        if (run.initImage() != null) {
            init = readInitImage(run.initImage(), run.maxInitPixels()).toTensor();
            if (run.width() == null && run.height() == null) {
                width = (int) init.dim(3);
                height = (int) init.dim(2);
            }
        }
        long pixels = (long) width * height * run.batch();
        if (pixels > run.maxPixels()) {
            throw new StageException(ErrorCode.INVALID_INPUT, "run.width × run.height × run.batch = " + width + " × "
                    + height + " × " + run.batch() + " = " + pixels + " pixels is over run.max-pixels ("
                    + run.maxPixels() + "); nothing was allocated. Raise run.max-pixels to allow it");
        }
        long seed = run.seed();
        if (seed == RANDOM_SEED) {
            // As A1111: -1 asks for a random seed; the one drawn is reported here and recorded in the image metadata.
            seed = new java.security.SecureRandom().nextInt(Integer.MAX_VALUE);
            log.accept("run.seed = -1: drew the random seed " + seed);
        }
        GenerationRequest r = new GenerationRequest(run.prompt(), run.negative(), seed, run.steps(), width,
                height, run.batch(), init, init == null ? 1.0 : run.strength(), run.initSampling());
        if (a.trace() != null) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("prompt", r.prompt());
            m.put("negative", r.negative());
            m.put("seed", r.seed());
            m.put("steps", r.steps());
            m.put("width", r.width());
            m.put("height", r.height());
            m.put("batch", r.batch());
            m.put("strength", r.strength());
            a.trace().put("request", m);
        }
        return r;
    }

    /** {@code run.seed} asking for a random seed per run. */
    public static final long RANDOM_SEED = -1;

    /**
     * What the user should know about a run before it starts, each one line: a prompt (or negative prompt) cut at
     * the text encoder's window, a prompt holding a literal special token such as {@code <|endoftext|>} (which the
     * tokenizer takes as that token, not as text), and steps or a guidance scale outside the ranges the scheduler
     * declares ({@link io.assay.sdk.diffusion.Recommended}). The CLI prints them and every image records them.
     */
    public List<String> warnings(RunConfig c, Assembled a, GenerationRequest r) {
        List<String> out = new ArrayList<>();
        String[][] texts = {{"run.prompt", r.prompt()}, {"run.negative", r.negative()}};
        for (String[] t : texts) {
            if (t[1] == null || t[1].isEmpty()) {
                continue;
            }
            io.assay.sdk.diffusion.TokenReport tr = a.pipeline().textEncoder().tokenize(t[1]);
            if (tr.truncated()) {
                int kept = tr.tokens().size() - tr.dropped().size();
                out.add(t[0] + " is " + tr.tokens().size() + " tokens; the text encoder keeps the first " + kept
                        + " and drops " + tr.dropped().size() + ": '" + String.join("", tr.dropped()).replace("</w>",
                        " ").strip() + "'");
            }
            List<String> special = tr.tokens().stream().filter(x -> x.matches("<\\|[a-z]+\\|>")).distinct().toList();
            if (!special.isEmpty()) {
                out.add(t[0] + " holds the literal special token" + (special.size() > 1 ? "s " : " ")
                        + String.join(", ", special) + ", which the tokenizer takes as " + (special.size() > 1
                        ? "those tokens" : "that token") + " rather than as text");
            }
        }
        ValidatedConfig.Selection sched = c.validated().stages().get("scheduler");
        if (sched != null) {
            Double scale = c.validated().config().hasPath("guidance.scale")
                    ? c.validated().config().getDouble("guidance.scale") : null;
            host.catalog().find(io.assay.sdk.diffusion.Scheduler.class, sched.canonicalName()).ifPresent(info ->
                    out.addAll(io.assay.sdk.diffusion.RecommendedRanges.warnings(info.extensionClass(),
                            "scheduler '" + sched.canonicalName() + "'", r.steps(), scale)));
        }
        return out;
    }

    /** Largest init image file read into memory. */
    static final long MAX_INIT_IMAGE_BYTES = 256L << 20;

    /**
     * An init image, its size read from the header before any pixel is decoded: a missing file, a directory, a
     * file too large, bytes no decoder knows, a truncated image or one declaring more than {@code maxPixels} pixels
     * is one line naming the path (INVALID_INPUT).
     */
    public static io.assay.sdk.tensor.RgbImage readInitImage(Path file, long maxPixels) {
        String where = "init image '" + file + "'";
        if (Files.isDirectory(file)) {
            throw new StageException(ErrorCode.INVALID_INPUT, where + " is a directory, not an image file");
        }
        if (!Files.isRegularFile(file)) {
            throw new StageException(ErrorCode.INVALID_INPUT, where + " does not exist");
        }
        try {
            long size = Files.size(file);
            if (size > MAX_INIT_IMAGE_BYTES) {
                throw new StageException(ErrorCode.INVALID_INPUT, where + " is " + size + " bytes, over the "
                        + MAX_INIT_IMAGE_BYTES + "-byte limit");
            }
            byte[] bytes = Files.readAllBytes(file);
            io.assay.sdk.curation.Images.Header h = io.assay.sdk.curation.Images.header(bytes);
            if (h.width() <= 0 || h.height() <= 0 || (long) h.width() * h.height() > maxPixels) {
                throw new StageException(ErrorCode.INVALID_INPUT, where + " declares " + h.width() + "x" + h.height()
                        + " pixels, over run.max-init-pixels (" + maxPixels + "); nothing was decoded");
            }
            // The pixels as before (PngFiles), now that the header says they fit.
            java.awt.image.BufferedImage bi = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(bytes));
            if (bi == null) {
                throw new StageException(ErrorCode.INVALID_INPUT, where + ": no decoder for this " + h.format()
                        + " image");
            }
            return PngFiles.fromBufferedImage(bi);
        } catch (io.assay.sdk.curation.Images.UnreadableImageException e) {
            throw new StageException(ErrorCode.INVALID_INPUT, where + ": " + e.getMessage());
        } catch (IOException | RuntimeException e) {
            if (e instanceof StageException s) {
                throw s;
            }
            throw new StageException(ErrorCode.INVALID_INPUT, where + ": broken image data (" + e.getMessage()
                    + ")");
        }
    }

    /** The model's native image size: unet/config.json sample_size × the autoencoder factor, else 512. */
    static int nativeSize(Path modelDir, int factor) {
        if (modelDir != null) {
            Path cfg = modelDir.resolve("unet").resolve("config.json");
            if (Files.isRegularFile(cfg)) {
                try {
                    JsonNode n = new ObjectMapper().readTree(cfg.toFile()).path("sample_size");
                    if (n.isInt()) {
                        return n.asInt() * factor;
                    }
                } catch (IOException e) {
                    throw new StageException(ErrorCode.MODEL_INVALID, "'" + cfg + "' is not valid JSON: "
                            + e.getMessage());
                }
            }
        }
        return 512;
    }

    /** PNG text chunks: the A1111-style {@code parameters} line and the full {@code assay} provenance. */
    public Map<String, String> metadata(RunConfig c, GenerationRequest request, GenerationResult result, int index) {
        return metadata(c, request, result, index, List.of());
    }

    /** Like {@link #metadata(RunConfig, GenerationRequest, GenerationResult, int)}, with the run's warnings. */
    public Map<String, String> metadata(RunConfig c, GenerationRequest request, GenerationResult result, int index,
            List<String> warnings) {
        Map<String, String> text = new LinkedHashMap<>();
        ValidatedConfig v = c.validated();
        text.put("parameters", Infotext.of(v, request, result, index));
        Map<String, Object> prov = new LinkedHashMap<>();
        prov.put("prompt", request.prompt());
        prov.put("negative", request.negative());
        prov.put("seed", request.seed());
        prov.put("seedDrawn", c.run().seed() == RANDOM_SEED);
        prov.put("warnings", warnings);
        prov.put("steps", request.steps());
        prov.put("size", request.width() + "x" + request.height());
        prov.put("batchIndex", index);
        prov.put("components", PipelineAssembler.components(v));
        prov.put("guidance", result.guidance());
        prov.put("sdk", SdkVersion.VERSION);
        prov.put("onnxruntime", sessions().ortVersion());
        prov.put("executionProviders", providers(c.model().dir()));
        prov.put("modelFilesSha256", modelFiles(c));
        prov.put("initialNoiseSha256", Hashes.sha256(result.initialNoise()));
        prov.put("timingsMillis", result.timingsMillis());
        prov.put("config", v.config().root().render(ConfigRenderOptions.concise().setFormatted(false)));
        try {
            text.put("assay", new ObjectMapper().writeValueAsString(prov));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return text;
    }

    /** The execution provider of each loaded model file of the model directory. */
    private Map<String, String> providers(Path modelDir) {
        Map<String, String> out = new TreeMap<>();
        String prefix = modelDir == null ? null : modelDir.toAbsolutePath().normalize() + "/";
        sessions().openProviders().forEach((file, provider) -> {
            if (prefix == null || file.startsWith(prefix)) {
                out.put(file, provider);
            }
        });
        return out;
    }

    /** SHA-256 of every file in {@code model.dir} (remembered in {@code model.cache-dir}), or empty if unset. */
    public Map<String, String> modelFiles(RunConfig c) {
        ModelSettings m = c.model();
        if (m.dir() == null || !Files.isDirectory(m.dir())) {
            return Map.of();
        }
        return hashes.get(m.dir(), digestCache(m));
    }

    private static Path digestCache(ModelSettings m) {
        return expandHome(m.cacheDir()).resolve("sha256.json");
    }

    /** Stops background work, releases every plugin and unloads every model. */
    @Override
    public void close() {
        background.shutdownNow();
        try {
            // A world build still running holds the cache's file lock in this JVM: the next runtime of the same
            // process (tests, embedding) would get OverlappingFileLockException instead of waiting its turn.
            background.awaitTermination(120, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        hashes.close();
        host.close();
        if (!sessions.isCompletedExceptionally()) {
            join(sessions).close();
        }
    }
}
