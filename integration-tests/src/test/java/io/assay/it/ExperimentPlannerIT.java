package io.assay.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.assay.framework.io.PngFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The experiment planner on the embedded world: cells that differ only in the autoencoder share one denoising loop
 * and are decoded once each (with the pixels an independent run gives), identical prompts are encoded once, a
 * variants axis keeps the order it is written in, and a resumed run writes the same {@code results.json} as an
 * uninterrupted one (timings aside), per-step columns included.
 */
class ExperimentPlannerIT {

    /** The suite's model cache: the worlds are built once for all classes. */
    static final Path cache = Dist.worldCache();

    static final ObjectMapper JSON = new ObjectMapper();

    static String cacheSet() {
        return "model.cache-dir=\"" + cache + "\"";
    }

    static Path experiment(Path dir, String name, String body) throws Exception {
        Path f = dir.resolve(name + ".conf");
        Files.writeString(f, "experiment {\n  name = " + name + "\n" + body + "\n}\n");
        return f;
    }

    static JsonNode json(Path f) throws Exception {
        return JSON.readTree(f.toFile());
    }

    @Test
    void threeAutoencoderVariantsRunOneLoopAndThreeDecodesInTheirWrittenOrder(@TempDir Path dir) throws Exception {
        Path exp = experiment(dir, "vae-variants", """
                  prompts = ["a red circle on a blue background"]
                  seeds = [7]
                  axes = [
                    { name = vae, variants {
                        whole {}
                        tiled { autoencoder.tiled-decode = true, autoencoder.tile-size = 4, autoencoder.tile-overlap = 2 }
                        scaled { autoencoder.scaling-factor = 0.2 }
                    } }
                  ]
                """);
        Path out = dir.resolve("out");
        Dist.cli("compare", exp.toString(), "--out", out.toString(), "--set", cacheSet(), "--set", "run.steps=12")
                .requireOk();
        JsonNode run = json(out.resolve("run.json"));
        assertThat(run.get("trajectories").asInt()).as("one denoising loop for the three cells").isEqualTo(1);
        assertThat(run.get("decodes").asInt()).as("one decode per cell").isEqualTo(3);
        assertThat(run.get("denoiserCalls").asInt()).as("one loop of 12 steps").isEqualTo(12);
        JsonNode rows = json(out.resolve("results.json")).get("results");
        assertThat(rows.findValuesAsText("vae")).as("the variants in the order they are written")
                .containsExactly("whole", "tiled", "scaled");
        assertThat(rows.get(0).get("trajectory").asText()).isEqualTo(rows.get(2).get("trajectory").asText());
        assertThat(rows.get(2).get("maeToBaseline").asDouble()).as("another scaling factor decodes differently")
                .isGreaterThan(0.01);
        assertThat(rows.get(2).get("stepL2ToBaseline")).as("the same trajectory: no drift").hasSize(12)
                .allSatisfy(d -> assertThat(d.asDouble()).isZero());

        // The shared trajectory decoded by the whole-image VAE gives the pixels an independent run gives.
        Dist.Result alone = Dist.cli("generate", "a red circle on a blue background", "--seed", "7", "--steps", "12",
                "--out", dir.resolve("alone").toString(), "--quiet", "--set", cacheSet()).requireOk();
        Path png = Path.of(alone.out().lines().filter(l -> l.endsWith(".png")).findFirst().orElseThrow().trim());
        assertThat(PngFiles.read(out.resolve(rows.get(0).get("image").asText())).rgb())
                .isEqualTo(PngFiles.read(png).rgb());
    }

    @Test
    void fourPromptsOfWhichTwoAreTheSameAreEncodedThreeTimes(@TempDir Path dir) throws Exception {
        Path exp = experiment(dir, "prompts", """
                  prompts = ["a red circle", "a green square", "a red circle", "a blue triangle"]
                  seeds = [0]
                  axes = [ { path = guidance.scale, values = [3, 12] } ]
                """);
        Path out = dir.resolve("out");
        Dist.cli("compare", exp.toString(), "--out", out.toString(), "--set", cacheSet(), "--set", "run.steps=4")
                .requireOk();
        JsonNode run = json(out.resolve("run.json"));
        assertThat(run.get("textEncodings").asInt()).as("3 distinct prompts, each with the negative prompt")
                .isEqualTo(3);
        assertThat(run.get("trajectories").asInt()).as("3 prompts × 2 scales").isEqualTo(6);
        assertThat(json(out.resolve("results.json")).get("results")).hasSize(8);
    }

    @Test
    void aResumedRunWritesTheResultsAnUninterruptedOneDoes(@TempDir Path dir) throws Exception {
        Path exp = experiment(dir, "resume", """
                  prompts = ["a red circle", "a green square"]
                  seeds = [0, 1]
                  axes = [ { path = guidance.scale, values = [0, 7.5] } ]
                """);
        Path whole = dir.resolve("whole");
        Path resumed = dir.resolve("resumed");
        String[] args = {"--set", cacheSet(), "--set", "run.steps=6"};
        Dist.cli(concat(new String[] {"compare", exp.toString(), "--out", whole.toString()}, args)).requireOk();
        Dist.cli(concat(new String[] {"compare", exp.toString(), "--out", resumed.toString()}, args)).requireOk();
        // Lose half the cells (and the report) as a killed run would, then resume.
        List<Path> cells;
        try (var s = Files.list(resumed.resolve("cells"))) {
            cells = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        for (Path c : cells.subList(0, cells.size() / 2)) {
            Files.delete(c);
            Files.delete(c.resolveSibling(c.getFileName().toString().replace(".json", ".png")));
        }
        Files.delete(resumed.resolve("results.json"));
        Dist.cli(concat(new String[] {"compare", exp.toString(), "--out", resumed.toString()}, args)).requireOk();
        assertThat(json(resumed.resolve("run.json")).get("computed").asInt()).isEqualTo(cells.size() / 2);
        JsonNode a = withoutTimings(json(whole.resolve("results.json")));
        JsonNode b = withoutTimings(json(resumed.resolve("results.json")));
        assertThat(b.get("results").get(1).get("stepX0L2ToBaseline")).as("per-step columns kept").hasSize(6);
        assertThat(b).isEqualTo(a);
    }

    static String[] concat(String[] a, String[] b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** The tree without its wall-time fields ({@code timingsMillis} anywhere). */
    static JsonNode withoutTimings(JsonNode n) {
        if (n instanceof ObjectNode o) {
            o.remove("timingsMillis");
            for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
                withoutTimings(it.next().getValue());
            }
        } else if (n.isArray()) {
            n.forEach(ExperimentPlannerIT::withoutTimings);
        }
        return n;
    }
}
