package io.assay.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.Guice;
import io.assay.framework.host.PluginHost;
import io.assay.framework.host.PluginInfo;
import io.assay.sdk.testkit.PluginArchiveBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host binds each component's declared settings when it loads a plugin: a settings record whose defaults do not
 * bind, or that is not declared so that it can bind, refuses the plugin naming the component, the record and the
 * problem (before SDK 1.1 hosts it loaded as STARTED and failed at the first run, blamed on the user's config), while
 * a good plugin beside it loads.
 */
class BrokenSettingsPluginIT {

    static String guidance(String pkg, String name) {
        return """
                package %s;
                import io.assay.sdk.*;
                import io.assay.sdk.diffusion.*;
                @org.pf4j.Extension
                @Component(name = "%s", settings = S.class)
                public final class G implements Guidance {
                    @jakarta.inject.Inject
                    public G(S s, StageContext ctx) { }
                    public Run start(int n) { return null; }
                }
                """.formatted(pkg, name);
    }

    static Path plugin(Path build, String id, String settingsRecord) throws Exception {
        String pkg = "io.assay.plugins." + id.replace("-", "");
        return PluginArchiveBuilder.plugin(id, "1.0.0")
                .source(pkg + ".G", guidance(pkg, id))
                .source(pkg + ".S", settingsRecord.formatted(pkg))
                .build(build);
    }

    @Test
    void aBrokenSettingsDeclarationRefusesThePluginNamingTheProblem(@TempDir Path tmp) throws Exception {
        Path build = Files.createDirectories(tmp.resolve("build"));
        Path dir = Files.createDirectories(tmp.resolve("plugins"));
        Files.copy(plugin(build, "good-settings", """
                package %s;
                public record S(@io.assay.sdk.Setting(doc = "scale", defaultValue = "2", min = 0) double scale) { }
                """), dir.resolve("a-good.zip"));
        Files.copy(plugin(build, "bad-default", """
                package %s;
                public record S(@io.assay.sdk.Setting(doc = "scale", defaultValue = "-1", min = 0) double scale) { }
                """), dir.resolve("b-bad-default.zip"));
        Files.copy(plugin(build, "undocumented", """
                package %s;
                public record S(double scale) { }
                """), dir.resolve("c-undocumented.zip"));
        Files.copy(plugin(build, "wrong-type", """
                package %s;
                public record S(@io.assay.sdk.Setting(doc = "a default that is no number", defaultValue = "\\"x\\"")
                        double scale) { }
                """), dir.resolve("d-wrong-type.zip"));

        try (PluginHost host = new PluginHost(dir, Guice.createInjector())) {
            host.loadAll();
            Map<String, PluginInfo> byFile = host.plugins().stream()
                    .collect(Collectors.toMap(p -> p.path().getFileName().toString(), Function.identity()));
            assertThat(byFile.get("a-good.zip").state()).isEqualTo(PluginInfo.State.STARTED);
            PluginInfo bad = byFile.get("b-bad-default.zip");
            System.out.println("refused: " + bad.problem());
            assertThat(bad.state()).isEqualTo(PluginInfo.State.REFUSED);
            assertThat(bad.problem()).contains("plugin 'bad-default@1.0.0'", "settings declaration is broken",
                    "component 'bad-default' (io.assay.plugins.baddefault.G)", "io.assay.plugins.baddefault.S",
                    "the declared defaults do not bind", "the default of S.scale", "-1")
                    .doesNotContain("String:1");
            assertThat(byFile.get("c-undocumented.zip").problem()).contains("component 'undocumented'",
                    "expected component 'scale' to carry @Setting");
            assertThat(byFile.get("d-wrong-type.zip").problem()).contains("component 'wrong-type'",
                    "the declared defaults do not bind", "the default of S.scale");
            assertThat(byFile.values()).filteredOn(p -> p.state() == PluginInfo.State.STARTED)
                    .extracting(PluginInfo::id).containsExactly("good-settings");
        }
    }
}
