package io.assay.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.assay.framework.experiment.ImageMetrics;
import io.assay.framework.io.PngFiles;
import io.assay.sdk.tensor.RgbImage;
import io.assay.framework.world.EmbeddedWorld;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SDK 1.1 guidances end to end in {@code assay generate} on the embedded world: {@code composable} and
 * {@code perp-neg} selected by config, their named conditionings encoded and batched by the engine and recorded in the
 * trace; each changes the image the way its formula says it should differ.
 */
class Sdk11GuidanceIT {

    /** The suite's model cache: the worlds are built once for all classes. */
    static final Path cache = Dist.worldCache();
    @TempDir
    static Path out;

    @BeforeAll
    static void build() {
        EmbeddedWorld.ensure(cache, msg -> { });
    }

    /** {@code assay generate PROMPT --seed 3 --trace} with {@code sets}; the image and its trace. */
    static Generated generate(String name, String prompt, String... sets) throws Exception {
        List<String> args = new ArrayList<>(List.of("generate", prompt, "--seed", "3", "--quiet", "--trace", "--out",
                out.resolve(name).toString(), "--set", "model.cache-dir=\"" + cache + "\""));
        for (String s : sets) {
            args.add("--set");
            args.add(s);
        }
        Dist.Result r = Dist.cli(args.toArray(String[]::new)).requireOk();
        Path png = Path.of(r.out().lines().filter(l -> l.endsWith(".png")).findFirst().orElseThrow().trim());
        Path trace = png.resolveSibling(png.getFileName().toString().replaceFirst("\\.png$", ".trace.json"));
        return new Generated(PngFiles.read(png), new ObjectMapper().readTree(Files.readString(trace)));
    }

    record Generated(RgbImage image, JsonNode trace) {
        List<String> conditionings() {
            List<String> o = new ArrayList<>();
            trace.path("run").path("conditionings").forEach(c -> o.add(c.path("key").asText() + "="
                    + c.path("text").asText()));
            return o;
        }
    }

    @Test
    void composableAndDiffersFromBothSinglePrompts() throws Exception {
        Generated both = generate("and", "a red circle AND a blue square", "guidance.name=composable");
        Generated red = generate("red", "a red circle", "guidance.name=cfg");
        Generated blue = generate("blue", "a blue square", "guidance.name=cfg");

        assertThat(both.conditionings()).containsExactly("uncond=", "cond=a red circle", "cond-1=a blue square");
        // 3 conditionings per step, in one batched denoiser call per step.
        assertThat(both.trace().path("steps").get(0).path("conditionings").asInt()).isEqualTo(3);
        assertThat(both.trace().path("result").path("denoiserCalls").asInt()).isEqualTo(20);
        assertThat(red.conditionings()).containsExactly("uncond=", "cond=a red circle");

        double toRed = ImageMetrics.mae(both.image(), red.image());
        double toBlue = ImageMetrics.mae(both.image(), blue.image());
        double redBlue = ImageMetrics.mae(red.image(), blue.image());
        System.out.printf("composable 'a red circle AND a blue square' vs 'a red circle': MAE %.4f, vs 'a blue "
                + "square': MAE %.4f (the two single prompts: %.4f)%n", toRed, toBlue, redBlue);
        assertThat(toRed).as("differs from the first term alone").isGreaterThan(0.01);
        assertThat(toBlue).as("differs from the second term alone").isGreaterThan(0.01);

        // One term with weight 1 is exactly CFG: same formula, same conditionings, same batch.
        Generated single = generate("single", "a red circle", "guidance.name=composable");
        assertThat(ImageMetrics.mae(single.image(), red.image())).as("composable with one term = cfg")
                .isLessThan(1e-3);
    }

    @Test
    void perpNegWithANegativeDiffersFromCfg() throws Exception {
        Generated perp = generate("perp", "a red circle", "guidance.name=perp-neg",
                "run.negative=\"a blue background\"");
        Generated cfg = generate("cfg", "a red circle", "guidance.name=cfg", "run.negative=\"a blue background\"");

        assertThat(perp.conditionings()).containsExactly("uncond=", "cond=a red circle", "neg-0=a blue background");
        assertThat(cfg.conditionings()).containsExactly("uncond=a blue background", "cond=a red circle");
        assertThat(perp.trace().path("result").path("guidance").asText()).startsWith("perp-neg");
        double mae = ImageMetrics.mae(perp.image(), cfg.image());
        System.out.printf("perp-neg vs cfg with negative 'a blue background': MAE %.4f%n", mae);
        assertThat(mae).as("perp-neg differs from cfg with the same negative").isGreaterThan(0.01);
    }
}
