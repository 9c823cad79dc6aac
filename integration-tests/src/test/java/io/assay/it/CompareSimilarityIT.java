package io.assay.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code assay compare}'s image–text similarity as an SDK 1.1 stage: {@code metrics.similarity = clip-score} (plugin
 * curation-io) scores each cell in place of the built-in {@code image-text} scorer — on the embedded world both are
 * CLIP-style cosines over the world's image encoder, so they agree — and names itself in the results; an unknown name
 * is refused with the installed metrics.
 */
class CompareSimilarityIT {

    @TempDir
    static Path tmp;

    @Test
    void aSimilarityMetricComponentScoresTheCells() throws Exception {
        Path exp = Files.writeString(tmp.resolve("sim.conf"), """
                experiment {
                  name = sim
                  prompts = ["a red circle on a blue background", "a green square"]
                  seeds = [7]
                  axes = [ { path = guidance.scale, values = [7.5] } ]
                }
                """);
        String cache = "model.cache-dir=\"" + Dist.worldCache() + "\"";
        Dist.cli("compare", exp.toString(), "--out", tmp.resolve("built-in").toString(), "--set", cache, "--set",
                "run.steps=6").requireOk();
        Dist.cli("compare", exp.toString(), "--out", tmp.resolve("component").toString(), "--set", cache, "--set",
                "run.steps=6", "--set", "metrics.similarity=clip-score").requireOk();
        ObjectMapper json = new ObjectMapper();
        JsonNode a = json.readTree(tmp.resolve("built-in/results.json").toFile()).get("results");
        JsonNode b = json.readTree(tmp.resolve("component/results.json").toFile()).get("results");
        assertThat(a).hasSize(2);
        assertThat(b).hasSize(2);
        for (int i = 0; i < 2; i++) {
            double x = a.get(i).get("imageTextSimilarity").asDouble();
            double y = b.get(i).get("imageTextSimilarity").asDouble();
            System.out.printf("cell %d: image-text %.6f, clip-score %.6f%n", i, x, y);
            assertThat(a.get(i).get("imageTextSimilarity").isNumber()).isTrue();
            assertThat(y).as("clip-score agrees with the built-in scorer").isCloseTo(x,
                    org.assertj.core.data.Offset.offset(1e-4));
            assertThat(b.get(i).get("similarityMetric").asText()).startsWith("SimilarityMetric 'clip-score' "
                    + "(plugin curation-io");
            assertThat(a.get(i).has("similarityMetric")).isFalse();
        }

        Dist.Result bad = Dist.cli("compare", exp.toString(), "--out", tmp.resolve("bad").toString(), "--set", cache,
                "--set", "run.steps=6", "--set", "metrics.similarity=clip-scor");
        assertThat(bad.exit()).isNotZero();
        assertThat(bad.err()).contains("metrics.similarity: no SimilarityMetric named 'clip-scor'", "clip-score");
    }
}
