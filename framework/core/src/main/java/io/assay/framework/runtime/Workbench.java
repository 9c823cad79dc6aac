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
import io.assay.framework.io.Hashes;
import io.assay.framework.engine.GenerationRequest;
import io.assay.framework.engine.GenerationResult;
import io.assay.framework.engine.Pipeline;
import io.assay.framework.io.PngFiles;
import io.assay.framework.host.PluginHost;
import io.assay.framework.settings.ConfigLoader;
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
import java.util.function.Consumer;

/**
 * Everything a command needs between its options and the engine: the resolved, validated configuration, the plugin
 * host with its plugins loaded, the ONNX session service, the model (the embedded world when none is configured),
 * pipeline assembly, and the provenance of what a run wrote.
 */
public final class Workbench implements AutoCloseable {

    /** The framework's configuration sections and their settings records. */
    public static final Map<String, Class<? extends Record>> SECTIONS = Map.of(
            "model", ModelSettings.class,
            "run", RunSettings.class,
            "output", OutputSettings.class,
            "plugins", PluginsSettings.class,
            "onnx", OnnxRuntimeSettings.class,
            "metrics", io.assay.framework.settings.MetricsSettings.class);

    private final ConfigLoader loader;
    private final List<String> baseSets;
    private List<String> sets;
    private Config config;
    private boolean modelResolved;
    private boolean dropExperiment;
    private final Path userFile;
    private final PluginHost host;
    private final OnnxSessions sessions;
    private final PipelineAssembler assembler;
    private final Consumer<String> log;
    private ValidatedConfig validated;

    private Workbench(ConfigLoader loader, List<String> sets, Config config, Path userFile, PluginHost host,
            OnnxSessions sessions, Consumer<String> log) {
        this.loader = loader;
        this.baseSets = List.copyOf(sets);
        this.sets = baseSets;
        this.config = config;
        this.userFile = userFile;
        this.host = host;
        this.sessions = sessions;
        this.log = log;
        this.assembler = new PipelineAssembler(host, userFile != null ? userFile.getParent()
                : Paths.get("").toAbsolutePath());
    }

    /**
     * Loads the configuration and the plugins (does not validate stages yet; {@link #validate} does).
     *
     * @param configFile the pipeline file (a bare name means {@code configs/<name>.conf}), or null for the defaults
     * @param sets {@code path=value} overrides
     * @param pluginsDirOption the plugins directory, or null for {@code plugins.dir} or the distribution's
     * @param log where progress notes go (e.g. building the embedded world)
     */
    public static Workbench open(Path configFile, List<String> sets, Path pluginsDirOption, Consumer<String> log) {
        Path file = resolveConfigFile(configFile);
        ConfigLoader loader = new ConfigLoader(ConfigLoader.frameworkReference());
        Config config = loader.load(file, sets, null);
        PluginsSettings plugins = bindSection(config, "plugins", PluginsSettings.class, file);
        Path pluginsDir = pluginsDirOption != null ? pluginsDirOption
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
        return new Workbench(loader, sets, config, file, host, sessions, log);
    }

    private static <R extends Record> R bindSection(Config config, String section, Class<R> type, Path file) {
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

    /** The plugin host. */
    public PluginHost host() {
        return host;
    }

    /** The resolved configuration. */
    public Config config() {
        return config;
    }

    /** The pipeline file, or null. */
    public Path userFile() {
        return userFile;
    }

    /**
     * Re-resolves the configuration with {@code extra} overrides on top of the command line's (an experiment cell),
     * keeping the loaded plugins and open sessions.
     */
    public void reconfigure(List<String> base, List<String> extra, String dropSection) {
        List<String> all = new java.util.ArrayList<>(base);
        all.addAll(extra);
        this.sets = List.copyOf(all);
        Config c = loader.load(userFile, sets, null);
        this.dropExperiment = dropSection != null;
        this.config = dropSection == null || !c.hasPath(dropSection) ? c : c.withoutPath(dropSection);
        this.modelResolved = false;
        this.validated = null;
    }

    /** The overrides in effect (the ones it was opened with plus the last {@link #reconfigure}'s). */
    public List<String> sets() {
        return sets;
    }

    /** The overrides it was opened with. */
    public List<String> baseSets() {
        return baseSets;
    }

    /** The ONNX session service. */
    public OnnxSessions sessions() {
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
                    io.assay.framework.world.WorldCompiler.Spec.defaults(), model.worldDataset(), log::accept);
            Config extra = ConfigFactory.parseString("model.dir = " + ConfigLoader.quote(world.toString()),
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
    public Path modelDir() {
        resolveModel();
        return config.hasPath("model.dir") ? Paths.get(config.getString("model.dir")) : null;
    }

    /** Validates every section and the stages given (null = all generation stages). */
    public ValidatedConfig validate(Set<String> stages) {
        resolveModel();
        if (validated == null || stages != null) {
            ValidatedConfig v = new PipelineValidator(SECTIONS, keys()).validate(config,
                    PipelineAssembler.validatorView(host.catalog()), stages, subject(userFile));
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

    public RunSettings run() {
        return validate(null).section("run", RunSettings.class);
    }

    public OutputSettings output() {
        return validate(null).section("output", OutputSettings.class);
    }

    /** A whole generation pipeline for the current configuration, built under one plugin lease. */
    public Assembled assemble() {
        return assembler.assemble(validate(null));
    }

    /** One stage alone (e.g. the text encoder for {@code tokenize}), built under its own lease. */
    public <S extends Stage> SingleStage<S> single(StageKey key, Class<S> type) {
        return assembler.single(validate(Set.of(key.key())), key, type);
    }

    /** The request the run section describes; the size defaults to the model's native size. */
    public GenerationRequest request(Assembled a) throws IOException {
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
    public Map<String, String> metadata(Assembled a, GenerationRequest request, GenerationResult result, int index) {
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
        prov.put("components", PipelineAssembler.components(v));
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
    public Map<String, String> modelFiles() {
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

    @Override
    public void close() {
        host.close();
        sessions.close();
    }

    /** Names the configuration in reports. */
    static String subject(Path file) {
        return file == null ? "the default configuration" : file.toString();
    }
}
