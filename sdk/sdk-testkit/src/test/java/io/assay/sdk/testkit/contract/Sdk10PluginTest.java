package io.assay.sdk.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.assay.sdk.Component;
import io.assay.sdk.SdkVersion;
import io.assay.sdk.diffusion.ConditioningKey;
import io.assay.sdk.diffusion.ConditioningText;
import io.assay.sdk.diffusion.Guidance;
import io.assay.sdk.settings.SettingsBinder;
import io.assay.sdk.settings.SettingsDeclaration;
import io.assay.sdk.testkit.ModelDirectories;
import io.assay.sdk.testkit.PluginArchiveBuilder;
import io.assay.sdk.testkit.TestSettings;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;
import org.pf4j.DefaultVersionManager;

/**
 * Backward compatibility: the plugin template as it was at SDK 1.0 (frozen in {@code sdk-1.0-template/}, see its
 * README), built into a plugin archive, loads as the host loads it and passes its own contract tests, unchanged,
 * against this kit, its guidance running through {@link Guidance#start(Guidance.Prompt, int)}.
 */
class Sdk10PluginTest {

    private static final Path TEMPLATE = Path.of(System.getProperty("basedir", ""))
            .resolve("src/test/resources/sdk-1.0-template").toAbsolutePath();

    @TempDir
    Path tmp;

    /** Java sources under {@code dir}: class name → code. */
    private static Map<String, String> sources(Path dir) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.filter(f -> f.toString().endsWith(".java")).sorted()::iterator) {
                String name = dir.relativize(p).toString().replace('\\', '/').replaceFirst("\\.java$", "")
                        .replace('/', '.');
                out.put(name, Files.readString(p, StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    /** The 1.0 template built into a zip whose descriptor is the template's own plugin.properties. */
    private Path archive() throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(TEMPLATE.resolve("plugin.properties"))) {
            p.load(in);
        }
        PluginArchiveBuilder b = PluginArchiveBuilder.plugin(p.getProperty("plugin.id"),
                p.getProperty("plugin.version")).requires(p.getProperty("plugin.requires"))
                .description(p.getProperty("plugin.description"));
        sources(TEMPLATE.resolve("src/main/java")).forEach(b::source);
        return b.build(Files.createDirectories(tmp.resolve("dist")));
    }

    /** The archive unpacked as a module directory: plugin.properties, target/classes and the zip in target/. */
    private Path unpack(Path zip) throws IOException {
        Path module = tmp.resolve("module");
        Path classes = Files.createDirectories(module.resolve("target/classes"));
        try (ZipFile z = new ZipFile(zip.toFile())) {
            for (ZipEntry e : java.util.Collections.list(z.entries())) {
                String name = e.getName();
                Path to = name.equals("plugin.properties") ? module.resolve(name)
                        : name.startsWith("classes/") ? classes.resolve(name.substring("classes/".length())) : null;
                if (to != null && !e.isDirectory()) {
                    Files.createDirectories(to.getParent());
                    try (InputStream in = z.getInputStream(e)) {
                        Files.copy(in, to);
                    }
                }
            }
        }
        Files.copy(zip, module.resolve("target/assay-plugin-clipped-cfg-1.0.0-plugin.zip"));
        return module;
    }

    @Test
    void theArchiveLoadsAsTheHostLoadsIt() throws Exception {
        Path zip = archive();
        Path module = unpack(zip);
        Properties descriptor = new Properties();
        try (InputStream in = Files.newInputStream(module.resolve("plugin.properties"))) {
            descriptor.load(in);
        }
        assertThat(descriptor.getProperty("plugin.requires")).isEqualTo(">=1.0.0 & <2.0.0");
        assertThat(new DefaultVersionManager().checkVersionConstraint(SdkVersion.VERSION,
                descriptor.getProperty("plugin.requires"))).as("SDK " + SdkVersion.VERSION + " satisfies the 1.0 range")
                .isTrue();
        assertThat(PackagingContract.hostSharedClasses(zip)).isEmpty();
        List<String> index = Files.readAllLines(module.resolve("target/classes/META-INF/extensions.idx")).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
        assertThat(index).containsExactly("com.example.assay.clippedcfg.ClippedCfg");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {module.resolve("target/classes").toUri().toURL()},
                getClass().getClassLoader())) {
            Class<?> c = Class.forName(index.get(0), true, loader);
            assertThat(c.getClassLoader()).as("the plugin's own class, the SDK's from the host").isSameAs(loader);
            assertThat(SettingsDeclaration.forComponent(c)).isEmpty();
            Component comp = c.getAnnotation(Component.class);
            assertThat(comp.name()).isEqualTo("clipped-cfg");
            Record settings = TestSettings.bind(comp.settings(), "scale = 3, limit = 0.5");
            assertThat(SettingsBinder.keys(comp.settings())).containsExactly("limit", "scale");
            Guidance g = (Guidance) c.getConstructor(comp.settings()).newInstance(settings);
            Guidance.KeyedRun run = g.start(new Guidance.Prompt("a lighthouse", "fog"), 4);
            assertThat(run.conditionings()).containsExactly(new ConditioningText(ConditioningKey.UNCOND, "fog"),
                    new ConditioningText(ConditioningKey.COND, "a lighthouse"));
            Guidance.StepInfo step = new Guidance.StepInfo(0, 4, 999, 14.6);
            assertThat(run.needs(step)).containsExactly(ConditioningKey.UNCOND, ConditioningKey.COND);
            long[] shape = {1, 1, 1, 2};
            io.assay.sdk.tensor.Tensor out = run.combine(step, Map.of(
                    ConditioningKey.UNCOND, new io.assay.sdk.tensor.Tensor(shape, new float[] {0f, 0f}),
                    ConditioningKey.COND, new io.assay.sdk.tensor.Tensor(shape, new float[] {0.1f, 1f})),
                    new io.assay.sdk.tensor.Tensor(shape, new float[2]));
            // 3·0.1 = 0.3 is inside the limit; 3·1 = 3 is clipped to 0.5.
            assertThat(out.data()).containsExactly(0.3f, 0.5f);
            assertThat(run.describe()).isEqualTo("clipped-cfg: uncond + clip(3.0·(cond − uncond), ±0.5)");
        }
    }

    @Test
    void itsOwnContractTestsPassUnchangedAgainstThisKit() throws Exception {
        Path module = unpack(archive());
        Path plugin = module.resolve("target/classes");
        Path tests = Files.createDirectories(tmp.resolve("test-classes"));
        Map<String, String> testSources = sources(TEMPLATE.resolve("src/test/java"));
        PluginArchiveBuilder.compile(testSources, List.of(plugin), tests);
        ClassLoader before = Thread.currentThread().getContextClassLoader();
        String basedir = System.getProperty("basedir");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {tests.toUri().toURL(), plugin.toUri().toURL()},
                getClass().getClassLoader())) {
            Thread.currentThread().setContextClassLoader(loader);
            // The 1.0 PackagingTest reads the module from Maven's basedir, as surefire sets it.
            System.setProperty("basedir", module.toString());
            List<org.junit.platform.engine.DiscoverySelector> selectors = new ArrayList<>();
            for (String name : testSources.keySet()) {
                selectors.add(selectClass(loader.loadClass(name)));
            }
            LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request().selectors(selectors).build();
            Launcher launcher = LauncherFactory.create();
            SummaryGeneratingListener listener = new SummaryGeneratingListener();
            launcher.execute(request, listener);
            TestExecutionSummary summary = listener.getSummary();
            StringBuilder failures = new StringBuilder();
            summary.getFailures().forEach(f -> failures.append(f.getTestIdentifier().getDisplayName()).append(": ")
                    .append(f.getException()).append('\n'));
            assertThat(summary.getTotalFailureCount()).as(failures.toString()).isZero();
            assertThat(summary.getTestsAbortedCount()).as("aborted").isZero();
            // 15 guidance contract tests + the template's own, 7 settings, 7 packaging (the archive check included).
            assertThat(summary.getTestsFoundCount()).isEqualTo(30);
            assertThat(summary.getTestsSucceededCount()).isEqualTo(30);
        } finally {
            Thread.currentThread().setContextClassLoader(before);
            if (basedir == null) {
                System.clearProperty("basedir");
            } else {
                System.setProperty("basedir", basedir);
            }
            ModelDirectories.deleteTree(tests);
        }
    }
}
