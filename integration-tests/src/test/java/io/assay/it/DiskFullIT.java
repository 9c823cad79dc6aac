package io.assay.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.framework.world.EmbeddedWorld;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk, for real: the CLI runs as its own process under {@code ulimit -f} (RLIMIT_FSIZE), so every write past
 * the limit fails inside the kernel ({@code EFBIG}, "File too large") exactly where a full file system fails with
 * {@code ENOSPC} — no mount, no root, no mock. Each run must end with exit 7 and one line naming the file and the
 * cause, leave no temporary or half-written file, and a later run with room must finish as if nothing had happened.
 */
class DiskFullIT {

    @TempDir
    static Path cache;

    /** Warm caches (the world, the plugins' extraction), so the limited runs write only their own outputs. */
    @BeforeAll
    static void warm() throws Exception {
        EmbeddedWorld.ensure(cache, msg -> { });
        Run r = run(0, "plugins");
        assertThat(r.exit).as(r.err).isZero();
    }

    record Run(int exit, String out, String err) {
    }

    /** {@code bin/assay ARGS} in its own process, its files limited to {@code kib} KiB (0: no limit). */
    static Run run(int kib, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", "-c", (kib > 0 ? "ulimit -f " + kib + "; " : "")
                + "exec \"$0\" \"$@\"", Dist.home().resolve("bin/assay").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("ASSAY_CACHE_DIR", cache.toString());
        // The JVM's own perf-data file would be the first to hit the limit (a warning on stderr): not ours.
        pb.environment().put("ASSAY_JAVA_OPTS", "-XX:-UsePerfData");
        Path out = Files.createTempFile("disk-full-", ".out");
        Path err = Files.createTempFile("disk-full-", ".err");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        assertThat(p.waitFor(180, TimeUnit.SECONDS)).as("finished").isTrue();
        Run r = new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
        Files.delete(out);
        Files.delete(err);
        return r;
    }

    static List<String> files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void aGenerateThatCannotWriteItsImageSaysWhereAndLeavesNothing(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("out");
        Run full = run(2, "generate", "a red circle on a blue background", "--out", out.toString(), "--quiet",
                "--set", "model.cache-dir=\"" + cache + "\"");
        assertThat(full.exit).as("exit code; stderr: %s", full.err).isEqualTo(7);
        List<String> lines = full.err.lines().filter(l -> !l.isBlank()).toList();
        assertThat(lines).as("one line on stderr").hasSize(1);
        assertThat(lines.get(0)).contains(out.toString(), "File too large").doesNotContain("\tat ", "Exception");
        assertThat(files(out)).as("nothing half-written in " + out).isEmpty();

        Run room = run(0, "generate", "a red circle on a blue background", "--out", out.toString(), "--quiet",
                "--set", "model.cache-dir=\"" + cache + "\"");
        assertThat(room.exit).as(room.err).isZero();
        assertThat(files(out)).containsExactly("a-red-circle-on-a-blue-background-0.png");
    }

    @Test
    void aCurationThatRunsOutOfRoomResumesToTheSameDataset(@TempDir Path tmp) throws Exception {
        Path conf = tmp.resolve("small.conf");
        Files.writeString(conf, """
                curation {
                  source { type = procedural, records = 600 }
                  filters = [
                    { name = junk-caption }
                    { name = min-size, min-width = 32, min-height = 32 }
                  ]
                  format = webdataset
                  shard-size = 100
                  checkpoint-every = 100
                }
                """);
        Path run = tmp.resolve("run");
        Run full = run(24, "curate", conf.toString(), "--out", run.toString());
        assertThat(full.exit).as("exit code; stdout: %s stderr: %s", full.out, full.err).isEqualTo(7);
        List<String> lines = full.err.lines().filter(l -> !l.isBlank() && !l.startsWith("curate:")
                && !l.contains("records/s")).toList();
        assertThat(lines).as("one line on stderr").hasSize(1);
        assertThat(lines.get(0)).contains(run.toString(), "File too large").doesNotContain("\tat ", "Exception");
        assertThat(files(run)).as("no temporary file left").noneMatch(f -> f.contains(".tmp") || f.contains(".part")
                || f.startsWith(".") && !f.equals(".assay.lock"));

        Run resumed = run(0, "curate", conf.toString(), "--out", run.toString());
        assertThat(resumed.exit).as(resumed.err).isZero();
        Path straight = tmp.resolve("straight");
        Run clean = run(0, "curate", conf.toString(), "--out", straight.toString());
        assertThat(clean.exit).as(clean.err).isZero();
        assertThat(counts(run)).isEqualTo(counts(straight));
        assertThat(counts(run).get("read").asLong()).isEqualTo(600);
        assertThat(sortedLines(run.resolve("ledger.jsonl"))).isEqualTo(sortedLines(straight.resolve("ledger.jsonl")));
        assertThat(files(run).stream().filter(f -> f.endsWith(".tar")).toList())
                .isEqualTo(files(straight).stream().filter(f -> f.endsWith(".tar")).toList());
    }

    /** summary.json without its timings (seconds, records per second) and output path; compared as JSON trees. */
    static com.fasterxml.jackson.databind.JsonNode counts(Path run) throws IOException {
        com.fasterxml.jackson.databind.node.ObjectNode s = (com.fasterxml.jackson.databind.node.ObjectNode)
                new com.fasterxml.jackson.databind.ObjectMapper().readTree(run.resolve("summary.json").toFile());
        s.remove(List.of("seconds", "recordsPerSecond", "keptDataset"));
        s.get("filters").forEach(f -> ((com.fasterxml.jackson.databind.node.ObjectNode) f).remove("seconds"));
        return s;
    }

    static List<String> sortedLines(Path f) throws IOException {
        return Files.readAllLines(f).stream().sorted().toList();
    }
}
