package io.assay.sdk.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;

/**
 * Builds a PF4J plugin archive (zip: {@code plugin.properties}, {@code classes/}) at test time from Java sources
 * given as strings, compiled against the running test's class path with PF4J's extension annotation processor run
 * explicitly (so {@code META-INF/extensions.idx} is written on every JDK). For hot-reload tests and for plugin
 * authors' own packaging tests.
 *
 * <pre>
 * Path zip = PluginArchiveBuilder.plugin("hello", "1.0.0")
 *         .source("io.example.HelloGuidance", "package io.example; …")
 *         .build(tempDir);
 * </pre>
 */
public final class PluginArchiveBuilder {

    private final String id;
    private final String version;
    private String requires = ">=1.0.0 & <2.0.0";
    private String description;
    private final Map<String, String> sources = new LinkedHashMap<>();
    private final Map<String, byte[]> resources = new LinkedHashMap<>();
    private boolean extensionIndex = true;

    private PluginArchiveBuilder(String id, String version) {
        this.id = id;
        this.version = version;
        this.description = "test plugin " + id;
    }

    /** A plugin with an id and version. */
    public static PluginArchiveBuilder plugin(String id, String version) {
        return new PluginArchiveBuilder(id, version);
    }

    /** The SDK range ({@code plugin.requires}); null leaves the key out. */
    public PluginArchiveBuilder requires(String range) {
        this.requires = range;
        return this;
    }

    /** The description; null leaves the key out. */
    public PluginArchiveBuilder description(String text) {
        this.description = text;
        return this;
    }

    /** A Java source by fully qualified class name. */
    public PluginArchiveBuilder source(String className, String code) {
        sources.put(className, code);
        return this;
    }

    /** An extra archive entry (e.g. a class under a host-shared package, to test refusals). */
    public PluginArchiveBuilder resource(String path, byte[] bytes) {
        resources.put(path, bytes);
        return this;
    }

    /** Leaves out {@code META-INF/extensions.idx} (to test the refusal). */
    public PluginArchiveBuilder withoutExtensionIndex() {
        this.extensionIndex = false;
        return this;
    }

    /** Compiles and writes {@code <dir>/<id>-<version>.zip}; compiler diagnostics fail the build. */
    public Path build(Path dir) throws IOException {
        Path classes = Files.createTempDirectory(dir, "classes-");
        if (!sources.isEmpty()) {
            compile(sources, List.of(), classes);
        }
        Path zip = dir.resolve(id + "-" + version + ".zip");
        try (OutputStream os = Files.newOutputStream(zip); ZipOutputStream z = new ZipOutputStream(os)) {
            StringBuilder props = new StringBuilder();
            props.append("plugin.id=").append(id).append('\n').append("plugin.version=").append(version).append('\n');
            if (requires != null) {
                props.append("plugin.requires=").append(requires).append('\n');
            }
            if (description != null) {
                props.append("plugin.description=").append(description).append('\n');
            }
            put(z, "plugin.properties", props.toString().getBytes(StandardCharsets.UTF_8));
            try (Stream<Path> s = Files.walk(classes)) {
                for (Path p : (Iterable<Path>) s.sorted()::iterator) {
                    if (Files.isRegularFile(p)) {
                        String rel = classes.relativize(p).toString().replace('\\', '/');
                        if (!extensionIndex && rel.equals("META-INF/extensions.idx")) {
                            continue;
                        }
                        put(z, "classes/" + rel, Files.readAllBytes(p));
                    }
                }
            }
            for (Map.Entry<String, byte[]> e : resources.entrySet()) {
                put(z, e.getKey(), e.getValue());
            }
        }
        return zip;
    }

    /**
     * Compiles Java sources (class name → code) into {@code into} against the running test's class path plus
     * {@code classPath}, with PF4J's extension annotation processor run explicitly (so {@code extensions.idx} is
     * written for {@code @Extension} classes on every JDK); compiler diagnostics fail with the plugin's name.
     */
    public static void compile(Map<String, String> sources, List<Path> classPath, Path into) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new IllegalStateException("no Java compiler: run the tests on a JDK, not a JRE");
        }
        List<JavaFileObject> units = new ArrayList<>();
        for (Map.Entry<String, String> e : sources.entrySet()) {
            units.add(new SimpleJavaFileObject(URI.create("string:///" + e.getKey().replace('.', '/') + ".java"),
                    JavaFileObject.Kind.SOURCE) {
                @Override
                public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                    return e.getValue();
                }
            });
        }
        StringBuilder cp = new StringBuilder(System.getProperty("java.class.path"));
        classPath.forEach(p -> cp.append(java.io.File.pathSeparator).append(p));
        StringWriter diagnostics = new StringWriter();
        List<String> options = List.of("-d", into.toString(), "-classpath", cp.toString(), "--release", "17",
                "-processor", "org.pf4j.processor.ExtensionAnnotationProcessor");
        if (!javac.getTask(diagnostics, null, null, options, null, units).call()) {
            throw new IllegalStateException("sources " + sources.keySet() + " did not compile:\n" + diagnostics);
        }
    }

    private static void put(ZipOutputStream z, String name, byte[] bytes) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setTime(0);
        z.putNextEntry(e);
        z.write(bytes);
        z.closeEntry();
    }
}
