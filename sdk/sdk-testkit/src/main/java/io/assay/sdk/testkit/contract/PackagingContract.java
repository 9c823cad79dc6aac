package io.assay.sdk.testkit.contract;

import static io.assay.sdk.testkit.contract.Checks.check;
import static io.assay.sdk.testkit.contract.Checks.fail;

import io.assay.sdk.Component;
import io.assay.sdk.SdkVersion;
import io.assay.sdk.Stage;
import io.assay.sdk.settings.SettingsDeclaration;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.pf4j.DefaultVersionManager;

/**
 * What the host checks when it loads a plugin, checked on the module's build output before the archive exists and,
 * once it exists, on the archive ({@link #pluginArchive()}):
 * {@code plugin.properties} (kebab-case {@code plugin.id}, semantic {@code plugin.version}, a
 * {@code plugin.requires} range accepting this SDK, a description, no plugin dependencies);
 * {@code target/classes/META-INF/extensions.idx} listing exactly the {@code @Component} classes of
 * {@code target/classes} (found by reading the class files); component names and aliases kebab-case and unique per
 * stage; no host-shared class ({@link #SHARED_PACKAGES}) compiled into {@code target/classes}, nor in the archive's
 * {@code classes/} or any {@code lib/*.jar}; and each component's declaration passing the check an SDK 1.1 host runs
 * when it loads the plugin ({@link SettingsDeclaration#forComponent}: settings record and {@code @Recommended}).
 *
 * <p>A plugin module's test class is just {@code class PackagingTest implements PackagingContract {}}: the module
 * directory defaults to Maven's {@code basedir} (the working directory of surefire). The archive is built in the
 * {@code package} phase, after surefire, so the archive check skips there; run the same contract again after
 * packaging, as {@code class PackagingIT implements PackagingContract {}} under maven-failsafe-plugin (the template
 * does).
 */
public interface PackagingContract {

    /** The packages the host shares with plugins; a plugin must never bundle classes of them. */
    List<String> SHARED_PACKAGES = List.of("io.assay.sdk.", "org.pf4j.", "ai.onnxruntime.", "com.google.inject.",
            "jakarta.inject.", "org.slf4j.");

    /** The semantic version pattern the host accepts for {@code plugin.version}. */
    Pattern SEMVER = Pattern.compile("\\d+\\.\\d+\\.\\d+(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?");

    /** The plugin module's directory (holding {@code plugin.properties} and {@code target/classes}). */
    default Path moduleDirectory() {
        String basedir = System.getProperty("basedir");
        return (basedir == null || basedir.isBlank() ? Paths.get("") : Paths.get(basedir)).toAbsolutePath();
    }

    /** Where the compiled classes are. */
    default Path classesDirectory() {
        return moduleDirectory().resolve("target").resolve("classes");
    }

    /** The most entries read from an archive or one of its jars, and the largest jar in {@code lib/} read. */
    int MAX_ENTRIES = 200_000;
    /** See {@link #MAX_ENTRIES}. */
    long MAX_JAR_BYTES = 1L << 30;

    /**
     * The plugin archive to check: by default the one {@code target/*-plugin.zip} (the template's and Assay's assembly
     * name), or null when there is none yet.
     */
    default Path pluginArchive() {
        Path target = moduleDirectory().resolve("target");
        if (!Files.isDirectory(target)) {
            return null;
        }
        try (Stream<Path> s = Files.list(target)) {
            List<Path> zips = s.filter(p -> p.getFileName().toString().endsWith("-plugin.zip")).sorted().toList();
            check(zips.size() <= 1, "plugin module " + moduleDirectory() + ": expected one plugin archive in "
                    + target + ", but found " + zips + " (override pluginArchive())");
            return zips.isEmpty() ? null : zips.get(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The host-shared classes ({@link #SHARED_PACKAGES}) inside a plugin archive: entries of {@code classes/} and of
     * every {@code lib/*.jar} (named {@code lib/x.jar!org/slf4j/Logger.class}), as the host scans it before loading.
     * Bounded: at most {@link #MAX_ENTRIES} entries per zip and {@link #MAX_JAR_BYTES} per jar.
     */
    static List<String> hostSharedClasses(Path archive) throws IOException {
        List<String> out = new ArrayList<>();
        try (ZipFile zip = new ZipFile(archive.toFile())) {
            int n = 0;
            for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements();) {
                ZipEntry e = en.nextElement();
                check(++n <= MAX_ENTRIES, archive + ": more than " + MAX_ENTRIES + " entries");
                String name = e.getName();
                if (name.startsWith("classes/") && shared(name.substring("classes/".length()))) {
                    out.add(name);
                } else if (name.startsWith("lib/") && name.endsWith(".jar")) {
                    check(e.getSize() <= MAX_JAR_BYTES, archive + ": " + name + " inflates to " + e.getSize()
                            + " bytes, more than " + MAX_JAR_BYTES);
                    for (String inner : jarEntries(zip, e)) {
                        if (shared(inner)) {
                            out.add(name + "!" + inner);
                        }
                    }
                }
            }
        }
        return out;
    }

    private static boolean shared(String path) {
        String cls = path.replace('/', '.');
        return cls.endsWith(".class") && SHARED_PACKAGES.stream().anyMatch(cls::startsWith);
    }

    /** The entry names of a jar inside the archive, read from its central directory (nothing inflated). */
    private static List<String> jarEntries(ZipFile zip, ZipEntry jar) throws IOException {
        Path tmp = Files.createTempFile("assay-lib-", ".jar");
        try {
            try (InputStream in = zip.getInputStream(jar); OutputStream out = Files.newOutputStream(tmp)) {
                byte[] buffer = new byte[1 << 16];
                long copied = 0;
                for (int r; (r = in.read(buffer)) > 0;) {
                    copied += r;
                    check(copied <= MAX_JAR_BYTES, jar.getName() + ": larger than " + MAX_JAR_BYTES + " bytes");
                    out.write(buffer, 0, r);
                }
            }
            List<String> names = new ArrayList<>();
            try (ZipFile inner = new ZipFile(tmp.toFile())) {
                for (Enumeration<? extends ZipEntry> en = inner.entries(); en.hasMoreElements();) {
                    check(names.size() < MAX_ENTRIES, jar.getName() + ": more than " + MAX_ENTRIES + " entries");
                    names.add(en.nextElement().getName());
                }
            } catch (java.util.zip.ZipException e) {
                throw fail(jar.getName() + " in the plugin archive is not a readable jar: " + e.getMessage());
            }
            return names;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private Properties descriptor() {
        Path file = moduleDirectory().resolve("plugin.properties");
        check(Files.isRegularFile(file), "plugin module " + moduleDirectory() + ": expected plugin.properties, but "
                + "there is no " + file);
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return p;
    }

    private Path classes() {
        Path dir = classesDirectory();
        check(Files.isDirectory(dir), "plugin module " + moduleDirectory() + ": expected compiled classes in " + dir
                + " (run the tests through Maven), but there is no such directory");
        return dir;
    }

    /** Every class file under {@link #classesDirectory()}: binary name → annotation descriptors. */
    private Map<String, ClassFiles.Info> classFiles() {
        Map<String, ClassFiles.Info> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(classes())) {
            for (Path p : (Iterable<Path>) s.filter(f -> f.toString().endsWith(".class"))::iterator) {
                try (InputStream in = Files.newInputStream(p)) {
                    ClassFiles.Info info = ClassFiles.read(in);
                    out.put(info.name(), info);
                } catch (IOException e) {
                    throw fail("plugin module " + moduleDirectory() + ": expected readable class files, but " + p
                            + " is not one (" + e.getMessage() + ")");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private List<String> componentClasses() {
        String descriptor = "L" + Component.class.getName().replace('.', '/') + ";";
        return classFiles().values().stream().filter(i -> i.annotations().contains(descriptor))
                .map(ClassFiles.Info::name).toList();
    }

    private Class<?> load(String name, ClassLoader loader) {
        try {
            return Class.forName(name, false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            throw fail("plugin module " + moduleDirectory() + ": expected class " + name + " to load, but " + e);
        }
    }

    /** {@code plugin.properties}: kebab-case id, semantic version, an SDK range, a description, no dependencies. */
    @Test
    default void pluginPropertiesDescribeThePlugin() {
        Properties p = descriptor();
        String where = moduleDirectory().resolve("plugin.properties").toString();
        String id = p.getProperty("plugin.id");
        check(id != null && Checks.KEBAB.matcher(id.trim()).matches(), where + ": expected a kebab-case plugin.id, "
                + "but it is " + (id == null ? "missing" : "'" + id + "'"));
        String version = p.getProperty("plugin.version");
        check(version != null && SEMVER.matcher(version.trim()).matches(), where + ": expected plugin.version to be "
                + "a semantic version such as 1.2.0, but it is " + (version == null ? "missing" : "'" + version + "'"));
        String requires = p.getProperty("plugin.requires");
        check(requires != null && !requires.isBlank(), where + ": expected plugin.requires, an SDK range such as "
                + "'>=1.0.0 & <2.0.0', but it is missing");
        String description = p.getProperty("plugin.description");
        check(description != null && !description.isBlank(), where + ": expected a plugin.description, but it is "
                + "missing");
        check(p.getProperty("plugin.dependencies", "").isBlank(), where + ": expected no plugin.dependencies "
                + "(plugin-to-plugin dependencies are not supported), but it declares '"
                + p.getProperty("plugin.dependencies") + "'");
    }

    /** {@code plugin.requires} is a range the host's PF4J reads, and it contains the SDK this module builds on. */
    @Test
    default void pluginRequiresAcceptsThisSdk() {
        String requires = descriptor().getProperty("plugin.requires", "").trim();
        String sdk = SdkVersion.VERSION.replaceFirst("-.*$", "");
        boolean ok;
        try {
            ok = new DefaultVersionManager().checkVersionConstraint(sdk, requires);
        } catch (RuntimeException e) {
            throw fail(moduleDirectory().resolve("plugin.properties") + ": expected plugin.requires to be a version "
                    + "range such as '>=1.0.0 & <2.0.0', but '" + requires + "' is not (" + e.getMessage() + ")");
        }
        check(ok, moduleDirectory().resolve("plugin.properties") + ": expected plugin.requires to accept SDK " + sdk
                + " (the SDK this module compiles against), but '" + requires + "' does not, so the host would "
                + "refuse the plugin");
    }

    /** {@code META-INF/extensions.idx} lists exactly the {@code @Component} classes compiled into the module. */
    @Test
    default void extensionIndexListsEveryComponent() {
        Path idx = classes().resolve("META-INF").resolve("extensions.idx");
        check(Files.isRegularFile(idx), "plugin module " + moduleDirectory() + ": expected " + idx + " (written by "
                + "PF4J's annotation processor for @Extension classes; without it the host finds no component), but "
                + "it is missing");
        TreeSet<String> listed = new TreeSet<>();
        try {
            for (String line : Files.readAllLines(idx, StandardCharsets.UTF_8)) {
                String l = line.trim();
                if (!l.isEmpty() && !l.startsWith("#")) {
                    listed.add(l);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        TreeSet<String> components = new TreeSet<>(componentClasses());
        check(!components.isEmpty(), "plugin module " + moduleDirectory() + ": expected at least one @Component "
                + "class in " + classes() + ", but found none");
        Map<String, ClassFiles.Info> all = classFiles();
        for (String c : components) {
            check(listed.contains(c), idx + ": expected it to list " + c + " (annotated @Component), but it lists "
                    + listed + " (is the class annotated @org.pf4j.Extension?)");
        }
        for (String l : listed) {
            check(all.containsKey(l), idx + ": lists " + l + ", so expected that class in " + classes()
                    + ", but there is none (a stale index?)");
            check(components.contains(l), idx + ": lists " + l + ", so expected it to be annotated @Component (the "
                    + "host refuses an extension without it), but it is not");
        }
    }

    /** Component names and aliases are kebab-case and unique per stage within the plugin. */
    @Test
    default void componentNamesAreKebabCaseAndUniquePerStage() {
        Map<String, String> taken = new HashMap<>();
        List<String> components = componentClasses();
        URLClassLoader loader;
        try {
            // Parent first: when target/classes is on the test class path (as under Maven) this gives its classes.
            loader = new URLClassLoader(new URL[] {classes().toUri().toURL()},
                    Thread.currentThread().getContextClassLoader());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String name : components) {
            Class<?> c = load(name, loader);
            Component comp = c.getAnnotation(Component.class);
            check(comp != null, name + ": expected @Component to be readable at run time, but it is not");
            List<String> stages = new ArrayList<>();
            for (Class<? extends Stage> s : StageContract.STAGES) {
                if (s.isAssignableFrom(c)) {
                    stages.add(s.getSimpleName());
                }
            }
            check(stages.size() == 1, name + ": expected exactly one stage interface, but it implements " + stages);
            List<String> names = new ArrayList<>(List.of(comp.name()));
            names.addAll(List.of(comp.aliases()));
            for (String n : names) {
                check(Checks.KEBAB.matcher(n).matches(), name + ": expected a kebab-case component name or alias, "
                        + "but found '" + n + "'");
                String previous = taken.put(stages.get(0) + ":" + n, name);
                check(previous == null, "plugin module " + moduleDirectory() + ": expected unique " + stages.get(0)
                        + " names, but '" + n + "' names both " + previous + " and " + name);
            }
        }
    }

    /** No class of a host-shared package is compiled into (or copied into) {@code target/classes}. */
    @Test
    default void noHostSharedClassesAreBundled() {
        List<String> bundled = new ArrayList<>();
        for (String name : classFiles().keySet()) {
            for (String p : SHARED_PACKAGES) {
                if (name.startsWith(p)) {
                    bundled.add(name);
                }
            }
        }
        check(bundled.isEmpty(), "plugin module " + moduleDirectory() + ": expected no classes of the host-shared "
                + "packages " + SHARED_PACKAGES + " in " + classes() + " (the host supplies them; declare those "
                + "dependencies <scope>provided</scope>), but found " + bundled);
    }

    /**
     * The archive ({@link #pluginArchive()}) bundles no host-shared class in {@code classes/} or in any
     * {@code lib/*.jar}: the host refuses such an archive (two copies of an SDK class make the plugin's components
     * invisible to it). Skipped while there is no archive yet (surefire runs before {@code package}).
     */
    @Test
    default void archiveBundlesNoHostSharedClasses() throws IOException {
        Path archive = pluginArchive();
        Assumptions.assumeTrue(archive != null, "no plugin archive in " + moduleDirectory().resolve("target")
                + " yet (it is built in the package phase; run this contract again after it, e.g. as a failsafe IT)");
        List<String> bundled = hostSharedClasses(archive);
        check(bundled.isEmpty(), archive + ": expected no classes of the host-shared packages " + SHARED_PACKAGES
                + " in classes/ or lib/*.jar (declare those dependencies <scope>provided</scope>, and exclude them "
                + "from the libraries you bundle), but found " + (bundled.size() > 10 ? bundled.subList(0, 10) + " and "
                + (bundled.size() - 10) + " more" : bundled));
    }

    /**
     * Every component's declaration passes the check an SDK 1.1 host runs when it loads the plugin: its settings
     * record binds its own defaults, and its {@code @Recommended} ranges are well-formed.
     */
    @Test
    default void componentDeclarationsPassTheHostsLoadCheck() {
        List<String> problems = new ArrayList<>();
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        for (String name : componentClasses()) {
            problems.addAll(SettingsDeclaration.forComponent(load(name, loader)));
        }
        check(problems.isEmpty(), "plugin module " + moduleDirectory() + ": the host would refuse the plugin at "
                + "load:\n" + String.join("\n", problems));
    }
}
