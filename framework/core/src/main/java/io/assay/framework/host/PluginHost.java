package io.assay.framework.host;

import com.google.inject.Injector;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.Stage;
import io.assay.sdk.StageContext;
import io.assay.sdk.StageException;
import io.assay.sdk.curation.DatasetWriter;
import io.assay.sdk.curation.RecordSource;
import io.assay.sdk.curation.ScraperFilter;
import io.assay.sdk.diffusion.Autoencoder;
import io.assay.sdk.diffusion.Denoiser;
import io.assay.sdk.diffusion.Guidance;
import io.assay.sdk.diffusion.NoiseSource;
import io.assay.sdk.diffusion.Scheduler;
import io.assay.sdk.diffusion.TextEncoder;
import io.assay.sdk.metrics.SimilarityMetric;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Collection;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;

/**
 * The plugin host: which plugin versions serve new runs, and which are pinned by runs in flight. It loads PF4J plugin
 * archives from a directory ({@link PluginArchives} checks them, {@link PluginVersion} loads them, {@link
 * ExtractionCache} unpacks them, {@link PluginWatcher} follows the directory), exposes their components by stage and
 * name, and builds stage instances.
 *
 * <p><b>Versions and leases.</b> A run takes a {@link Lease}, which pins the versions current at that moment.
 * Replacing or unloading a plugin makes new leases see the new state at once; the old version is released — PF4J
 * unloads it, its class loader is closed and becomes collectable — when the last lease pinning it closes.
 *
 * <p>A bad plugin (descriptor problems, an SDK range the host does not satisfy, host classes bundled inside, no
 * extension index, a component name another plugin already uses, a class that fails to load) is recorded with its
 * problem and never stops the others.
 *
 * <p><b>Lazy loading.</b> {@link #indexAll()} loads only archives whose components it does not know yet; the others
 * wait, indexed by the components their last load found (remembered per archive content), until {@link #require}
 * names one of their components. Anything that needs the whole picture (listing, watching, installing, a name no
 * index knows or two indexes share) loads every waiting archive first, so it sees what {@link #loadAll()} shows.
 */
public final class PluginHost implements AutoCloseable {

    private static final org.slf4j.Logger LOG = LoggerFactory.getLogger(PluginHost.class);
    /** The stage interfaces a component may implement (the last three since SDK 1.1). */
    public static final List<Class<? extends Stage>> STAGES = List.of(TextEncoder.class, Denoiser.class,
            Scheduler.class, Guidance.class, NoiseSource.class, Autoencoder.class, ScraperFilter.class,
            RecordSource.class, DatasetWriter.class, SimilarityMetric.class);

    private final Path pluginsDir;
    private final Injector hostInjector;
    private final WorkDir work;
    private final Path workDir;
    private final Map<String, PluginVersion> current = new TreeMap<>();
    private final Map<Path, PluginInfo> rejected = new TreeMap<>();
    private final Map<Path, FileTime> rejectedStamps = new TreeMap<>();
    private final List<PluginVersion> retiring = new ArrayList<>();
    /** Archives not loaded yet → the components their last load found ({@code Stage:name}, aliases included). */
    private final Map<Path, List<String>> waiting = new LinkedHashMap<>();
    private final List<Consumer<PluginEvent>> listeners = new CopyOnWriteArrayList<>();
    private int versionCounter;
    private PluginWatcher watcher;

    /** What happened to a plugin. */
    public enum EventKind {
        /** A plugin id was loaded for the first time. */
        INSTALLED,
        /** A new version replaced the current one. */
        REPLACED,
        /** The plugin no longer serves new runs. */
        UNLOADED,
        /** An archive was not loaded (see the message). */
        REFUSED,
        /** An old version's class loader was let go (its last run finished). */
        RELEASED
    }

    /**
     * A change of the installed plugins.
     *
     * @param kind what happened
     * @param pluginId the plugin
     * @param version the version concerned
     * @param message details (the problem for REFUSED)
     */
    public record PluginEvent(EventKind kind, String pluginId, String version, String message) {
    }

    private volatile ArchiveLimits archiveLimits = ArchiveLimits.DEFAULTS;

    /** Sets how big an archive may unpack (zip bombs); applies to archives loaded from now on. */
    public void archiveLimits(ArchiveLimits limits) {
        this.archiveLimits = limits;
    }

    /** A host over {@code pluginsDir}; call {@link #loadAll()} to load. */
    public PluginHost(Path pluginsDir, Injector hostInjector) {
        this.pluginsDir = pluginsDir.toAbsolutePath().normalize();
        this.hostInjector = hostInjector;
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        try {
            this.work = WorkDir.create(tmp);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a working directory for plugins in '" + tmp + "'", e);
        }
        this.workDir = work.dir();
        int removed = WorkDir.sweep(tmp, workDir, java.time.Instant.now());
        if (removed > 0) {
            LOG.debug("Removed {} plugin directories of hosts that ended without closing", removed);
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

    /**
     * Loads the archives whose components are not known yet (and plugin directories); the others wait until
     * {@link #require} names one of their components.
     */
    public synchronized void indexAll() {
        for (Path p : candidates()) {
            Optional<List<String>> index = Files.isRegularFile(p) ? ExtractionCache.recall(p, INDEX)
                    .flatMap(v -> v).map(v -> List.of(v.split("\n"))) : Optional.empty();
            if (index.isPresent()) {
                waiting.put(p, index.get());
            } else {
                load(p);
            }
        }
    }

    /**
     * Makes sure the component {@code name} of {@code stage} is loaded if an archive provides it: loads the one
     * waiting archive that does, or every waiting archive when none or several claim it (so the messages about a
     * missing or doubled name are the full ones).
     */
    public synchronized void require(Class<? extends Stage> stage, String name) {
        String entry = stage.getSimpleName() + ":" + name;
        List<Path> providers = waiting.entrySet().stream().filter(e -> e.getValue().contains(entry))
                .map(Map.Entry::getKey).toList();
        boolean loaded = catalogOf(current.values()).find(stage, name).isPresent();
        if (providers.isEmpty() && (loaded || waiting.isEmpty())) {
            return;
        }
        if (providers.size() == 1 && !loaded) {
            waiting.remove(providers.get(0));
            load(providers.get(0));
        } else {
            loadWaiting();
        }
    }

    /** Loads every archive still waiting. */
    private void loadWaiting() {
        for (Path p : new ArrayList<>(waiting.keySet())) {
            waiting.remove(p);
            load(p);
        }
    }

    /** The index fact's name: per host SDK, since the SDK decides what a component is. */
    private static final String INDEX = "components-" + io.assay.sdk.SdkVersion.VERSION;

    /** {@code Stage:name} of every component and alias of a version, one per line. */
    private static String index(PluginVersion v) {
        List<String> out = new ArrayList<>();
        for (ComponentInfo c : v.components()) {
            out.add(c.stage().getSimpleName() + ":" + c.name());
            c.aliases().forEach(a -> out.add(c.stage().getSimpleName() + ":" + a));
        }
        return String.join("\n", out);
    }

    /**
     * The project's own plugins (the distribution's {@code plugins/}). Their ids are reserved: they load before any
     * other archive, and a component name one of them uses cannot be taken by another plugin — the other plugin is
     * refused (or, if it came first, unloaded) naming both archives — so dropping a third-party archive into the
     * directory can add components but never silently replace {@code cfg} or {@code euler}.
     */
    public static final Set<String> BUILT_IN = Set.of("schedulers", "guidance", "noise", "onnx-sd", "curation",
            "curation-language", "curation-io");

    /** How long an extraction-cache entry no plugins directory of this host uses is kept after its last use. */
    static final Duration CACHE_KEEP = Duration.ofDays(30);

    private boolean cacheCollected;
    /** Archives refused because another archive of the same plugin id has a higher version. */
    private final Set<Path> superseded = new HashSet<>();

    /**
     * The archives and plugin directories to load, in load order: built-in plugins first, then the others by path.
     * When several archives declare one plugin id, only the highest version is a candidate (ties: the first path);
     * the others are recorded as refused, naming the archive that superseded them.
     */
    private List<Path> candidates() {
        if (!Files.isDirectory(pluginsDir)) {
            return List.of();
        }
        List<Path> listed;
        try (Stream<Path> s = Files.list(pluginsDir)) {
            listed = s.filter(p -> !p.getFileName().toString().startsWith("."))
                    .filter(p -> p.toString().endsWith(".zip")
                            || Files.isRegularFile(p.resolve("plugin.properties")))
                    .sorted(Comparator.comparing(Path::toString)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list plugins directory '" + pluginsDir + "'", e);
        }
        Map<String, Path> best = new LinkedHashMap<>();
        Map<Path, String[]> ids = new LinkedHashMap<>();
        List<Path> unreadable = new ArrayList<>();
        for (Path p : listed) {
            String[] idVersion = PluginArchives.peek(p);
            if (idVersion == null) {
                unreadable.add(p); // load() says what is wrong with it
                continue;
            }
            ids.put(p, idVersion);
            Path held = best.get(idVersion[0]);
            if (held == null || PluginArchives.compareVersions(idVersion[1], ids.get(held)[1]) > 0) {
                best.put(idVersion[0], p);
            }
        }
        List<Path> out = new ArrayList<>();
        for (Map.Entry<Path, String[]> e : ids.entrySet()) {
            Path p = e.getKey();
            String[] iv = e.getValue();
            Path winner = best.get(iv[0]);
            if (!winner.equals(p)) {
                String label = pluginsDir.relativize(p.toAbsolutePath()).toString();
                String winnerLabel = pluginsDir.relativize(winner.toAbsolutePath()).toString();
                String[] w = ids.get(winner);
                String why = "plugin '" + iv[0] + "@" + iv[1] + "' (" + label + ") is superseded by " + w[0] + "@"
                        + w[1] + " (" + winnerLabel + "): two archives declare plugin id '" + iv[0]
                        + "'; the highest version loads";
                if (!rejected.containsKey(p)) {
                    LOG.warn("Plugin '{}' REFUSED: {}", p.getFileName(), why);
                }
                rejected.put(p, new PluginInfo(iv[0], iv[1], null, null, p, PluginInfo.State.REFUSED, why,
                        Map.of()));
                superseded.add(p);
                waiting.remove(p);
                continue;
            }
            if (superseded.remove(p)) {
                rejected.remove(p);
            }
            out.add(p);
        }
        out.addAll(unreadable);
        List<Path> ordered = new ArrayList<>();
        out.stream().filter(p -> ids.containsKey(p) && BUILT_IN.contains(ids.get(p)[0])).forEach(ordered::add);
        out.stream().filter(p -> !ordered.contains(p)).forEach(ordered::add);
        if (!cacheCollected) {
            cacheCollected = true;
            List<String> removed = ExtractionCache.collect(ordered, CACHE_KEEP);
            if (!removed.isEmpty()) {
                LOG.info("Removed {} unused plugin extraction(s) from {}: {}", removed.size(),
                        ExtractionCache.root(), removed);
            }
        }
        return ordered;
    }

    /** Every plugin: started, retiring and refused, sorted by id. */
    public synchronized List<PluginInfo> plugins() {
        loadWaiting();
        List<PluginInfo> out = new ArrayList<>();
        for (PluginVersion v : current.values()) {
            out.add(info(v, PluginInfo.State.STARTED, null));
        }
        for (PluginVersion v : retiring) {
            out.add(info(v, PluginInfo.State.RETIRING, "replaced or unloaded; held by " + v.pins + " run(s)"));
        }
        out.addAll(rejected.values());
        out.sort(Comparator.comparing(PluginInfo::id).thenComparing(PluginInfo::version));
        return out;
    }

    private static PluginInfo info(PluginVersion v, PluginInfo.State state, String problem) {
        Map<String, List<String>> comps = new LinkedHashMap<>();
        for (ComponentInfo c : v.components()) {
            comps.computeIfAbsent(c.stage().getSimpleName(), k -> new ArrayList<>()).add(c.name());
        }
        PluginArchives.Descriptor d = v.descriptor;
        return new PluginInfo(d.id(), d.version(), d.requires(), d.description(), v.source, state, problem, comps);
    }

    /** The current components. */
    public synchronized ComponentCatalog catalog() {
        return catalogOf(current.values());
    }

    private static ComponentCatalog catalogOf(Collection<PluginVersion> versions) {
        Map<Class<? extends Stage>, Map<String, ComponentInfo>> m = new LinkedHashMap<>();
        for (PluginVersion v : versions) {
            for (ComponentInfo c : v.components()) {
                m.computeIfAbsent(c.stage(), k -> new TreeMap<>()).put(c.name(), c);
            }
        }
        return new ComponentCatalog(m);
    }

    /** Pins the current plugin versions for one run. */
    public synchronized Lease lease() {
        Map<String, PluginVersion> snapshot = new TreeMap<>(current);
        for (PluginVersion v : snapshot.values()) {
            v.pins++;
        }
        return new Lease(this, snapshot, catalogOf(snapshot.values()));
    }

    synchronized void release(Collection<PluginVersion> versions) {
        for (PluginVersion v : versions) {
            v.pins--;
            if (v.retired && v.pins == 0) {
                retiring.remove(v);
                dispose(v);
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
        return lease.version(c.pluginId()).create(c, stage, settings, ctx);
    }

    /** Copies an archive into the plugins directory (atomically) and loads it, replacing a plugin of the same id. */
    public synchronized PluginInfo install(Path archive) {
        loadWaiting();
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
        loadWaiting();
        PluginVersion v = current.get(pluginId);
        if (v == null) {
            throw new IllegalArgumentException("no plugin '" + pluginId + "' is loaded");
        }
        return load(v.source);
    }

    /** Unloads a plugin: new leases no longer see it; runs holding it finish on it. */
    public synchronized void unload(String pluginId) {
        loadWaiting();
        PluginVersion v = current.remove(pluginId);
        if (v != null) {
            retire(v);
            emit(new PluginEvent(EventKind.UNLOADED, v.id(), v.version(), ""));
        }
    }

    /** Loads (or replaces) the plugin at {@code path}; problems are recorded, not thrown. */
    synchronized PluginInfo load(Path path) {
        rejected.remove(path);
        PluginVersion v;
        try {
            PluginArchives.Descriptor d = PluginArchives.inspect(path,
                    pluginsDir.relativize(path.toAbsolutePath()).toString(), archiveLimits);
            // A built-in plugin is checked against the other built-ins only: a third-party plugin holding one of
            // its names is evicted below, not the built-in refused.
            Collection<PluginVersion> others = BUILT_IN.contains(d.id())
                    ? current.values().stream().filter(o -> BUILT_IN.contains(o.id())).toList() : current.values();
            v = PluginVersion.load(d, path, workDir.resolve("version-" + (++versionCounter)), hostInjector,
                    others, archiveLimits);
        } catch (Refusal r) {
            PluginInfo info = r.info(path);
            rejected.put(path, info);
            try {
                rejectedStamps.put(path, Files.getLastModifiedTime(path));
            } catch (IOException ignored) {
                rejectedStamps.remove(path);
            }
            LOG.warn("Plugin '{}' {}: {}", path.getFileName(), r.state, r.getMessage());
            emit(new PluginEvent(EventKind.REFUSED, r.id, r.version, r.getMessage()));
            return info;
        }
        PluginVersion old = current.put(v.id(), v);
        if (old != null) {
            retire(old);
        }
        if (BUILT_IN.contains(v.id())) {
            evictCollisions(v);
        }
        if (Files.isRegularFile(path)) {
            ExtractionCache.remember(path, INDEX, index(v));
        }
        LOG.info("Registered plugin '{}' with {} component(s)", v.descriptor.label(), v.components().size());
        emit(new PluginEvent(old == null ? EventKind.INSTALLED : EventKind.REPLACED, v.id(), v.version(),
                old == null ? "" : "replaces " + old.version()));
        return info(v, PluginInfo.State.STARTED, null);
    }

    /** Unloads every non-built-in plugin that holds a component name the built-in {@code builtIn} uses. */
    private void evictCollisions(PluginVersion builtIn) {
        for (PluginVersion o : new ArrayList<>(current.values())) {
            if (BUILT_IN.contains(o.id())) {
                continue;
            }
            for (ComponentInfo c : o.components()) {
                Optional<ComponentInfo> taken = builtIn.components().stream()
                        .filter(b -> b.stage() == c.stage() && b.name().equals(c.name())).findFirst();
                if (taken.isPresent()) {
                    String why = "two " + c.stage().getSimpleName() + " components named '" + c.name()
                            + "': built-in plugin " + builtIn.descriptor.label() + " (" + label(builtIn.source)
                            + ") and plugin " + o.descriptor.label() + " (" + label(o.source) + "); built-in plugins "
                            + "keep their names — rename the component of " + o.descriptor.label();
                    current.remove(o.id());
                    retire(o);
                    rejected.put(o.source, info(o, PluginInfo.State.REFUSED, why));
                    try {
                        rejectedStamps.put(o.source, Files.getLastModifiedTime(o.source));
                    } catch (IOException e) {
                        rejectedStamps.remove(o.source);
                    }
                    LOG.warn("Plugin '{}' REFUSED: {}", o.source.getFileName(), why);
                    emit(new PluginEvent(EventKind.REFUSED, o.id(), o.version(), why));
                    break;
                }
            }
        }
    }

    private String label(Path source) {
        return pluginsDir.relativize(source.toAbsolutePath()).toString();
    }

    private void retire(PluginVersion v) {
        v.retired = true;
        if (v.pins == 0) {
            dispose(v);
        } else {
            retiring.add(v);
        }
    }

    private void dispose(PluginVersion v) {
        v.dispose();
        emit(new PluginEvent(EventKind.RELEASED, v.id(), v.version(), ""));
    }

    /** Watches the plugins directory: new, replaced and removed archives are loaded, swapped and unloaded. */
    public synchronized void startWatching() {
        loadWaiting();
        if (watcher == null) {
            watcher = new PluginWatcher(pluginsDir, this::sync);
        }
    }

    /** Brings the loaded plugins in line with the directory: loads new and changed archives, unloads removed ones. */
    public synchronized void sync() {
        loadWaiting();
        List<Path> present = candidates();
        for (Path p : present) {
            PluginVersion v = bySource(p);
            try {
                boolean changed = v == null || !Files.getLastModifiedTime(p).equals(v.sourceStamp)
                        || Files.isRegularFile(p) && Files.size(p) != v.sourceSize;
                if (changed && (v != null || !rejected.containsKey(p) || rejectedChanged(p))) {
                    load(p);
                }
            } catch (IOException e) {
                LOG.warn("Cannot read '{}': {}", p, e.toString());
            }
        }
        for (PluginVersion v : new ArrayList<>(current.values())) {
            if (!present.contains(v.source)) {
                unload(v.id());
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

    private PluginVersion bySource(Path p) {
        for (PluginVersion v : current.values()) {
            if (v.source.equals(p)) {
                return v;
            }
        }
        return null;
    }

    /** Stops watching. */
    public synchronized void stopWatching() {
        if (watcher != null) {
            watcher.close();
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

    /** Stops watching and releases every version (runs must be finished). */
    @Override
    public synchronized void close() {
        stopWatching();
        for (PluginVersion v : new ArrayList<>(current.values())) {
            dispose(v);
        }
        current.clear();
        for (PluginVersion v : new ArrayList<>(retiring)) {
            dispose(v);
        }
        retiring.clear();
        try {
            work.close();
        } catch (IOException e) {
            LOG.debug("Could not delete '{}': {}", workDir, e.toString());
        }
    }
}
