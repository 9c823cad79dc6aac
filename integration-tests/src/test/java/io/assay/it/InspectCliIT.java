package io.assay.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.assay.framework.io.PngFiles;
import io.assay.framework.world.ProceduralWeb;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code assay inspect influence} and {@code assay inspect vae} through the CLI on the embedded world. */
class InspectCliIT {

    @TempDir
    static Path cache;

    static String cacheSet() {
        return "model.cache-dir=\"" + cache + "\"";
    }

    @Test
    void influenceWritesAMapPerWordAndEveryNumber(@TempDir Path out) throws Exception {
        Dist.Result r = Dist.cli("inspect", "influence", "a red circle", "--seed", "2", "--out", out.toString(),
                "--set", "run.steps=6", "--set", cacheSet()).requireOk();
        assertThat(r.out().trim()).isEqualTo(out.resolve("index.html").toString());
        JsonNode j = new ObjectMapper().readTree(out.resolve("influence.json").toFile());
        assertThat(j.get("prompt").asText()).isEqualTo("a red circle");
        assertThat(j.get("tokens")).hasSize(3);
        assertThat(j.get("rowsPerStep").asInt()).as("2 rows for each of 4 runs, 3 shared rows").isEqualTo(11);
        assertThat(j.get("denoiserCalls").asInt()).isEqualTo(6);
        double shares = 0;
        for (JsonNode t : j.get("tokens")) {
            assertThat(t.get("perStep")).hasSize(6);
            assertThat(t.get("totalInfluence").asDouble()).isPositive();
            shares += t.get("share").asDouble();
            for (String k : new String[] {"image", "heat", "overlay"}) {
                assertThat(PngFiles.read(out.resolve(t.get(k).asText())).width()).isEqualTo(64);
            }
        }
        assertThat(shares).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(j.get("tokens").get(1).get("word").asText()).isEqualTo("red");
        assertThat(j.get("tokens").get(1).get("heat").asText()).isEqualTo("02-red-heat.png");
        String html = Files.readString(out.resolve("index.html"));
        assertThat(html).contains("<th scope=\"row\">red</th>", "alt=\"heat map of the change without 'red'\"");
    }

    @Test
    void vaeAuditsAProceduralImage(@TempDir Path out) throws Exception {
        Path img = out.resolve("scene.png");
        // 60×52: cropped to 56×48 for the factor 8.
        PngFiles.write(img, ProceduralWeb.render(ProceduralWeb.scenes(3, 1).get(0), 60, 52), Map.of());
        Path dir = out.resolve("audit");
        Dist.cli("inspect", "vae", img.toString(), "--out", dir.toString(), "--set", cacheSet()).requireOk();
        JsonNode a = new ObjectMapper().readTree(dir.resolve("audit.json").toFile());
        assertThat(a.get("width").asInt()).isEqualTo(56);
        assertThat(a.get("height").asInt()).isEqualTo(48);
        assertThat(a.get("croppedFrom").asText()).isEqualTo("60x52");
        assertThat(a.get("latentShape").toString()).isEqualTo("[1,4,6,7]");
        // The world's autoencoder reconstructs its own corpus (WorldCompilerTest: above 15 dB at 64×64).
        assertThat(a.get("psnr").asDouble()).isBetween(15.0, 60.0);
        assertThat(a.get("ssim").asDouble()).isBetween(0.3, 1.0);
        assertThat(a.get("bands")).hasSize(5);
        assertThat(PngFiles.read(dir.resolve("residual.png")).width()).isEqualTo(56);
    }

    @Test
    void badArgumentsAreOneLineWithTheirExitCode(@TempDir Path out) {
        Dist.Result missing = Dist.cli("inspect", "vae", out.resolve("nope.png").toString(), "--out",
                out.resolve("a").toString(), "--set", cacheSet());
        assertThat(missing.exit()).isEqualTo(3);
        assertThat(missing.err()).contains("nope.png").contains("does not exist").doesNotContain("Exception");
        Dist.Result unit = Dist.cli("inspect", "influence", "a red circle", "--unit", "letter", "--set", cacheSet());
        assertThat(unit.exit()).isEqualTo(2);
        assertThat(unit.err()).contains("--unit must be word or token");
        assertThat(out.resolve("a")).doesNotExist();
    }
}
