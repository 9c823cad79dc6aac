package io.assay.framework.cli;

import io.assay.framework.host.PluginHost;
import io.assay.framework.runtime.AssayRuntime;
import io.assay.sdk.diffusion.Scheduler;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The installed scheduler names, for {@code --scheduler}'s help: read from the distribution's plugins directory when
 * the help is shown (picocli asks only then), so a plugin added later is listed without a rebuild.
 */
public final class SchedulerNames implements Iterable<String> {

    @Override
    public Iterator<String> iterator() {
        return names().iterator();
    }

    /** The names, sorted; empty when the plugins directory has none or cannot be read. */
    static List<String> names() {
        try (PluginHost host = new PluginHost(AssayRuntime.defaultPluginsDir(),
                com.google.inject.Guice.createInjector())) {
            host.loadAll();
            return new ArrayList<>(host.catalog().names(Scheduler.class).stream().sorted().toList());
        } catch (RuntimeException | LinkageError e) {
            return List.of();
        }
    }
}
