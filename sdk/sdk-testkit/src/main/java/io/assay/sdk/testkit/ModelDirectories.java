package io.assay.sdk.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Model-directory fixtures: copying a reference model and applying an exporter-variant overlay the way
 * {@code ../shared/reference/tiny-sd/variants/README.md} specifies (each top-level entry of the variant replaces the
 * base's entry as a whole, never merged file by file).
 */
public final class ModelDirectories {

    private ModelDirectories() {
    }

    /** Copies {@code base} into {@code into}, then replaces each top-level entry of {@code variant} (may be null). */
    public static Path overlay(Path base, Path variant, Path into) throws IOException {
        copyTree(base, into);
        if (variant != null) {
            try (Stream<Path> s = Files.list(variant)) {
                for (Path e : (Iterable<Path>) s::iterator) {
                    Path dst = into.resolve(e.getFileName().toString());
                    deleteTree(dst);
                    copyTree(e, dst);
                }
            }
        }
        return into;
    }

    /** The tiny-sd reference model with a variant overlay ({@code null} or "base" for none) in {@code into}. */
    public static Path tinySd(String variant, Path into) throws IOException {
        Path ref = References.require("tiny-sd");
        Path v = variant == null || variant.equals("base") ? null : ref.resolve("variants").resolve(variant);
        return overlay(ref.resolve("model"), v, into);
    }

    /** Copies a file or directory tree. */
    public static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path d = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(d);
                } else {
                    Files.createDirectories(d.getParent());
                    Files.copy(p, d);
                }
            }
        }
    }

    /** Deletes a file or directory tree if it exists. */
    public static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(q);
            }
        }
    }
}
