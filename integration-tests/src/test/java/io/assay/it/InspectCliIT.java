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

    /** The suite's model cache: the worlds are built once for all classes. */
    static final Path cache = Dist.worldCache();

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
        assertThat(j.get("maps").toString()).as("both kinds by default").isEqualTo("[\"same-latents\",\"rerun\"]");
        double shares = 0;
        double rerunShares = 0;
        for (JsonNode t : j.get("tokens")) {
            assertThat(t.get("perStep")).hasSize(6);
            assertThat(t.get("rerunPerStep")).hasSize(6);
            assertThat(t.get("totalInfluence").asDouble()).isPositive();
            assertThat(t.get("rerunTotalInfluence").asDouble()).isPositive();
            assertThat(t.get("conditioning").asText()).isEqualTo("cond");
            shares += t.get("share").asDouble();
            rerunShares += t.get("rerunShare").asDouble();
            for (String k : new String[] {"image", "heat", "overlay", "rerunHeat", "rerunOverlay"}) {
                assertThat(PngFiles.read(out.resolve(t.get(k).asText())).width()).isEqualTo(64);
            }
        }
        assertThat(shares).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(rerunShares).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(j.get("tokens").get(1).get("rerunHeat").asText()).isEqualTo("02-red-rerun-heat.png");
        // The concentration on the foreground (the red circle standing out from the border's colour), per kind.
        assertThat(j.get("foregroundPixelShare").asDouble()).isBetween(0.01, 0.9);
        assertThat(j.get("tokens").get(1).get("foregroundShare").asDouble()).isBetween(0.0, 1.0);
        assertThat(j.get("tokens").get(1).get("rerunForegroundShare").asDouble()).isBetween(0.0, 1.0);
        assertThat(j.get("tokens").get(1).get("word").asText()).isEqualTo("red");
        assertThat(j.get("tokens").get(1).get("heat").asText()).isEqualTo("02-red-heat.png");
        String html = Files.readString(out.resolve("index.html"));
        assertThat(html).contains("<th scope=\"row\">red</th>", "alt=\"heat map of the change without 'red'\"",
                "alt=\"heat map of the re-run without 'red'\"");
    }

    @Test
    void aComposablePromptsChosenWordsGetRerunMapsOnly(@TempDir Path out) throws Exception {
        // SDK 1.1 guidance (composable): words are named with the AND term they were written in.
        Dist.cli("inspect", "influence", "a red circle AND a blue background", "--seed", "2", "--out",
                out.toString(), "--maps", "rerun", "--words", "red,blue", "--set", "guidance.name=composable",
                "--set", "run.steps=4", "--set", cacheSet()).requireOk();
        JsonNode j = new ObjectMapper().readTree(out.resolve("influence.json").toFile());
        assertThat(j.get("maps").toString()).isEqualTo("[\"rerun\"]");
        assertThat(j.get("guidance").asText()).startsWith("composable");
        assertThat(j.get("rowsPerStep").asInt()).as("uncond and 2 terms for the base and 2 re-runs, no "
                + "same-latents rows").isEqualTo(9);
        assertThat(j.get("tokens")).hasSize(2);
        assertThat(j.get("tokens").get(0).get("word").asText()).isEqualTo("red");
        assertThat(j.get("tokens").get(0).get("conditioning").asText()).isEqualTo("cond");
        assertThat(j.get("tokens").get(0).get("term").asText()).isEqualTo("a red circle");
        assertThat(j.get("tokens").get(1).get("conditioning").asText()).isEqualTo("cond-1");
        assertThat(j.get("tokens").get(1).get("rerunTotalInfluence").asDouble()).isPositive();
        assertThat(j.get("tokens").get(1).has("totalInfluence")).as("no same-latents map").isFalse();
        assertThat(out.resolve("02-blue-rerun-heat.png")).isRegularFile();
        assertThat(Files.readString(out.resolve("index.html"))).contains("<th scope=\"row\">blue (cond-1)</th>");
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
        Dist.Result maps = Dist.cli("inspect", "influence", "a red circle", "--maps", "attention", "--set",
                cacheSet());
        assertThat(maps.exit()).isEqualTo(2);
        assertThat(maps.err()).contains("--maps must be rerun, same-latents or both, not 'attention'");
        Dist.Result noRerun = Dist.cli("inspect", "influence", "a red circle", "--maps", "both", "--no-rerun",
                "--set", cacheSet());
        assertThat(noRerun.exit()).isEqualTo(2);
        assertThat(noRerun.err()).contains("--maps both needs the re-runs");
        Dist.Result word = Dist.cli("inspect", "influence", "a red circle", "--words", "green", "--out",
                out.resolve("w").toString(), "--set", "run.steps=2", "--set", cacheSet());
        assertThat(word.exit()).isEqualTo(3);
        assertThat(word.err()).contains("none of the words [green] is in the prompt 'a red circle'",
                "[a, red, circle]").doesNotContain("Exception");
        assertThat(out.resolve("a")).doesNotExist();
    }
}
