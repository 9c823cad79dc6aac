package io.assay.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code assay compare} on the embedded world: the commodity CFG sweep writes cells, a contact sheet, results and a
 * report; a re-run recomputes only missing cells; malformed experiments are refused before any cell runs.
 */
class CompareIT {

    @TempDir
    static Path cache;

    static String cacheSet() {
        return "model.cache-dir=\"" + cache + "\"";
    }

    static JsonNode results(Path out) throws Exception {
        return new ObjectMapper().readTree(out.resolve("results.json").toFile());
    }

    @Test
    void theCommoditySweepWritesEveryArtefactAndResumesOnlyMissingCells(@TempDir Path out) throws Exception {
        Path exp = Dist.configs().resolve("experiments/commodity-cfg-sweep.conf");
        Dist.cli("compare", exp.toString(), "--out", out.toString(), "--set", cacheSet()).requireOk();
        JsonNode r = results(out);
        assertThat(r.get("computed").asInt()).isEqualTo(4);
        assertThat(r.get("results")).hasSize(4);
        assertThat(r.get("onnxSessionsCreated").asInt()).as("text encoder, U-Net, VAE encoder and decoder, each "
                + "loaded once for the 4 cells").isEqualTo(4);
        assertThat(Files.readAllLines(out.resolve("results.csv"))).hasSize(5);
        assertThat(out.resolve("sheet-1.png")).isRegularFile();
        String html = Files.readString(out.resolve("index.html"));
        assertThat(html.split("<tr>", -1)).hasSize(1 + 1 + 4);
        JsonNode cfg0 = r.get("results").get(0);
        JsonNode cfg12 = r.get("results").get(2);
        assertThat(cfg0.get("guidance.scale").asText()).isEqualTo("0");
        assertThat(cfg12.get("guidance.scale").asText()).isEqualTo("12");
        assertThat(cfg12.get("maeToBaseline").asDouble()).as("CFG 12 differs from CFG 0").isGreaterThan(0.05);
        assertThat(cfg0.get("initialNoiseSha256").asText()).as("every cell starts from the same noise")
                .isEqualTo(cfg12.get("initialNoiseSha256").asText());
        assertThat(cfg12.get("stepL2ToBaseline")).hasSize(20);

        // Resume: nothing to do, then only the two deleted cells.
        Dist.cli("compare", exp.toString(), "--out", out.toString(), "--set", cacheSet()).requireOk();
        assertThat(results(out).get("computed").asInt()).isZero();
        try (Stream<Path> s = Files.list(out.resolve("cells"))) {
            s.filter(p -> p.toString().endsWith(".png")).limit(2).forEach(p -> p.toFile().delete());
        }
        Dist.cli("compare", exp.toString(), "--out", out.toString(), "--set", cacheSet()).requireOk();
        assertThat(results(out).get("computed").asInt()).isEqualTo(2);
        assertThat(results(out).get("reused").asInt()).isEqualTo(2);
    }

    @Test
    void malformedExperimentsAreRefusedBeforeAnyCellRuns(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad-axis.conf");
        Files.writeString(bad, String.join("\n", "experiment {", "  prompts = [\"a red circle\"]", "  axes = [",
                "    { path = guidance.scalee, values = [1, 2] }", "  ]", "}", ""));
        Dist.Result r = Dist.cli("compare", bad.toString(), "--out", dir.resolve("o1").toString(), "--set",
                cacheSet());
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.err()).contains("bad-axis.conf:4", "axis 'guidance.scalee' value '1'",
                "did you mean 'scale'?");
        assertThat(dir.resolve("o1/cells")).doesNotExist();

        Path empty = dir.resolve("empty.conf");
        Files.writeString(empty, "experiment {\n  prompts = [\"x\"]\n  axes = [ { path = guidance.scale, values = [] } ]\n}\n");
        Dist.Result e = Dist.cli("compare", empty.toString(), "--set", cacheSet());
        assertThat(e.exit()).isEqualTo(3);
        assertThat(e.err()).contains("empty.conf:3", "needs a non-empty list of values");

        Path missing = dir.resolve("missing-plugin.conf");
        Files.writeString(missing, String.join("\n", "experiment {", "  prompts = [\"x\"]", "  axes = [",
                "    { name = guidance, variants { plain { guidance.name = cfg }, fancy { guidance.name = pag } } }",
                "  ]", "}", ""));
        Dist.Result m = Dist.cli("compare", missing.toString(), "--set", cacheSet());
        assertThat(m.exit()).isEqualTo(3);
        assertThat(m.err()).contains("missing-plugin.conf:4", "axis 'guidance' value 'fancy'",
                "no Guidance named 'pag'");
    }
}
