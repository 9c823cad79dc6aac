package io.assay.framework.host;

import io.assay.sdk.SdkVersion;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;
import org.pf4j.DefaultVersionManager;

/**
 * Checks a plugin archive (zip) or directory before anything of it is loaded: its {@code plugin.properties}
 * (kebab-case id, semantic version, an SDK range this host satisfies, a description, no plugin dependencies) and that
 * it bundles no host-shared class ({@link SharedPackages}).
 */
final class PluginArchives {

    private static final Pattern ID = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*");
    private static final Pattern SEMVER = Pattern.compile("\\d+\\.\\d+\\.\\d+(-[0-9A-Za-z.-]+)?");

    /** A valid descriptor. */
    record Descriptor(String id, String version, String requires, String description) {
        String label() {
            return id + "@" + version;
        }
    }

    private PluginArchives() {
    }

    /**
     * The archive's descriptor, once every check passed.
     *
     * @param label how messages name the archive (its path relative to the plugins directory)
     * @throws Refusal naming every descriptor problem, an incompatible SDK range or the bundled host class
     */
    static Descriptor inspect(Path path, String label, ArchiveLimits limits) throws Refusal {
        if (!Files.isDirectory(path)) {
            String problem = archiveProblem(path, limits);
            if (problem != null) {
                throw new Refusal(null, null, null, PluginInfo.State.REFUSED, label + ": " + problem);
            }
        }
        Properties d = properties(path, label);
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
        if (!d.getProperty("plugin.dependencies", "").isBlank()) {
            problems.add("plugin.dependencies: plugin-to-plugin dependencies are not supported yet");
        }
        if (!problems.isEmpty()) {
            throw new Refusal(id, version, requires, PluginInfo.State.REFUSED, label + "/plugin.properties: "
                    + String.join("; ", problems));
        }
        Descriptor desc = new Descriptor(id, version, requires, description);
        String sdk = SdkVersion.VERSION.replaceFirst("-.*$", "");
        boolean compatible;
        try {
            compatible = new DefaultVersionManager().checkVersionConstraint(sdk, requires.trim());
        } catch (RuntimeException e) {
            throw Refusal.of(desc, PluginInfo.State.REFUSED, label + "/plugin.properties: plugin.requires: '"
                    + requires + "' is not a version range (" + e.getMessage() + ")");
        }
        if (!compatible) {
            throw Refusal.of(desc, PluginInfo.State.REFUSED, "plugin '" + desc.label() + "' requires SDK " + requires
                    + " but this host provides SDK " + sdk);
        }
        String bundled = Files.isDirectory(path) ? bundledHostClass(path)
                : ExtractionCache.remembered(path, "scan", () -> bundledHostClass(path));
        if (bundled != null) {
            throw Refusal.of(desc, PluginInfo.State.REFUSED, "plugin '" + desc.label() + "' (" + label
                    + ") bundles host-shared class " + bundled + "; the SDK, PF4J, ONNX Runtime, SLF4J and Guice "
                    + "come from the host: declare them with <scope>provided</scope>");
        }
        String halting = Files.isDirectory(path) ? haltingClass(path)
                : ExtractionCache.remembered(path, "halt", () -> haltingClass(path));
        if (halting != null) {
            throw Refusal.of(desc, PluginInfo.State.REFUSED, "plugin '" + desc.label() + "' (" + label + "): "
                    + halting + "; a plugin must not end the host process (throw a StageException instead)");
        }
        return desc;
    }

    /** Entry count, declared unpacked size and ratio against the limits, from the zip's directory alone. */
    private static String archiveProblem(Path path, ArchiveLimits limits) throws Refusal {
        try (ZipFile zip = new ZipFile(path.toFile())) {
            long entries = 0;
            long bytes = 0;
            for (ZipEntry e : Collections.list(zip.entries())) {
                entries++;
                bytes += Math.max(0, e.getSize());
            }
            String problem = limits.problem(entries, bytes, Files.size(path));
            return problem == null ? null : "archive " + problem;
        } catch (IOException e) {
            throw new Refusal(null, null, null, PluginInfo.State.REFUSED, "'" + path + "' is not a readable zip: "
                    + e.getMessage());
        }
    }

    /** The first class of the plugin's own code ({@code classes/}) that calls System.exit or the like, or null. */
    private static String haltingClass(Path path) throws Refusal {
        try {
            if (Files.isDirectory(path)) {
                Path classes = path.resolve("classes");
                if (!Files.isDirectory(classes)) {
                    return null;
                }
                try (Stream<Path> s = Files.walk(classes)) {
                    for (Path f : (Iterable<Path>) s.sorted()::iterator) {
                        if (f.toString().endsWith(".class")) {
                            try (InputStream in = Files.newInputStream(f)) {
                                String hit = halting(in);
                                if (hit != null) {
                                    return hit;
                                }
                            }
                        }
                    }
                }
                return null;
            }
            try (ZipFile zip = new ZipFile(path.toFile())) {
                for (ZipEntry e : Collections.list(zip.entries())) {
                    if (e.getName().startsWith("classes/") && e.getName().endsWith(".class")) {
                        try (InputStream in = zip.getInputStream(e)) {
                            String hit = halting(in);
                            if (hit != null) {
                                return hit;
                            }
                        }
                    }
                }
            }
            return null;
        } catch (IOException e) {
            throw new Refusal(null, null, null, PluginInfo.State.REFUSED, "'" + path + "': a class file cannot be "
                    + "read: " + e.getMessage());
        }
    }

    private static String halting(InputStream in) throws IOException {
        HaltCalls.Found f = HaltCalls.scan(in);
        return f.calls().isEmpty() ? null : "class " + f.className() + " calls " + String.join(", ", f.calls());
    }

    /**
     * The archive's plugin id and version without any check beyond reading its descriptor (one zip entry), or null if
     * it has no readable, well-formed id and version — {@link #inspect} then says what is wrong.
     */
    static String[] peek(Path path) {
        try {
            if (!Files.isDirectory(path) && archiveProblem(path, ArchiveLimits.DEFAULTS) != null) {
                return null;
            }
            Properties d = properties(path, path.getFileName().toString());
            String id = d.getProperty("plugin.id");
            String version = d.getProperty("plugin.version");
            if (id == null || !ID.matcher(id).matches() || version == null || !SEMVER.matcher(version).matches()) {
                return null;
            }
            return new String[] {id, version};
        } catch (Refusal | RuntimeException e) {
            return null;
        }
    }

    /** Semantic-version order (PF4J's: pre-releases before their release). */
    static int compareVersions(String a, String b) {
        return new DefaultVersionManager().compareVersions(a, b);
    }

    private static Properties properties(Path path, String label) throws Refusal {
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
                    String hit = sharedIn(rel, () -> Files.newInputStream(f));
                    if (hit != null) {
                        return hit;
                    }
                }
            } catch (IOException e) {
                throw new Refusal(null, null, null, PluginInfo.State.FAILED, "cannot read '" + path + "': " + e);
            }
            return null;
        }
        try (ZipFile zip = new ZipFile(path.toFile())) {
            for (ZipEntry e : Collections.list(zip.entries())) {
                String hit = sharedIn(e.getName(), () -> zip.getInputStream(e));
                if (hit != null) {
                    return hit;
                }
            }
        } catch (IOException e) {
            throw new Refusal(null, null, null, PluginInfo.State.REFUSED, "'" + path + "' is not a readable zip: "
                    + e.getMessage());
        }
        return null;
    }

    /** Opens an entry's bytes. */
    private interface Opener {
        InputStream open() throws IOException;
    }

    /** The entry itself if it is a shared class, the shared class inside it if it is a lib/ jar, else null. */
    private static String sharedIn(String entry, Opener opener) throws IOException {
        if (SharedPackages.isSharedEntry(entry)) {
            return entry;
        }
        if (entry.startsWith("lib/") && entry.endsWith(".jar")) {
            try (InputStream in = opener.open()) {
                String hit = scanJar(in);
                if (hit != null) {
                    return entry + "!/" + hit;
                }
            }
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
}
