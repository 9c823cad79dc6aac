package io.assay.framework.host;

import java.util.List;

/**
 * The packages the host shares with every plugin (loaded parent-first, never from a plugin's own jars): the SDK
 * (including {@code io.assay.sdk.onnx}), PF4J, ONNX Runtime (its native library can be loaded by one class loader
 * only, and {@code OrtEnvironment} is a per-process singleton), SLF4J, Guice and jakarta.inject. Everything else a
 * plugin bundles is its own.
 */
public final class SharedPackages {

    /** Package prefixes, each ending in '.'. */
    public static final List<String> PREFIXES = List.of(
            "io.assay.sdk.", "org.pf4j.", "ai.onnxruntime.", "org.slf4j.", "com.google.inject.", "jakarta.inject.");

    private SharedPackages() {
    }

    /** Whether a class (binary name) comes from the host. */
    public static boolean isShared(String className) {
        for (String p : PREFIXES) {
            if (className.startsWith(p)) {
                return true;
            }
        }
        return className.startsWith("java.") || className.startsWith("javax.") || className.startsWith("jdk.")
                || className.startsWith("sun.");
    }

    /** Whether a resource path inside an archive holds a shared class ({@code io/assay/sdk/Stage.class}). */
    public static boolean isSharedEntry(String entry) {
        String e = entry.startsWith("classes/") ? entry.substring("classes/".length()) : entry;
        if (!e.endsWith(".class")) {
            return false;
        }
        String cls = e.substring(0, e.length() - ".class".length()).replace('/', '.');
        for (String p : PREFIXES) {
            if (cls.startsWith(p)) {
                return true;
            }
        }
        return false;
    }
}
