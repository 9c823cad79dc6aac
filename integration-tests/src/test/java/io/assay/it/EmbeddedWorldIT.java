package io.assay.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.assay.framework.io.PngFiles;
import io.assay.framework.world.EmbeddedWorld;
import io.assay.framework.world.ProceduralWeb;
import io.assay.framework.world.SceneJudge;
import io.assay.framework.world.WorldCompiler;
import io.assay.sdk.tensor.RgbImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded default through the CLI and the same plugins that run Stable Diffusion: prompt adherence measured by
 * pixel statistics over 20 prompts × 5 images per guidance scale, determinism of the build and of a seed, and a
 * prompt outside the corpus.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EmbeddedWorldIT {

    @TempDir
    static Path cache;

    static String cacheSet() {
        return "model.cache-dir=\"" + cache + "\"";
    }

    @BeforeAll
    static void build() {
        EmbeddedWorld.ensure(cache, msg -> { });
    }

    /** Generates {@code batch} images for a prompt and returns them. */
    static List<RgbImage> generate(Path out, String prompt, double guidance, long seed, int batch) throws Exception {
        Dist.Result r = Dist.cli("generate", prompt, "--guidance", Double.toString(guidance), "--seed",
                Long.toString(seed), "--batch", Integer.toString(batch), "--out", out.toString(), "--quiet",
                "--set", cacheSet()).requireOk();
        List<RgbImage> images = new ArrayList<>();
        for (String line : r.out().split("\n")) {
            if (line.endsWith(".png")) {
                images.add(PngFiles.read(Path.of(line.trim())));
            }
        }
        assertThat(images).hasSize(batch);
        return images;
    }

    @Test
    @Order(1)
    void promptAdherenceRisesWithGuidance(@TempDir Path out) throws Exception {
        SplittableRandom r = new SplittableRandom(7);
        List<int[]> prompts = new ArrayList<>();
        while (prompts.size() < 20) {
            int fg = r.nextInt(8);
            int bg = (fg + 1 + r.nextInt(7)) % 8;
            prompts.add(new int[] {r.nextInt(3), fg, bg});
        }
        Map<Double, Double> adherence = new LinkedHashMap<>();
        for (double g : new double[] {0, 1, 3, 7.5, 12, 25}) {
            int hits = 0;
            int fgHits = 0;
            int bgHits = 0;
            int total = 0;
            for (int i = 0; i < prompts.size(); i++) {
                int[] p = prompts.get(i);
                String prompt = "a " + ProceduralWeb.COLOURS.get(p[1]) + " " + ProceduralWeb.SHAPES.get(p[0]) + " on a "
                        + ProceduralWeb.COLOURS.get(p[2]) + " background";
                for (RgbImage img : generate(out.resolve("g" + g), prompt, g, 1000 + i, 5)) {
                    SceneJudge.Verdict v = SceneJudge.judge(img);
                    boolean f = ProceduralWeb.COLOURS.get(p[1]).equals(v.foreground());
                    boolean b = ProceduralWeb.COLOURS.get(p[2]).equals(v.background());
                    fgHits += f ? 1 : 0;
                    bgHits += b ? 1 : 0;
                    hits += f && b ? 1 : 0;
                    total++;
                }
            }
            adherence.put(g, hits / (double) total);
            System.out.printf("guidance %5.1f: both colours %5.1f%%, foreground %5.1f%%, background %5.1f%% (%d images)%n",
                    g, 100.0 * hits / total, 100.0 * fgHits / total, 100.0 * bgHits / total, total);
        }
        assertThat(adherence.get(7.5)).as("adherence at the default guidance 7.5").isGreaterThanOrEqualTo(0.90);
        assertThat(adherence.get(0.0)).as("adherence of the unconditional image (guidance 0)").isLessThan(0.15);
    }

    @Test
    @Order(2)
    void twoBuildsAreByteIdenticalAndASeedGivesTheSamePixels(@TempDir Path other, @TempDir Path out)
            throws Exception {
        Path a = EmbeddedWorld.ensure(cache, msg -> { });
        Path b = EmbeddedWorld.ensure(other, msg -> { });
        assertThat(EmbeddedWorld.checksums(b)).isEqualTo(EmbeddedWorld.checksums(a)).isNotEmpty();
        assertThat(a.getFileName()).isEqualTo(b.getFileName());
        assertThat(a.getFileName().toString()).isEqualTo("world-" + WorldCompiler.Spec.defaults().hash());

        RgbImage first = generate(out.resolve("1"), "a red circle on a blue background", 7.5, 42, 1).get(0);
        RgbImage second = generate(out.resolve("2"), "a red circle on a blue background", 7.5, 42, 1).get(0);
        assertThat(second.rgb()).isEqualTo(first.rgb());
        RgbImage otherSeed = generate(out.resolve("3"), "a red circle on a blue background", 7.5, 43, 1).get(0);
        assertThat(otherSeed.rgb()).isNotEqualTo(first.rgb());
    }

    @Test
    @Order(3)
    void aPromptOutsideTheCorpusStillGivesAnImageAndTokenizeShowsTheSplit(@TempDir Path out) throws Exception {
        RgbImage img = generate(out, "Gaussian Noise", 7.5, 1, 1).get(0);
        assertThat(img.width()).isEqualTo(64);
        Dist.Result t = Dist.cli("tokenize", "Gaussian Noise", "--json", "--set", cacheSet()).requireOk();
        JsonNode n = new ObjectMapper().readTree(t.out());
        assertThat(n.get("normalized").asText()).isEqualTo("gaussian noise");
        assertThat(n.get("words").get(0).get("split").asBoolean()).as("'gaussian' is not a corpus word").isTrue();
        assertThat(n.get("ids")).hasSize(77);
        Dist.Result readable = Dist.cli("tokenize", "a red circle", "--set", cacheSet()).requireOk();
        assertThat(readable.out()).contains("red -> red</w>").doesNotContain("split into");
    }

    @Test
    @Order(4)
    void tokenizeReadsJsonLinesInOrder() throws Exception {
        java.io.InputStream stdin = System.in;
        try {
            System.setIn(new java.io.ByteArrayInputStream(("{\"prompt\": \"a red circle\"}\n"
                    + "{\"prompt\": \"un cercle rouge sur fond bleu\"}\n").getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            Dist.Result r = Dist.cli("tokenize", "--set", cacheSet()).requireOk();
            String[] lines = r.out().strip().split("\n");
            assertThat(lines).hasSize(2);
            assertThat(new ObjectMapper().readTree(lines[0]).get("prompt").asText()).isEqualTo("a red circle");
            assertThat(new ObjectMapper().readTree(lines[1]).get("prompt").asText())
                    .isEqualTo("un cercle rouge sur fond bleu");
        } finally {
            System.setIn(stdin);
        }
    }

    @Test
    @Order(5)
    void pngsCarryTheirProvenance(@TempDir Path out) throws Exception {
        Dist.Result r = Dist.cli("generate", "a green square on a yellow background", "--seed", "5", "--out",
                out.toString(), "--quiet", "--set", cacheSet()).requireOk();
        Path png = Path.of(r.out().strip());
        Map<String, String> text = PngFiles.readText(png);
        assertThat(text.get("parameters")).startsWith("a green square on a yellow background\nSteps: 20, "
                + "Sampler: Euler, CFG scale: 7.5, Seed: 5, Size: 64x64");
        JsonNode prov = new ObjectMapper().readTree(text.get("assay"));
        assertThat(prov.get("components").get("denoiser").asText()).isEqualTo("onnx-unet (onnx-sd 0.1.0)");
        assertThat(prov.get("guidance").asText()).contains("cfg");
        assertThat(prov.get("initialNoiseSha256").asText()).hasSize(64);
        assertThat(Files.list(out).filter(p -> p.getFileName().toString().startsWith(".")).count())
                .as("no temporary files left").isZero();
    }
}
