package io.assay.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.Guice;
import io.assay.framework.host.Lease;
import io.assay.framework.host.PluginHost;
import io.assay.framework.host.PluginInfo;
import io.assay.framework.host.SharedPackages;
import io.assay.sdk.NoSettings;
import io.assay.sdk.SdkVersion;
import io.assay.sdk.StageException;
import io.assay.sdk.diffusion.Guidance;
import io.assay.sdk.testkit.PluginArchiveBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Broken plugins, each built at test time: every one is refused (or fails) with its own message, and the good plugin
 * beside them keeps working.
 */
class BadPluginsIT {

    static String guidance(String pkg, String name, String body) {
        return """
                package %s;
                import io.assay.sdk.*;
                import io.assay.sdk.diffusion.*;
                import io.assay.sdk.tensor.Tensor;
                import java.util.*;
                @org.pf4j.Extension
                @Component(name = "%s")
                public final class G implements Guidance {
                    @jakarta.inject.Inject
                    public G(StageContext ctx) { %s }
                    public Run start(int n) { return null; }
                }
                """.formatted(pkg, name, body);
    }

    @Test
    void eachBadPluginGetsItsOwnMessageAndTheGoodOneStillWorks(@TempDir Path tmp) throws Exception {
        Path build = Files.createDirectories(tmp.resolve("build"));
        Path dir = Files.createDirectories(tmp.resolve("plugins"));
        copy(PluginArchiveBuilder.plugin("good", "1.0.0").source("io.assay.plugins.good.G",
                guidance("io.assay.plugins.good", "good", "")).build(build), dir, "a-good.zip");
        copy(PluginArchiveBuilder.plugin("too-new", "1.0.0").requires(">=2.0.0 & <3.0.0")
                .source("io.assay.plugins.toonew.G", guidance("io.assay.plugins.toonew", "too-new", ""))
                .build(build), dir, "b-too-new.zip");
        copy(PluginArchiveBuilder.plugin("dup", "1.0.0").source("io.assay.plugins.dup.G",
                guidance("io.assay.plugins.dup", "good", "")).build(build), dir, "c-dup.zip");
        copy(PluginArchiveBuilder.plugin("no-index", "1.0.0").withoutExtensionIndex()
                .source("io.assay.plugins.noindex.G", guidance("io.assay.plugins.noindex", "no-index", ""))
                .build(build), dir, "d-no-index.zip");
        copy(PluginArchiveBuilder.plugin("bundles-sdk", "1.0.0")
                .source("io.assay.plugins.bundles.G", guidance("io.assay.plugins.bundles", "bundles", ""))
                .resource("classes/io/assay/sdk/Stage.class", new byte[] {(byte) 0xca, (byte) 0xfe})
                .build(build), dir, "e-bundles.zip");
        copy(PluginArchiveBuilder.plugin("no-requires", "1.0.0").requires(null).description(null)
                .source("io.assay.plugins.noreq.G", guidance("io.assay.plugins.noreq", "no-requires", ""))
                .build(build), dir, "f-no-requires.zip");
        copy(PluginArchiveBuilder.plugin("throws", "1.0.0").source("io.assay.plugins.throwing.G",
                guidance("io.assay.plugins.throwing", "throws", "throw new IllegalStateException(\"boom\");"))
                .build(build), dir, "g-throws.zip");
        Files.writeString(dir.resolve("h-not-a-zip.zip"), "this is not a zip");

        try (PluginHost host = new PluginHost(dir, Guice.createInjector())) {
            host.loadAll();
            Map<String, PluginInfo> byFile = host.plugins().stream()
                    .collect(Collectors.toMap(p -> p.path().getFileName().toString(), Function.identity()));
            String sdk = SdkVersion.VERSION;
            assertThat(byFile.get("a-good.zip").state()).isEqualTo(PluginInfo.State.STARTED);
            assertThat(byFile.get("b-too-new.zip").problem()).isEqualTo("plugin 'too-new@1.0.0' requires SDK "
                    + ">=2.0.0 & <3.0.0 but this host provides SDK " + sdk);
            assertThat(byFile.get("c-dup.zip").problem()).contains("two Guidance components named 'good'",
                    "plugin good@1.0.0", "plugin dup@1.0.0", "the second was refused");
            assertThat(byFile.get("d-no-index.zip").problem()).contains("has no extensions",
                    "META-INF/extensions.idx");
            assertThat(byFile.get("e-bundles.zip").problem()).contains("bundles host-shared class",
                    "classes/io/assay/sdk/Stage.class", "<scope>provided</scope>");
            assertThat(byFile.get("f-no-requires.zip").problem()).contains("f-no-requires.zip/plugin.properties",
                    "plugin.requires: missing", "plugin.description: missing");
            assertThat(byFile.get("h-not-a-zip.zip").problem()).contains("h-not-a-zip.zip", "not a readable");
            assertThat(byFile.values()).filteredOn(p -> p.state() == PluginInfo.State.STARTED)
                    .extracting(PluginInfo::id).containsExactlyInAnyOrder("good", "throws");

            try (Lease lease = host.lease()) {
                assertThat(host.create(lease, Guidance.class, "good", new NoSettings(), HotReloadIT.Ctx.of()))
                        .isNotNull();
                assertThatThrownBy(() -> host.create(lease, Guidance.class, "throws", new NoSettings(),
                        HotReloadIT.Ctx.of()))
                        .isInstanceOf(StageException.class)
                        .hasMessageContaining("component 'throws' of plugin throws@1.0.0 could not be created")
                        .hasMessageContaining("boom");
            }
        }
    }

    /**
     * Plugin identity: a built-in plugin (its id is one of {@link PluginHost#BUILT_IN}) keeps its component names
     * whichever archive sorts or loads first, and of two archives with one plugin id the higher version loads —
     * by semantic version, not by file name (1.10.0 beats 1.2.0 although it sorts first).
     */
    @Test
    void builtInNamesWinAndDuplicateIdsResolveByVersion(@TempDir Path tmp) throws Exception {
        Path build = Files.createDirectories(tmp.resolve("build"));
        Path dir = Files.createDirectories(tmp.resolve("plugins"));
        copy(PluginArchiveBuilder.plugin("rival", "9.0.0").source("io.assay.plugins.rival.G",
                guidance("io.assay.plugins.rival", "cfg", "")).build(build), dir, "a-rival.zip");
        copy(PluginArchiveBuilder.plugin("twin", "1.10.0").source("io.assay.plugins.twinnew.G",
                guidance("io.assay.plugins.twinnew", "twin-new", "")).build(build), dir, "b-twin-new.zip");
        copy(PluginArchiveBuilder.plugin("twin", "1.2.0").source("io.assay.plugins.twinold.G",
                guidance("io.assay.plugins.twinold", "twin-old", "")).build(build), dir, "c-twin-old.zip");
        Path builtIn = PluginArchiveBuilder.plugin("guidance", "0.1.0").source("io.assay.plugins.guidance.G",
                guidance("io.assay.plugins.guidance", "cfg", "")).build(build);
        try (PluginHost host = new PluginHost(dir, Guice.createInjector())) {
            // The third-party archive first, alone: it may use the name while no built-in does.
            host.loadAll();
            assertThat(host.catalog().find(Guidance.class, "cfg")).hasValueSatisfying(c ->
                    assertThat(c.pluginId()).isEqualTo("rival"));
            Map<String, PluginInfo> byFile = byFile(host);
            assertThat(byFile.get("b-twin-new.zip").state()).isEqualTo(PluginInfo.State.STARTED);
            assertThat(byFile.get("c-twin-old.zip").state()).isEqualTo(PluginInfo.State.REFUSED);
            assertThat(byFile.get("c-twin-old.zip").problem()).isEqualTo("plugin 'twin@1.2.0' (c-twin-old.zip) is "
                    + "superseded by twin@1.10.0 (b-twin-new.zip): two archives declare plugin id 'twin'; the "
                    + "highest version loads");
            assertThat(host.catalog().find(Guidance.class, "twin-new")).isPresent();
            assertThat(host.catalog().find(Guidance.class, "twin-old")).isEmpty();
            // Then the built-in arrives (sorting after the rival): it takes its name back and the rival is refused.
            copy(builtIn, dir, "z-guidance.zip");
            host.sync();
            byFile = byFile(host);
            assertThat(byFile.get("z-guidance.zip").state()).isEqualTo(PluginInfo.State.STARTED);
            assertThat(byFile.get("a-rival.zip").state()).isEqualTo(PluginInfo.State.REFUSED);
            assertThat(byFile.get("a-rival.zip").problem()).contains("two Guidance components named 'cfg'",
                    "built-in plugin guidance@0.1.0 (z-guidance.zip)", "plugin rival@9.0.0 (a-rival.zip)",
                    "rename the component of rival@9.0.0");
            assertThat(host.catalog().find(Guidance.class, "cfg")).hasValueSatisfying(c ->
                    assertThat(c.pluginId()).isEqualTo("guidance"));
            // Removing the higher version lets the lower one load.
            Files.delete(dir.resolve("b-twin-new.zip"));
            host.sync();
            assertThat(byFile(host).get("c-twin-old.zip").state()).isEqualTo(PluginInfo.State.STARTED);
            assertThat(host.catalog().find(Guidance.class, "twin-old")).isPresent();
        }
        // A fresh host over the same directory: the built-in loads first and the rival is refused at once.
        try (PluginHost host = new PluginHost(dir, Guice.createInjector())) {
            host.loadAll();
            assertThat(byFile(host).get("a-rival.zip").problem()).contains("two Guidance components named 'cfg'",
                    "guidance@0.1.0", "rival@9.0.0");
            assertThat(host.catalog().find(Guidance.class, "cfg")).hasValueSatisfying(c ->
                    assertThat(c.pluginId()).isEqualTo("guidance"));
        }
    }

    private static Map<String, PluginInfo> byFile(PluginHost host) {
        return host.plugins().stream().collect(Collectors.toMap(p -> p.path().getFileName().toString(),
                Function.identity()));
    }

    @Test
    void theSharedPackageListIsPinned() {
        assertThat(SharedPackages.isShared("io.assay.sdk.Stage")).isTrue();
        assertThat(SharedPackages.isShared("io.assay.sdk.onnx.OnnxSessions")).isTrue();
        assertThat(SharedPackages.isShared("ai.onnxruntime.OrtEnvironment")).isTrue();
        assertThat(SharedPackages.isShared("org.pf4j.Extension")).isTrue();
        assertThat(SharedPackages.isShared("com.google.inject.Injector")).isTrue();
        assertThat(SharedPackages.isShared("io.assay.plugins.onnxsd.ClipTextEncoder")).isFalse();
        assertThat(SharedPackages.isShared("io.assay.lib.clip.ClipTokenizer")).isFalse();
        assertThat(SharedPackages.isShared("com.fasterxml.jackson.databind.ObjectMapper")).isFalse();
        assertThat(SharedPackages.isShared("io.assay.sdkx.Foo")).isFalse();
    }

    private static void copy(Path zip, Path dir, String name) throws Exception {
        Files.copy(zip, dir.resolve(name));
    }
}
