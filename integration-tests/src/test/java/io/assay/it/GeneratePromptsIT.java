package io.assay.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.framework.io.PngFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code assay generate --prompts FILE}: every line in one process, with per-line overrides, checked first. */
class GeneratePromptsIT {

    /** The suite's model cache: the worlds are built once for all classes. */
    static final Path cache = Dist.worldCache();

    static String cacheSet() {
        return "model.cache-dir=\"" + cache + "\"";
    }

    @Test
    void everyLineRunsWithItsOverridesAndGivesTheImageASingleRunGives(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("prompts.txt");
        Files.writeString(file, String.join("\n", "a red circle on a blue background", "# skipped",
                "{\"prompt\": \"a green square\", \"seed\": 5, \"steps\": 8}",
                "{\"prompt\": \"a blue triangle\", \"set\": {\"guidance.scale\": 3}}", ""));
        Dist.Result r = Dist.cli("generate", "--prompts", file.toString(), "--out", dir.resolve("out").toString(),
                "--quiet", "--set", cacheSet()).requireOk();
        List<Path> pngs = r.out().lines().map(String::trim).filter(l -> l.endsWith(".png")).map(Path::of).toList();
        assertThat(pngs).extracting(p -> p.getFileName().toString()).containsExactly(
                "a-red-circle-on-a-blue-background-0.png", "a-green-square-5.png", "a-blue-triangle-0.png");
        assertThat(PngFiles.readText(pngs.get(1)).get("parameters")).contains("Steps: 8", "Seed: 5");
        assertThat(PngFiles.readText(pngs.get(2)).get("parameters")).contains("CFG scale: 3");

        Dist.Result single = Dist.cli("generate", "a red circle on a blue background", "--out",
                dir.resolve("single").toString(), "--quiet", "--set", cacheSet()).requireOk();
        Path alone = Path.of(single.out().lines().filter(l -> l.endsWith(".png")).findFirst().orElseThrow().trim());
        assertThat(PngFiles.read(pngs.get(0)).rgb()).isEqualTo(PngFiles.read(alone).rgb());
    }

    @Test
    void aBadLineStopsTheRunBeforeAnyImageNamingTheLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.txt");
        Files.writeString(file, "a red circle\n{\"prompt\": \"x\", \"seed\": \"five\"}\n");
        Dist.Result r = Dist.cli("generate", "--prompts", file.toString(), "--out", dir.resolve("out").toString(),
                "--quiet", "--set", cacheSet());
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.err()).contains("bad.txt:2: seed: expected integer");
        assertThat(dir.resolve("out")).doesNotExist();
        Files.writeString(file, "a red circle\n{\"prompt\": \"x\", \"steps\": 0}\n");
        Dist.Result range = Dist.cli("generate", "--prompts", file.toString(), "--out", dir.resolve("out").toString(),
                "--quiet", "--set", cacheSet());
        assertThat(range.exit()).isEqualTo(3);
        assertThat(range.err()).as("a value the configuration refuses, named at its line").contains("bad.txt:2",
                "run.steps");
        assertThat(dir.resolve("out")).doesNotExist();
        Dist.Result both = Dist.cli("generate", "x", "--prompts", file.toString(), "--set", cacheSet());
        assertThat(both.exit()).isEqualTo(2);
        assertThat(both.err()).contains("--prompts runs every line");
    }
}
