package io.assay.framework.host;

import com.google.inject.AbstractModule;
import com.google.inject.Binding;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.ProvisionException;
import com.google.inject.CreationException;
import io.assay.sdk.Component;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.SdkVersion;
import io.assay.sdk.Stage;
import io.assay.sdk.StageContext;
import io.assay.sdk.StageException;
import io.assay.sdk.curation.ScraperFilter;
import io.assay.sdk.diffusion.Autoencoder;
import io.assay.sdk.diffusion.Denoiser;
import io.assay.sdk.diffusion.Guidance;
import io.assay.sdk.diffusion.NoiseSource;
import io.assay.sdk.diffusion.Scheduler;
import io.assay.sdk.diffusion.TextEncoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;
import org.pf4j.DefaultVersionManager;
import org.pf4j.PluginState;
import org.pf4j.PluginWrapper;
import org.slf4j.LoggerFactory;

/**
 * The plugin host: loads PF4J plugin archives from a directory, exposes their components by stage and name, builds
 * stage instances with Guice, and replaces plugins while the host runs.
 *
 * <p><b>Generations.</b> Every loaded version of a plugin is a generation with its own PF4J manager, class loader and
 * standalone Guice injector (which re-binds the host's bindings by provider and binds the plugin's classes
 * explicitly, so nothing in the host's injector ever references a plugin class). A run takes a {@link Lease}, which
 * pins the generations current at that moment. Replacing or unloading a plugin makes new leases see the new state at
 * once; the old generation is released — PF4J unloads it, its class loader is closed and becomes collectable — when
 * the last lease pinning it closes.
 *
 * <p>A bad plugin (descriptor problems, an SDK range the host does not satisfy, host classes bundled inside, no
 * extension index, a component name another plugin already uses, a class that fails to load) is recorded with its
 * problem and never stops the others.
 */
public final class PluginHost implements AutoCloseable {

    private static final org.slf4j.Logger LOG = LoggerFactory.getLogger(PluginHost.class);
    private static final Pattern ID = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*");
    private static final Pattern SEMVER = Pattern.compile("\\d+\\.\\d+\\.\\d+(-[0-9A-Za-z.-]+)?");
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*");
    /** The stage interfaces a component may implement. */
    public static final List<Class<? extends Stage>> STAGES = List.of(TextEncoder.class, Denoiser.class,
            Scheduler.class, Guidance.class, NoiseSource.class, Autoencoder.class, ScraperFilter.class);

    private final Path pluginsDir;
    private final Injector hostInjector;
    private final Path workDir;
    private final Map<String, Generation> current = new TreeMap<>();
    private final Map<Path, PluginInfo> rejected = new TreeMap<>();
    private final Map<Path, FileTime> rejectedStamps = new TreeMap<>();
    private final List<Generation> retiring = new ArrayList<>();
    private final List<Consumer<PluginEvent>> listeners = new CopyOnWriteArrayList<>();
    private int generationCounter;
    private WatchService watchService;
    private Thread watcher;

    /** One loaded version of one plugin. */
    static final class Generation {
        final String id;
        final String version;
        final String requires;
        final String description;
        final Path source;
        final FileTime sourceStamp;
        final long sourceSize;
        Path root;
        GenerationManager manager;
        ClassLoader loader;
        Injector injector;
        List<ComponentInfo> components = List.of();
        int pins;
        boolean retired;

        Generation(String id, String version, String requires, String description, Path source, FileTime stamp,
                long size) {
            this.id = id;
            this.version = version;
            this.requires = requires;
            this.description = description;
            this.source = source;
            this.sourceStamp = stamp;
            this.sourceSize = size;
        }
    }

    /**
     * A change of the installed plugins.
     *
     * @param kind INSTALLED, REPLACED, UNLOADED, REFUSED or RELEASED (an old version's loader was let go)
     * @param pluginId the plugin
     * @param version the version concerned
     * @param message details (the problem for REFUSED)
     */
    public record PluginEvent(String kind, String pluginId, String version, String message) {
    }

    /** A host over {@code pluginsDir}; call {@link #loadAll()} to load. */
    public PluginHost(Path pluginsDir, Injector hostInjector) {
        this.pluginsDir = pluginsDir.toAbsolutePath().normalize();
        this.hostInjector = hostInjector;
        try {
            this.workDir = Files.createTempDirectory("assay-plugins-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a working directory for plugins", e);
        }
    }

    /** The directory plugins are loaded from. */
    public Path pluginsDir() {
        return pluginsDir;
    }

    /** Loads every plugin archive (zip) and plugin directory in the plugins directory. */
    public synchronized void loadAll() {
        for (Path p : candidates()) {
            load(p);
        }
    }

    private List<Path> candidates() {
        if (!Files.isDirectory(pluginsDir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(pluginsDir)) {
            return s.filter(p -> !p.getFileName().toString().startsWith("."))
                    .filter(p -> p.toString().endsWith(".zip")
                            || Files.isRegularFile(p.resolve("plugin.properties")))
                    .sorted(Comparator.comparing(Path::toString)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list plugins directory '" + pluginsDir + "'", e);
        }
    }

    /** Every plugin: started, retiring and refused, sorted by id. */
    public synchronized List<PluginInfo> plugins() {
        List<PluginInfo> out = new ArrayList<>();
        for (Generation g : current.values()) {
            out.add(info(g, PluginInfo.State.STARTED, null));
        }
        for (Generation g : retiring) {
            out.add(info(g, PluginInfo.State.RETIRING, "replaced or unloaded; held by " + g.pins + " run(s)"));
        }
        out.addAll(rejected.values());
        out.sort(Comparator.comparing(PluginInfo::id).thenComparing(PluginInfo::version));
        return out;
    }

    private static PluginInfo info(Generation g, PluginInfo.State state, String problem) {
        Map<String, List<String>> comps = new LinkedHashMap<>();
        for (ComponentInfo c : g.components) {
            comps.computeIfAbsent(stageName(c.stage()), k -> new ArrayList<>()).add(c.name());
        }
        return new PluginInfo(g.id, g.version, g.requires, g.description, g.source, state, problem, comps);
    }

    /** The SDK interface's simple name. */
    static String stageName(Class<? extends Stage> stage) {
        return stage.getSimpleName();
    }

    /** The current components. */
    public synchronized ComponentCatalog catalog() {
        return catalogOf(current.values());
    }

    private static ComponentCatalog catalogOf(Collection<Generation> gens) {
        Map<Class<? extends Stage>, Map<String, ComponentInfo>> m = new LinkedHashMap<>();
        for (Generation g : gens) {
            for (ComponentInfo c : g.components) {
                m.computeIfAbsent(c.stage(), k -> new TreeMap<>()).put(c.name(), c);
            }
        }
        return new ComponentCatalog(m);
    }

    /** Pins the current plugin versions for one run. */
    public synchronized Lease lease() {
        Map<String, Generation> snapshot = new TreeMap<>(current);
        for (Generation g : snapshot.values()) {
            g.pins++;
        }
        return new Lease(this, snapshot, catalogOf(snapshot.values()));
    }

    synchronized void release(Collection<Generation> gens) {
        for (Generation g : gens) {
            g.pins--;
            if (g.retired && g.pins == 0) {
                retiring.remove(g);
                dispose(g);
            }
        }
    }

    /**
     * Creates a new stage instance (never shared) from the version the lease pinned.
     *
     * @throws StageException {@code INVALID_SETTING} if no such component, {@code INTERNAL} if it cannot be built
     *     (a {@link StageException} thrown by the constructor is rethrown unchanged)
     */
    public <S extends Stage> S create(Lease lease, Class<S> stage, String name, Object settings, StageContext ctx) {
        if (lease.isClosed()) {
            throw new IllegalStateException("the lease is closed");
        }
        ComponentInfo c = lease.catalog().find(stage, name).orElseThrow(() -> new StageException(
                ErrorCode.INVALID_SETTING, "no " + stage.getSimpleName() + " named '" + name + "'; installed: "
                        + lease.catalog().names(stage)));
        Generation g = lease.generation(c.pluginId());
        Class<? extends Stage> ext = c.extensionClass();
        try (ContextClassLoaderSwap swap = new ContextClassLoaderSwap(g.loader)) {
            Injector child = g.injector.createChildInjector(new AbstractModule() {
                @Override
                @SuppressWarnings({"unchecked", "rawtypes"})
                protected void configure() {
                    binder().requireExplicitBindings();
                    if (settings != null) {
                        bind((Class) c.settingsType()).toInstance(settings);
                    }
                    bind(StageContext.class).toInstance(ctx);
                    bind(ext);
                }
            });
            return stage.cast(child.getInstance(ext));
        } catch (ProvisionException | CreationException e) {
            Throwable cause = e.getCause();
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof StageException se) {
                    throw se;
                }
            }
            throw new StageException(ErrorCode.INTERNAL, "component '" + name + "' of plugin " + c.pluginLabel()
                    + " could not be created: " + (cause != null ? cause : e.getMessage()), e);
        }
    }

    /** Copies an archive into the plugins directory (atomically) and loads it, replacing a plugin of the same id. */
    public synchronized PluginInfo install(Path archive) {
        Path target = pluginsDir.resolve(archive.getFileName().toString());
        try {
            Files.createDirectories(pluginsDir);
            Path tmp = Files.createTempFile(pluginsDir, ".install-", ".part");
            Files.copy(archive, tmp, StandardCopyOption.REPLACE_EXISTING);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy '" + archive + "' into '" + pluginsDir + "'", e);
        }
        return load(target);
    }

    /** Reloads a plugin from its source (e.g. after the archive changed). */
    public synchronized PluginInfo reload(String pluginId) {
        Generation g = current.get(pluginId);
        if (g == null) {
            throw new IllegalArgumentException("no plugin '" + pluginId + "' is loaded");
        }
        return load(g.source);
    }

    /** Unloads a plugin: new leases no longer see it; runs holding it finish on it. */
    public synchronized void unload(String pluginId) {
        Generation g = current.remove(pluginId);
        if (g != null) {
            retire(g);
            emit(new PluginEvent("UNLOADED", g.id, g.version, ""));
        }
    }

    /** Loads (or replaces) the plugin at {@code path}; problems are recorded, not thrown. */
    synchronized PluginInfo load(Path path) {
        rejected.remove(path);
        Generation g;
        try {
            g = open(path);
        } catch (Refusal r) {
            PluginInfo info = new PluginInfo(r.id, r.version, r.requires, "", path, r.state, r.getMessage(),
                    Map.of());
            rejected.put(path, info);
            try {
                rejectedStamps.put(path, Files.getLastModifiedTime(path));
            } catch (IOException ignored) {
                rejectedStamps.remove(path);
            }
            LOG.warn("Plugin '{}' {}: {}", path.getFileName(), r.state, r.getMessage());
            emit(new PluginEvent("REFUSED", r.id, r.version, r.getMessage()));
            return info;
        }
        Generation old = current.put(g.id, g);
        if (old != null) {
            retire(old);
        }
        LOG.info("Registered plugin '{}@{}' with {} component(s)", g.id, g.version, g.components.size());
        emit(new PluginEvent(old == null ? "INSTALLED" : "REPLACED", g.id, g.version,
                old == null ? "" : "replaces " + old.version));
        return info(g, PluginInfo.State.STARTED, null);
    }

    private void retire(Generation g) {
        g.retired = true;
        if (g.pins == 0) {
            dispose(g);
        } else {
            retiring.add(g);
        }
    }

    private void dispose(Generation g) {
        try {
            if (g.manager != null) {
                g.manager.unloadPlugins();
            }
        } catch (RuntimeException e) {
            LOG.warn("Unloading plugin '{}@{}' failed: {}", g.id, g.version, e.toString());
        }
        g.manager = null;
        g.loader = null;
        g.injector = null;
        g.components = List.of();
        deleteTree(g.root);
        emit(new PluginEvent("RELEASED", g.id, g.version, ""));
    }

    /** A plugin that is not loaded, with why. */
    private static final class Refusal extends Exception {
        private static final long serialVersionUID = 1L;
        final String id;
        final String version;
        final String requires;
        final PluginInfo.State state;

        Refusal(String id, String version, String requires, PluginInfo.State state, String message) {
            super(message);
            this.id = id == null ? "?" : id;
            this.version = version == null ? "?" : version;
            this.requires = requires == null ? "?" : requires;
            this.state = state;
        }
    }

    private Generation open(Path path) throws Refusal {
        String label = pluginsDir.relativize(path.toAbsolutePath()).toString();
        Properties d = descriptor(path, label);
        String id = d.getProperty("plugin.id");
        String version = d.getProperty("plugin.version");
        String requires = d.getProperty("plugin.requires");
        String description = d.getProperty("plugin.description");
        List<String> problems = new ArrayList<>();
        if (id == null || !ID.matcher(id).matches()) {
            problems.add("plugin.id: " + (id == null ? "missing" : "'" + id + "' is not kebab-case ([a-z][a-z0-9-]*)"));
        }
        if (version == null || !SEMVER.matcher(version).matches()) {
            problems.add("plugin.version: " + (version == null ? "missing" : "'" + version
                    + "' is not a semantic version such as 1.2.0"));
        }
        if (requires == null || requires.isBlank()) {
            problems.add("plugin.requires: missing; expected an SDK range such as '>=1.0.0 & <2.0.0'");
        }
        if (description == null || description.isBlank()) {
            problems.add("plugin.description: missing");
        }
        if (d.getProperty("plugin.dependencies", "").isBlank() == false) {
            problems.add("plugin.dependencies: plugin-to-plugin dependencies are not supported yet");
        }
        if (!problems.isEmpty()) {
            throw new Refusal(id, version, requires, PluginInfo.State.REFUSED, label + "/plugin.properties: "
                    + String.join("; ", problems));
        }
        String sdk = SdkVersion.VERSION.replaceFirst("-.*$", "");
        boolean compatible;
        try {
            compatible = new DefaultVersionManager().checkVersionConstraint(sdk, requires.trim());
        } catch (RuntimeException e) {
            throw new Refusal(id, version, requires, PluginInfo.State.REFUSED, label
                    + "/plugin.properties: plugin.requires: '" + requires + "' is not a version range ("
                    + e.getMessage() + ")");
        }
        if (!compatible) {
            throw new Refusal(id, version, requires, PluginInfo.State.REFUSED, "plugin '" + id + "@" + version
                    + "' requires SDK " + requires + " but this host provides SDK " + sdk);
        }
        String bundled = Files.isDirectory(path) ? bundledHostClass(path)
                : ExtractionCache.remembered(path, "scan", () -> bundledHostClass(path));
        if (bundled != null) {
            throw new Refusal(id, version, requires, PluginInfo.State.REFUSED, "plugin '" + id + "@" + version
                    + "' (" + label + ") bundles host-shared class " + bundled + "; the SDK, PF4J, ONNX Runtime, "
                    + "SLF4J and Guice come from the host: declare them with <scope>provided</scope>");
        }
        Generation g;
        try {
            g = new Generation(id, version, requires, description, path, Files.getLastModifiedTime(path),
                    Files.isRegularFile(path) ? Files.size(path) : -1);
        } catch (IOException e) {
            throw new Refusal(id, version, requires, PluginInfo.State.FAILED, "cannot read '" + path + "': " + e);
        }
        try {
            start(g, path);
        } catch (Refusal r) {
            dispose(g);
            throw r;
        } catch (RuntimeException | LinkageError e) {
            dispose(g);
            throw new Refusal(id, version, requires, PluginInfo.State.FAILED, "plugin '" + id + "@" + version
                    + "' failed to load: " + e);
        }
        return g;
    }

    private void start(Generation g, Path path) throws Refusal {
        Path root;
        try {
            root = workDir.resolve("gen-" + (++generationCounter));
            Files.createDirectories(root);
            if (Files.isDirectory(path)) {
                copyTree(path, root.resolve(g.id));
            } else {
                // The archive's extraction is cached by its path, size and time and shared read-only by every
                // generation and process that loads the same bytes; a generation links to it. Copying and
                // unzipping a 100 MB plugin on every start would dominate a CLI call.
                Files.createSymbolicLink(root.resolve(g.id), ExtractionCache.extracted(path));
            }
        } catch (IOException e) {
            throw new Refusal(g.id, g.version, g.requires, PluginInfo.State.FAILED, "cannot stage plugin: " + e);
        }
        g.root = root;
        g.manager = new GenerationManager(root);
        g.manager.loadPlugins();
        PluginWrapper w = g.manager.getPlugin(g.id);
        if (w == null) {
            throw new Refusal(g.id, g.version, g.requires, PluginInfo.State.FAILED, "PF4J did not load plugin '"
                    + g.id + "' from " + path);
        }
        PluginState state = g.manager.startPlugin(g.id);
        if (state != PluginState.STARTED) {
            throw new Refusal(g.id, g.version, g.requires, PluginInfo.State.FAILED, "plugin '" + g.id
                    + "' did not start (state " + state + ")" + (w.getFailedException() != null ? ": "
                    + w.getFailedException() : ""));
        }
        g.loader = w.getPluginClassLoader();
        List<ComponentInfo> comps = new ArrayList<>();
        java.util.Set<String> names = g.manager.getExtensionClassNames(g.id);
        if (names == null || names.isEmpty()) {
            throw new Refusal(g.id, g.version, g.requires, PluginInfo.State.REFUSED, "plugin '" + g.id + "@"
                    + g.version + "' has no extensions: META-INF/extensions.idx is missing or empty (compile with "
                    + "the PF4J annotation processor: org.pf4j:pf4j in annotationProcessorPaths)");
        }
        for (String cn : new java.util.TreeSet<>(names)) {
            comps.add(component(g, cn));
        }
        synchronized (this) {
            for (ComponentInfo c : comps) {
                for (Generation other : current.values()) {
                    if (other.id.equals(g.id)) {
                        continue;
                    }
                    for (ComponentInfo o : other.components) {
                        if (o.stage() == c.stage() && o.name().equals(c.name())) {
                            throw new Refusal(g.id, g.version, g.requires, PluginInfo.State.REFUSED, "two "
                                    + stageName(c.stage()) + " components named '" + c.name() + "': plugin "
                                    + o.pluginLabel() + " (" + o.extensionClass().getName() + ") and plugin "
                                    + g.id + "@" + g.version + " (" + c.extensionClass().getName()
                                    + "); the second was refused");
                        }
                    }
                }
            }
        }
        g.components = List.copyOf(comps);
        g.injector = pluginInjector(g);
    }

    @SuppressWarnings("unchecked")
    private ComponentInfo component(Generation g, String className) throws Refusal {
        Class<?> cls;
        try (ContextClassLoaderSwap swap = new ContextClassLoaderSwap(g.loader)) {
            cls = Class.forName(className, true, g.loader);
        } catch (ClassNotFoundException | LinkageError e) {
            Throwable cause = e instanceof ExceptionInInitializerError ei && ei.getCause() != null ? ei.getCause() : e;
            throw new Refusal(g.id, g.version, g.requires, PluginInfo.State.FAILED, "plugin '" + g.id + "@"
                    + g.version + "': extension " + className + " cannot be loaded: " + cause);
        }
        Component ann = cls.getAnnotation(Component.class);
        if (ann == null) {
            throw new Refusal(g.id, g.version, g.requires, PluginInfo.State.REFUSED, "plugin '" + g.id + "@"
                    + g.version + "': extension " + className + " has no @io.assay.sdk.Component annotation "
                    + "(it gives the component its name and settings)");
        }
        if (!NAME.matcher(ann.name()).matches()) {
            throw new Refusal(g.id, g.version, g.requires, PluginInfo.State.REFUSED, "plugin '" + g.id + "@"
                    + g.version + "': component name '" + ann.name() + "' of " + className
                    + " is not kebab-case ([a-z][a-z0-9-]*)");
        }
        List<Class<? extends Stage>> stages = new ArrayList<>();
        for (Class<? extends Stage> s : STAGES) {
            if (s.isAssignableFrom(cls)) {
                stages.add(s);
            }
        }
        if (stages.size() != 1) {
            throw new Refusal(g.id, g.version, g.requires, PluginInfo.State.REFUSED, "plugin '" + g.id + "@"
                    + g.version + "': extension " + className + " must implement exactly one stage interface "
                    + "(TextEncoder, Denoiser, Scheduler, Guidance, NoiseSource, Autoencoder, ScraperFilter), "
                    + "found " + stages.size());
        }
        return new ComponentInfo(stages.get(0), ann.name(), List.of(ann.aliases()), ann.description(),
                ann.settings(), (Class<? extends Stage>) cls, g.id, g.version);
    }

    /**
     * A standalone injector for one generation: the host's bindings re-bound by provider (so host singletons stay
     * shared), the plugin's extension classes bound explicitly. Nothing of it is reachable from the host's injector,
     * so releasing the generation releases its class loader.
     */
    private Injector pluginInjector(Generation g) {
        List<ComponentInfo> comps = g.components;
        return Guice.createInjector(new AbstractModule() {
            @Override
            @SuppressWarnings({"unchecked", "rawtypes"})
            protected void configure() {
                for (Map.Entry<Key<?>, Binding<?>> e : hostInjector.getBindings().entrySet()) {
                    Class<?> raw = e.getKey().getTypeLiteral().getRawType();
                    if (raw == Injector.class || raw == Logger.class || raw == com.google.inject.Stage.class) {
                        continue;
                    }
                    bind((Key) e.getKey()).toProvider((com.google.inject.Provider) e.getValue().getProvider());
                }
            }
        });
    }

    private static Properties descriptor(Path path, String label) throws Refusal {
        Properties p = new Properties();
        try {
            if (Files.isDirectory(path)) {
                try (InputStream in = Files.newInputStream(path.resolve("plugin.properties"))) {
                    p.load(in);
                }
            } else {
                try (ZipFile zip = new ZipFile(path.toFile())) {
                    ZipEntry e = zip.getEntry("plugin.properties");
                    if (e == null) {
                        throw new Refusal(null, null, null, PluginInfo.State.REFUSED, label
                                + ": no plugin.properties at the archive root");
                    }
                    try (InputStream in = zip.getInputStream(e)) {
                        p.load(in);
                    }
                }
            }
        } catch (IOException e) {
            throw new Refusal(null, null, null, PluginInfo.State.REFUSED, label + ": not a readable plugin archive ("
                    + e.getMessage() + ")");
        }
        return p;
    }

    /** The first host-shared class found inside the archive (classes/ or lib/*.jar), or null. */
    private static String bundledHostClass(Path path) throws Refusal {
        if (Files.isDirectory(path)) {
            try (Stream<Path> s = Files.walk(path)) {
                for (Path f : (Iterable<Path>) s::iterator) {
                    String rel = path.relativize(f).toString().replace('\\', '/');
                    if (SharedPackages.isSharedEntry(rel)) {
                        return rel;
                    }
                    if (rel.startsWith("lib/") && rel.endsWith(".jar")) {
                        try (InputStream in = Files.newInputStream(f)) {
                            String hit = scanJar(in);
                            if (hit != null) {
                                return rel + "!/" + hit;
                            }
                        }
                    }
                }
            } catch (IOException e) {
                throw new Refusal(null, null, null, PluginInfo.State.FAILED, "cannot read '" + path + "': " + e);
            }
            return null;
        }
        try (ZipFile zip = new ZipFile(path.toFile())) {
            for (ZipEntry e : java.util.Collections.list(zip.entries())) {
                if (SharedPackages.isSharedEntry(e.getName())) {
                    return e.getName();
                }
                if (e.getName().startsWith("lib/") && e.getName().endsWith(".jar")) {
                    try (InputStream in = zip.getInputStream(e)) {
                        String hit = scanJar(in);
                        if (hit != null) {
                            return e.getName() + "!/" + hit;
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new Refusal(null, null, null, PluginInfo.State.REFUSED, "'" + path + "' is not a readable zip: "
                    + e.getMessage());
        }
        return null;
    }

    private static String scanJar(InputStream in) throws IOException {
        ZipInputStream z = new ZipInputStream(in);
        for (ZipEntry e; (e = z.getNextEntry()) != null; ) {
            if (SharedPackages.isSharedEntry(e.getName())) {
                return e.getName();
            }
        }
        return null;
    }

    /** Watches the plugins directory: new, replaced and removed archives are loaded, swapped and unloaded. */
    public synchronized void startWatching() {
        if (watcher != null) {
            return;
        }
        try {
            Files.createDirectories(pluginsDir);
            watchService = FileSystems.getDefault().newWatchService();
            pluginsDir.register(watchService, StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot watch '" + pluginsDir + "'", e);
        }
        watcher = new Thread(this::watchLoop, "assay-plugin-watcher");
        watcher.setDaemon(true);
        watcher.start();
    }

    private void watchLoop() {
        try {
            while (true) {
                WatchKey key = watchService.take();
                // Debounce: a copy arrives as several events; settle before syncing.
                Thread.sleep(250);
                while (watchService.poll(150, TimeUnit.MILLISECONDS) != null) {
                    // drain
                }
                key.pollEvents();
                key.reset();
                sync();
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Brings the loaded plugins in line with the directory: loads new and changed archives, unloads removed ones. */
    public synchronized void sync() {
        List<Path> present = candidates();
        for (Path p : present) {
            Generation g = bySource(p);
            try {
                boolean changed = g == null || !Files.getLastModifiedTime(p).equals(g.sourceStamp)
                        || Files.isRegularFile(p) && Files.size(p) != g.sourceSize;
                if (changed && (g != null || !rejected.containsKey(p) || rejectedChanged(p))) {
                    load(p);
                }
            } catch (IOException e) {
                LOG.warn("Cannot read '{}': {}", p, e.toString());
            }
        }
        for (Generation g : new ArrayList<>(current.values())) {
            if (!present.contains(g.source)) {
                unload(g.id);
            }
        }
    }

    private boolean rejectedChanged(Path p) {
        try {
            FileTime now = Files.getLastModifiedTime(p);
            return !now.equals(rejectedStamps.get(p));
        } catch (IOException e) {
            return true;
        }
    }

    private Generation bySource(Path p) {
        for (Generation g : current.values()) {
            if (g.source.equals(p)) {
                return g;
            }
        }
        return null;
    }

    /** Stops watching. */
    public synchronized void stopWatching() {
        if (watcher != null) {
            watcher.interrupt();
            try {
                watchService.close();
            } catch (IOException ignored) {
                // closing a watch service only fails if already closed
            }
            watcher = null;
        }
    }

    /** Adds a listener for plugin events. */
    public void addListener(Consumer<PluginEvent> l) {
        listeners.add(l);
    }

    private void emit(PluginEvent e) {
        for (Consumer<PluginEvent> l : listeners) {
            l.accept(e);
        }
    }

    /** Stops watching and releases every generation (runs must be finished). */
    @Override
    public synchronized void close() {
        stopWatching();
        for (Generation g : new ArrayList<>(current.values())) {
            dispose(g);
        }
        current.clear();
        for (Generation g : new ArrayList<>(retiring)) {
            dispose(g);
        }
        retiring.clear();
        deleteTree(workDir);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path d = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(d);
                } else {
                    Files.copy(p, d);
                }
            }
        }
    }

    private static void deleteTree(Path p) {
        if (p == null || !Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(q);
            }
        } catch (IOException e) {
            LOG.debug("Could not delete '{}': {}", p, e.toString());
        }
    }
}
