package io.assay.framework.host;

import com.google.inject.AbstractModule;
import com.google.inject.Binding;
import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.ProvisionException;
import io.assay.framework.io.FileTrees;
import io.assay.sdk.Component;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.Stage;
import io.assay.sdk.StageContext;
import io.assay.sdk.StageException;
import io.assay.sdk.settings.SettingsDeclaration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import org.pf4j.PluginState;
import org.pf4j.PluginWrapper;
import org.slf4j.LoggerFactory;

/**
 * One loaded version of one plugin: its own PF4J manager over a private root, its class loader, its components and a
 * standalone Guice injector (the host's bindings re-bound by provider, so host singletons stay shared and nothing in
 * the host's injector ever references a plugin class). {@link PluginHost} decides which version is current and how
 * many runs pin it; this class only loads, instantiates and disposes.
 */
final class PluginVersion {

    private static final org.slf4j.Logger LOG = LoggerFactory.getLogger(PluginVersion.class);
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*");

    final PluginArchives.Descriptor descriptor;
    final Path source;
    final FileTime sourceStamp;
    final long sourceSize;
    private Path root;
    private PluginVersionManager manager;
    private ClassLoader loader;
    private Injector injector;
    private List<ComponentInfo> components = List.of();
    /** Runs holding this version (guarded by the host). */
    int pins;
    /** Replaced or unloaded: disposed when the last pin goes (guarded by the host). */
    boolean retired;

    private PluginVersion(PluginArchives.Descriptor descriptor, Path source, FileTime stamp, long size) {
        this.descriptor = descriptor;
        this.source = source;
        this.sourceStamp = stamp;
        this.sourceSize = size;
    }

    String id() {
        return descriptor.id();
    }

    String version() {
        return descriptor.version();
    }

    List<ComponentInfo> components() {
        return components;
    }

    /**
     * Loads and starts the archive at {@code source} into {@code root}.
     *
     * @param others the versions currently serving (a component name one of them uses is refused)
     * @throws Refusal when PF4J cannot start it, it has no extensions, an extension is unusable or a name is taken
     */
    static PluginVersion load(PluginArchives.Descriptor d, Path source, Path root, Injector hostInjector,
            Collection<PluginVersion> others, ArchiveLimits limits) throws Refusal {
        PluginVersion v;
        try {
            v = new PluginVersion(d, source, Files.getLastModifiedTime(source),
                    Files.isRegularFile(source) ? Files.size(source) : -1);
        } catch (IOException e) {
            throw Refusal.of(d, PluginInfo.State.FAILED, "cannot read '" + source + "': " + e);
        }
        try {
            v.start(root, others, limits);
            v.injector = v.standaloneInjector(hostInjector);
            return v;
        } catch (Refusal r) {
            v.dispose();
            throw r;
        } catch (RuntimeException | LinkageError e) {
            v.dispose();
            throw Refusal.of(d, PluginInfo.State.FAILED, "plugin '" + d.label() + "' failed to load: " + e);
        }
    }

    private void start(Path root, Collection<PluginVersion> others, ArchiveLimits limits) throws Refusal {
        String id = id();
        try {
            Files.createDirectories(root);
            if (Files.isDirectory(source)) {
                FileTrees.copy(source, root.resolve(id));
            } else {
                // The archive's extraction is cached by its path, size and time and shared read-only by every
                // version and process that loads the same bytes; a version links to it. Copying and unzipping a
                // 100 MB plugin on every start would dominate a CLI call.
                Files.createSymbolicLink(root.resolve(id), ExtractionCache.extracted(source, limits));
            }
        } catch (IOException e) {
            throw Refusal.of(descriptor, PluginInfo.State.FAILED, "cannot stage plugin: " + e);
        }
        this.root = root;
        manager = new PluginVersionManager(root);
        manager.loadPlugins();
        PluginWrapper w = manager.getPlugin(id);
        if (w == null) {
            throw Refusal.of(descriptor, PluginInfo.State.FAILED, "PF4J did not load plugin '" + id + "' from "
                    + source);
        }
        PluginState state = manager.startPlugin(id);
        if (state != PluginState.STARTED) {
            throw Refusal.of(descriptor, PluginInfo.State.FAILED, "plugin '" + id + "' did not start (state " + state
                    + ")" + (w.getFailedException() != null ? ": " + w.getFailedException() : ""));
        }
        loader = w.getPluginClassLoader();
        Set<String> names = manager.getExtensionClassNames(id);
        if (names == null || names.isEmpty()) {
            throw Refusal.of(descriptor, PluginInfo.State.REFUSED, "plugin '" + descriptor.label() + "' has no "
                    + "extensions: META-INF/extensions.idx is missing or empty (compile with the PF4J annotation "
                    + "processor: org.pf4j:pf4j in annotationProcessorPaths)");
        }
        List<ComponentInfo> comps = new ArrayList<>();
        for (String cn : new TreeSet<>(names)) {
            comps.add(component(cn));
        }
        for (ComponentInfo c : comps) {
            for (PluginVersion other : others) {
                if (other.id().equals(id)) {
                    continue;
                }
                for (ComponentInfo o : other.components) {
                    if (o.stage() == c.stage() && o.name().equals(c.name())) {
                        throw Refusal.of(descriptor, PluginInfo.State.REFUSED, "two " + c.stage().getSimpleName()
                                + " components named '" + c.name() + "': plugin " + o.pluginLabel() + " ("
                                + o.extensionClass().getName() + ") and plugin " + descriptor.label() + " ("
                                + c.extensionClass().getName() + "); the second was refused");
                    }
                }
            }
        }
        components = List.copyOf(comps);
    }

    @SuppressWarnings("unchecked")
    private ComponentInfo component(String className) throws Refusal {
        String label = descriptor.label();
        Class<?> cls;
        try (ContextClassLoaderSwap swap = new ContextClassLoaderSwap(loader)) {
            cls = Class.forName(className, true, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            Throwable cause = e instanceof ExceptionInInitializerError ei && ei.getCause() != null ? ei.getCause() : e;
            throw Refusal.of(descriptor, PluginInfo.State.FAILED, "plugin '" + label + "': extension " + className
                    + " cannot be loaded: " + cause);
        }
        Component ann = cls.getAnnotation(Component.class);
        if (ann == null) {
            throw Refusal.of(descriptor, PluginInfo.State.REFUSED, "plugin '" + label + "': extension " + className
                    + " has no @io.assay.sdk.Component annotation (it gives the component its name and settings)");
        }
        if (!NAME.matcher(ann.name()).matches()) {
            throw Refusal.of(descriptor, PluginInfo.State.REFUSED, "plugin '" + label + "': component name '"
                    + ann.name() + "' of " + className + " is not kebab-case ([a-z][a-z0-9-]*)");
        }
        List<Class<? extends Stage>> stages = new ArrayList<>();
        for (Class<? extends Stage> s : PluginHost.STAGES) {
            if (s.isAssignableFrom(cls)) {
                stages.add(s);
            }
        }
        if (stages.size() != 1) {
            throw Refusal.of(descriptor, PluginInfo.State.REFUSED, "plugin '" + label + "': extension " + className
                    + " must implement exactly one stage interface (" + String.join(", ", PluginHost.STAGES.stream()
                    .map(Class::getSimpleName).toList()) + "), found " + stages.size());
        }
        List<String> problems;
        try (ContextClassLoaderSwap swap = new ContextClassLoaderSwap(loader)) {
            problems = SettingsDeclaration.forComponent(cls);
        } catch (RuntimeException | LinkageError e) {
            problems = List.of("component '" + ann.name() + "' (" + className + "): its settings record "
                    + ann.settings().getName() + " cannot be checked: " + e);
        }
        if (!problems.isEmpty()) {
            throw Refusal.of(descriptor, PluginInfo.State.REFUSED, "plugin '" + label + "': its settings "
                    + "declaration is broken (not a problem of your configuration):\n  " + String.join("\n  ",
                    problems));
        }
        return new ComponentInfo(stages.get(0), ann.name(), List.of(ann.aliases()), ann.description(),
                ann.settings(), (Class<? extends Stage>) cls, id(), version());
    }

    /**
     * A standalone injector for this version: the host's bindings re-bound by provider (so host singletons stay
     * shared). Nothing of it is reachable from the host's injector, so disposing the version releases its loader.
     */
    private Injector standaloneInjector(Injector hostInjector) {
        return Guice.createInjector(new AbstractModule() {
            @Override
            @SuppressWarnings({"unchecked", "rawtypes"})
            protected void configure() {
                for (java.util.Map.Entry<Key<?>, Binding<?>> e : hostInjector.getBindings().entrySet()) {
                    Class<?> raw = e.getKey().getTypeLiteral().getRawType();
                    if (raw == Injector.class || raw == Logger.class || raw == com.google.inject.Stage.class) {
                        continue;
                    }
                    bind((Key) e.getKey()).toProvider((com.google.inject.Provider) e.getValue().getProvider());
                }
            }
        });
    }

    /**
     * A new instance of one of this version's components: a child injector binding the settings record and the
     * context, with explicit bindings only.
     *
     * @throws StageException {@code INTERNAL} if it cannot be built (a {@link StageException} thrown by the
     *     constructor is rethrown unchanged)
     */
    <S extends Stage> S create(ComponentInfo c, Class<S> stage, Object settings, StageContext ctx) {
        Class<? extends Stage> ext = c.extensionClass();
        try (ContextClassLoaderSwap swap = new ContextClassLoaderSwap(loader)) {
            Injector child = injector.createChildInjector(new AbstractModule() {
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
            throw new StageException(ErrorCode.INTERNAL, "component '" + c.name() + "' of plugin " + c.pluginLabel()
                    + " could not be created: " + (cause != null ? cause : e.getMessage()), e);
        }
    }

    /** Unloads the plugin from PF4J and drops every reference to its classes, so its class loader can go. */
    void dispose() {
        try {
            if (manager != null) {
                manager.unloadPlugins();
            }
        } catch (RuntimeException e) {
            LOG.warn("Unloading plugin '{}' failed: {}", descriptor.label(), e.toString());
        }
        manager = null;
        loader = null;
        injector = null;
        components = List.of();
        try {
            FileTrees.delete(root);
        } catch (IOException e) {
            LOG.debug("Could not delete '{}': {}", root, e.toString());
        }
    }
}
