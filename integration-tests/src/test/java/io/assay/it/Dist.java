package io.assay.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.framework.cli.AssayCli;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/** The built distribution and the CLI, run in-process. */
final class Dist {

    private Dist() {
    }

    /** The distribution folder the reactor built ({@code framework/distribution/target/assay}). */
    static Path home() {
        Path p = Paths.get(System.getProperty("assay.distribution", "../framework/distribution/target/assay"));
        assertThat(p.resolve("plugins")).as("built distribution at %s (run the reactor build first)", p)
                .isDirectory();
        return p.toAbsolutePath().normalize();
    }

    private static Path worldCache;

    /**
     * One model cache for the whole suite (this JVM), deleted when it exits: the embedded world and the curated
     * worlds are built once rather than once per test class (about 4 s each, in a warm JVM). Tests of the cache
     * itself (building, corruption, a full disk) keep caches of their own.
     */
    static synchronized Path worldCache() {
        if (worldCache == null) {
            try {
                Path dir = java.nio.file.Files.createTempDirectory("assay-it-cache-");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try (java.util.stream.Stream<Path> s = java.nio.file.Files.walk(dir)) {
                        s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                    } catch (IOException | RuntimeException ignored) {
                        // best effort: the OS's temporary folder is cleaned anyway
                    }
                }));
                worldCache = dir;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return worldCache;
    }

    /** The repository's configs/ folder. */
    static Path configs() {
        return Paths.get(System.getProperty("assay.configs", "../configs")).toAbsolutePath().normalize();
    }

    /** A CLI run's outcome. */
    record Result(int exit, String out, String err) {
        Result requireOk() {
            assertThat(exit).as("exit code; stderr:%n%s%nstdout:%n%s", err, out).isZero();
            return this;
        }
    }

    /** Runs {@code assay ARGS} in-process against the built plugins. */
    static Result cli(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        // Every command that reads a pipeline takes --plugins-dir; put it after the subcommand (and sub-subcommand).
        int at = args.length > 1 && (args[0].equals("config") || args[0].equals("inspect")) ? 2 : 1;
        all.add(Math.min(at, all.size()), "--plugins-dir=" + home().resolve("plugins"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = AssayCli.run(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    /** The overlay rule of the tiny-sd variants (see {@link io.assay.sdk.testkit.ModelDirectories}). */
    static Path overlay(Path base, Path variant, Path into) throws IOException {
        return io.assay.sdk.testkit.ModelDirectories.overlay(base, variant, into);
    }
}
