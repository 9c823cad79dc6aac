package io.assay.framework.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import io.assay.framework.assembly.RunStageContext;
import io.assay.framework.assembly.StageKey;
import io.assay.framework.engine.GenerationRequest;
import io.assay.framework.engine.GenerationResult;
import io.assay.framework.engine.Pipeline;
import io.assay.framework.io.PngFiles;
import io.assay.framework.host.ComponentCatalog;
import io.assay.framework.host.ComponentInfo;
import io.assay.framework.host.Lease;
import io.assay.framework.host.PluginHost;
import io.assay.framework.settings.ConfigLoader;
import io.assay.sdk.settings.ConfigErrorsException;
import io.assay.sdk.settings.ConfigProblem;
import io.assay.sdk.settings.ConfigReport;
import io.assay.framework.settings.ModelSettings;
import io.assay.framework.settings.OutputSettings;
import io.assay.framework.settings.PipelineValidator;
import io.assay.framework.settings.PluginsSettings;
import io.assay.framework.settings.RunSettings;
import io.assay.framework.settings.ValidatedConfig;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.SdkVersion;
import io.assay.sdk.Stage;
import io.assay.sdk.StageException;
import io.assay.sdk.TraceSink;
import io.assay.sdk.diffusion.Autoencoder;
import io.assay.sdk.diffusion.Denoiser;
import io.assay.sdk.diffusion.Guidance;
import io.assay.sdk.diffusion.NoiseSource;
import io.assay.sdk.diffusion.Scheduler;
import io.assay.sdk.diffusion.TextEncoder;
import io.assay.sdk.onnx.OnnxRuntimeSettings;
import io.assay.sdk.onnx.OnnxSessions;
import io.assay.sdk.tensor.Tensor;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything a command needs between the command line and the engine: the resolved, validated configuration, the
 * plugin host with its plugins loaded, the ONNX session service, and pipeline assembly. One per command invocation.
 */
final class Workbench implements AutoCloseable {

    static final Map<String, Class<? extends Record>> SECTIONS = Map.of(
            "model", ModelSettings.class,
            "run", RunSettings.class,
            "output", OutputSettings.class,
            "plugins", PluginsSettings.class,
            "onnx", OnnxRuntimeSettings.class,
            "metrics", io.assay.framework.settings.MetricsSettings.class);

    private final ConfigLoader loader;
    private List<String> sets;
    private Config config;
    private boolean modelResolved;
    private boolean dropExperiment;
    private final Path userFile;
    private final PluginHost host;
    private final OnnxSessions sessions;
    private final PrintWriter err;
    private ValidatedConfig validated;

    private Workbench(ConfigLoader loader, List<String> sets, Config config, Path userFile, PluginHost host,
            OnnxSessions sessions, PrintWriter err) {
        this.loader = loader;
        this.sets = List.copyOf(sets);
        this.config = config;
        this.userFile = userFile;
        this.host = host;
        this.sessions = sessions;
        this.err = err;
    }

    /** Loads the configuration and the plugins (does not validate stages yet; {@link #validate} does). */
    static Workbench open(CommonOptions options, PrintWriter err) {
        Path file = resolveConfigFile(options.config);
        ConfigLoader loader = new ConfigLoader(ConfigLoader.frameworkReference());
        Config config = loader.load(file, options.sets, null);
        PluginsSettings plugins = bindSection(config, "plugins", PluginsSettings.class, file);
        Path pluginsDir = options.pluginsDir != null ? options.pluginsDir
                : plugins.dir() != null ? plugins.dir() : defaultPluginsDir();
        OnnxRuntimeSettings onnx = bindSection(config, "onnx", OnnxRuntimeSettings.class, file);
        OnnxSessions sessions = new OnnxSessions(onnx);
        Injector injector = Guice.createInjector(new AbstractModule() {
            @Override
            protected void configure() {
                bind(OnnxSessions.class).toInstance(sessions);
            }
        });
        PluginHost host = new PluginHost(pluginsDir, injector);
        host.loadAll();
        return new Workbench(loader, options.sets, config, file, host, sessions, err);
    }

    private static <R extends Record> R bindSection(Config config, String section, Class<R> type, Path file) {
        ValidatedConfig v = new PipelineValidator(Map.of(section, type), List.of())
                .validate(config.hasPath(section) ? config.withOnlyPath(section) : ConfigFactory.empty(),
                        NO_COMPONENTS, Set.of(), ConfigLoaderSubject.of(file));
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
    static Path resolveConfigFile(Path given) {
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

    static Path defaultPluginsDir() {
        String home = System.getProperty("assay.home");
        return home != null ? Paths.get(home, "plugins") : Paths.get("plugins");
    }

    static Path expandHome(String p) {
        if (p.equals("~") || p.startsWith("~/")) {
            return Paths.get(System.getProperty("user.home") + p.substring(1));
        }
        return Paths.get(p);
    }

    /** The plugin host. */
    PluginHost host() {
        return host;
    }

    /** The resolved configuration. */
    Config config() {
        return config;
    }

    /** The pipeline file, or null. */
    Path userFile() {
        return userFile;
    }

    /**
     * Re-resolves the configuration with {@code extra} overrides on top of the command line's (an experiment cell),
     * keeping the loaded plugins and open sessions.
     */
    void reconfigure(List<String> base, List<String> extra, String dropSection) {
        List<String> all = new java.util.ArrayList<>(base);
        all.addAll(extra);
        this.sets = List.copyOf(all);
        Config c = loader.load(userFile, sets, null);
        this.dropExperiment = dropSection != null;
        this.config = dropSection == null || !c.hasPath(dropSection) ? c : c.withoutPath(dropSection);
        this.modelResolved = false;
        this.validated = null;
    }

    /** The command line's overrides. */
    List<String> sets() {
        return sets;
    }

    /** The ONNX session service. */
    OnnxSessions sessions() {
        return sessions;
    }

    /**
     * Makes sure {@code model.dir} names a model: when it is unset, the embedded procedural world is built on first
     * use (into {@code model.cache-dir}) and the configuration is reloaded with it as a default.
     */
    private void resolveModel() {
        if (modelResolved) {
            return;
        }
        ModelSettings model = bindSection(config, "model", ModelSettings.class, userFile);
        if (model.dir() == null) {
            Path world = io.assay.framework.world.EmbeddedWorld.ensure(expandHome(model.cacheDir()),
                    io.assay.framework.world.WorldCompiler.Spec.defaults(), model.worldDataset(),
                    msg -> err.println("assay: " + msg));
            Config extra = ConfigFactory.parseString("model.dir = " + CommonOptions.quote(world.toString()),
                    ConfigParseOptions.defaults().setOriginDescription("embedded world"));
            Config c = loader.load(userFile, sets, extra);
            config = dropExperiment && c.hasPath("experiment") ? c.withoutPath("experiment") : c;
        }
        modelResolved = true;
    }

    /**
     * The model directory, building the embedded world when {@code model.dir} is unset (for commands that need a
     * model without a generation pipeline, such as curation's image–text filter).
     */
    Path modelDir() {
        resolveModel();
        return config.hasPath("model.dir") ? Paths.get(config.getString("model.dir")) : null;
    }

    /** Validates every section and the stages given (null = all generation stages). */
    ValidatedConfig validate(Set<String> stages) {
        resolveModel();
        if (validated == null || stages != null) {
            ValidatedConfig v = new PipelineValidator(SECTIONS, keys()).validate(config, components(), stages,
                    ConfigLoaderSubject.of(userFile));
            if (stages == null) {
                validated = v;
            }
            return v;
        }
        return validated;
    }

    private static List<String> keys() {
        List<String> out = new ArrayList<>();
        for (StageKey k : StageKey.GENERATION) {
            out.add(k.key());
        }
        return out;
    }

    /** The installed components as the validator sees them. */
    PipelineValidator.Components components() {
        ComponentCatalog catalog = host.catalog();
        return new PipelineValidator.Components() {
            @Override
            public Map<String, PipelineValidator.Installed> installed(String stage) {
                StageKey key = stageKey(stage);
                Map<String, PipelineValidator.Installed> out = new LinkedHashMap<>();
                for (ComponentInfo c : catalog.components(key.type())) {
                    PipelineValidator.Installed i = new PipelineValidator.Installed(c.name(), c.settingsType(),
                            c.pluginId() + " " + c.pluginVersion());
                    out.put(c.name(), i);
                    for (String alias : c.aliases()) {
                        out.putIfAbsent(alias, i);
                    }
                }
                return out;
            }

            @Override
            public String stageTypeName(String stage) {
                return stageKey(stage).type().getSimpleName();
            }
        };
    }

    static StageKey stageKey(String key) {
        for (StageKey k : StageKey.values()) {
            if (k.key().equals(key)) {
                return k;
            }
        }
        throw new IllegalArgumentException("not a stage: " + key);
    }

    RunSettings run() {
        return validate(null).section("run", RunSettings.class);
    }

    OutputSettings output() {
        return validate(null).section("output", OutputSettings.class);
    }

    /** A whole generation pipeline, built under one plugin lease. */
    Assembled assemble() {
        ValidatedConfig v = validate(null);
        boolean tracing = v.section("output", OutputSettings.class).trace();
        RunTraceRecorder trace = tracing ? new RunTraceRecorder() : null;
        Lease lease = host.lease();
        List<Stage> created = new ArrayList<>();
        try {
            Map<StageKey, Stage> stages = new LinkedHashMap<>();
            for (StageKey k : StageKey.GENERATION) {
                ValidatedConfig.Selection s = v.stages().get(k.key());
                TraceSink sink = trace == null ? TraceSink.NONE : trace.sink(k.key(), s.canonicalName());
                Stage stage = host.create(lease, k.type(), s.canonicalName(), s.settings(),
                        new RunStageContext(k.key(), s.canonicalName(), sink, () -> false, baseDir()));
                created.add(stage);
                stages.put(k, stage);
            }
            Pipeline p = new Pipeline((TextEncoder) stages.get(StageKey.TEXT_ENCODER),
                    (Denoiser) stages.get(StageKey.DENOISER), (Scheduler) stages.get(StageKey.SCHEDULER),
                    (Guidance) stages.get(StageKey.GUIDANCE), (NoiseSource) stages.get(StageKey.NOISE),
                    (Autoencoder) stages.get(StageKey.AUTOENCODER));
            Compatibility.check(p, v);
            if (trace != null) {
                trace.put("components", components(v));
            }
            return new Assembled(p, lease, created, trace, v);
        } catch (RuntimeException e) {
            closeAll(created);
            lease.close();
            throw e;
        }
    }

    /** One stage alone (e.g. the text encoder for {@code tokenize}), built under its own lease. */
    <S extends Stage> Single<S> single(StageKey key, Class<S> type) {
        ValidatedConfig v = validate(Set.of(key.key()));
        ValidatedConfig.Selection s = v.stages().get(key.key());
        Lease lease = host.lease();
        try {
            S stage = type.cast(host.create(lease, key.type(), s.canonicalName(), s.settings(),
                    new RunStageContext(key.key(), s.canonicalName(), TraceSink.NONE, () -> false, baseDir())));
            return new Single<>(stage, lease);
        } catch (RuntimeException e) {
            lease.close();
            throw e;
        }
    }

    private Path baseDir() {
        return userFile != null ? userFile.getParent() : Paths.get("").toAbsolutePath();
    }

    static Map<String, String> components(ValidatedConfig v) {
        Map<String, String> out = new LinkedHashMap<>();
        for (ValidatedConfig.Selection s : v.stages().values()) {
            out.put(s.stage(), s.canonicalName() + " (" + s.plugin() + ")");
        }
        return out;
    }

    /** The request the run section describes; the size defaults to the model's native size. */
    GenerationRequest request(Assembled a) throws IOException {
        RunSettings run = run();
        int factor = a.pipeline().autoencoder().downsamplingFactor();
        int nativeSize = nativeSize(v().config(), factor);
        int width = run.width() != null ? run.width() : nativeSize;
        int height = run.height() != null ? run.height() : nativeSize;
        Tensor init = null;
        if (run.initImage() != null) {
            if (!Files.isRegularFile(run.initImage())) {
                throw new StageException(ErrorCode.INVALID_INPUT, "init image '" + run.initImage()
                        + "' does not exist");
            }
            init = PngFiles.read(run.initImage()).toTensor();
            if (run.width() == null && run.height() == null) {
                width = (int) init.dim(3);
                height = (int) init.dim(2);
            }
        }
        GenerationRequest r = new GenerationRequest(run.prompt(), run.negative(), run.seed(), run.steps(), width,
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

    private ValidatedConfig v() {
        return validate(null);
    }

    /** The model's native image size: unet/config.json sample_size × the autoencoder factor, else 512. */
    static int nativeSize(Config config, int factor) {
        if (config.hasPath("model.dir")) {
            Path cfg = Paths.get(config.getString("model.dir")).resolve("unet").resolve("config.json");
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
    Map<String, String> metadata(Assembled a, GenerationRequest request, GenerationResult result, int index) {
        Map<String, String> text = new LinkedHashMap<>();
        ValidatedConfig v = a.config();
        text.put("parameters", Infotext.of(v, request, result, index));
        Map<String, Object> prov = new LinkedHashMap<>();
        prov.put("prompt", request.prompt());
        prov.put("negative", request.negative());
        prov.put("seed", request.seed());
        prov.put("steps", request.steps());
        prov.put("size", request.width() + "x" + request.height());
        prov.put("batchIndex", index);
        prov.put("components", components(v));
        prov.put("guidance", result.guidance());
        prov.put("sdk", SdkVersion.VERSION);
        prov.put("onnxruntime", sessions.ortVersion());
        prov.put("executionProviders", sessions.openProviders());
        prov.put("modelFilesSha256", modelFiles());
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

    private final Map<Path, Map<String, String>> modelFileDigests = new java.util.HashMap<>();

    /** SHA-256 of every file in {@code model.dir} (remembered in {@code model.cache-dir}), or empty if unset. */
    Map<String, String> modelFiles() {
        ModelSettings m = validate(null).section("model", ModelSettings.class);
        if (m.dir() == null || !Files.isDirectory(m.dir())) {
            return Map.of();
        }
        return modelFileDigests.computeIfAbsent(m.dir(), d -> {
            try {
                return io.assay.framework.io.ModelFiles.sha256(d, expandHome(m.cacheDir()).resolve("sha256.json"));
            } catch (IOException e) {
                throw new StageException(ErrorCode.MODEL_INVALID, "cannot hash the model files in '" + d + "': "
                        + e.getMessage(), e);
            }
        });
    }

    private static void closeAll(List<Stage> stages) {
        for (Stage s : stages) {
            try {
                s.close();
            } catch (RuntimeException ignored) {
                // closing is best effort on the failure path; the original error is what the user needs
            }
        }
    }

    @Override
    public void close() {
        host.close();
        sessions.close();
    }

    /** A pipeline and what it holds; closing releases the stages and then the lease. */
    record Assembled(Pipeline pipeline, Lease lease, List<Stage> stages, RunTraceRecorder trace,
            ValidatedConfig config) implements AutoCloseable {
        @Override
        public void close() {
            closeAll(stages);
            lease.close();
        }
    }

    /** One stage and its lease. */
    record Single<S extends Stage>(S stage, Lease lease) implements AutoCloseable {
        @Override
        public void close() {
            stage.close();
            lease.close();
        }
    }

    /** Names the configuration in reports. */
    static final class ConfigLoaderSubject {
        private ConfigLoaderSubject() {
        }

        static String of(Path file) {
            return file == null ? "the default configuration" : file.toString();
        }
    }

    static ConfigErrorsException single(ConfigProblem p, Path file) {
        ConfigReport r = new ConfigReport();
        r.error(p);
        return new ConfigErrorsException(r, ConfigLoaderSubject.of(file));
    }
}
