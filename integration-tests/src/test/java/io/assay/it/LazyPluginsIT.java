package io.assay.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.Guice;
import io.assay.framework.host.PluginHost;
import io.assay.framework.host.PluginInfo;
import io.assay.sdk.curation.ScraperFilter;
import io.assay.sdk.diffusion.Guidance;
import io.assay.sdk.diffusion.Scheduler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lazy plugin loading: the first host loads every archive and remembers what each provides; the next loads only the
 * archive a pipeline names, and everything when a name is unknown (so the message lists every installed component).
 */
class LazyPluginsIT {

    @Test
    void onlyThePluginsAPipelineNamesAreLoaded(@TempDir Path tmp) throws Exception {
        Path plugins = Files.createDirectories(tmp.resolve("plugins"));
        try (Stream<Path> s = Files.list(Dist.home().resolve("plugins"))) {
            for (Path p : s.filter(p -> p.toString().endsWith(".zip")).toList()) {
                Files.copy(p, plugins.resolve(p.getFileName()));
            }
        }
        try (PluginHost first = new PluginHost(plugins, Guice.createInjector())) {
            first.indexAll();
            assertThat(first.catalog().names(Scheduler.class)).as("nothing known yet: all loaded").contains("euler");
        }
        try (PluginHost host = new PluginHost(plugins, Guice.createInjector())) {
            host.indexAll();
            assertThat(host.catalog().names(Guidance.class)).as("all indexed, none loaded").isEmpty();
            host.require(Guidance.class, "cfg");
            assertThat(host.catalog().names(Guidance.class)).contains("cfg", "cfg-rescale");
            assertThat(host.catalog().names(Scheduler.class)).as("the schedulers plugin still waits").isEmpty();
            assertThat(host.catalog().names(ScraperFilter.class)).isEmpty();
            host.require(Scheduler.class, "euler");
            assertThat(host.catalog().names(Scheduler.class)).contains("euler", "ddim");
            assertThat(host.catalog().names(ScraperFilter.class)).as("curation plugins never named").isEmpty();
            host.require(Scheduler.class, "no-such-scheduler");
            assertThat(host.catalog().names(ScraperFilter.class)).as("an unknown name loads everything")
                    .contains("junk-caption");
            assertThat(host.plugins()).extracting(PluginInfo::state).containsOnly(PluginInfo.State.STARTED);
        }
    }
}
