package io.assay.framework.host;

import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Pins the plugin versions that were current when it was taken, for one run: every stage the run creates comes from
 * them, and none of their class loaders is released while the lease is open, even if the plugin is replaced or
 * unloaded meanwhile. Close it when the run's stages are closed.
 */
public final class Lease implements AutoCloseable {

    private final PluginHost host;
    private volatile Map<String, PluginVersion> versions;
    private volatile ComponentCatalog catalog;
    private final AtomicBoolean closed = new AtomicBoolean();

    Lease(PluginHost host, Map<String, PluginVersion> versions, ComponentCatalog catalog) {
        this.host = host;
        this.versions = versions;
        this.catalog = catalog;
    }

    /** The components as they were when the lease was taken. */
    public ComponentCatalog catalog() {
        return catalog;
    }

    /** The pinned version of a plugin, or null. */
    public String versionOf(String pluginId) {
        PluginVersion v = versions.get(pluginId);
        return v == null ? null : v.version();
    }

    PluginVersion version(String pluginId) {
        return versions.get(pluginId);
    }

    boolean isClosed() {
        return closed.get();
    }

    /** Releases the pins; idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            Map<String, PluginVersion> pinned = versions;
            // Drop every reference to plugin classes, so a retired version's class loader can go.
            versions = Map.of();
            catalog = new ComponentCatalog(Map.of());
            host.release(pinned.values());
        }
    }
}
