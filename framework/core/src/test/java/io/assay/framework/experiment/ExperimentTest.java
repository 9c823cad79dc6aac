package io.assay.framework.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A variants axis keeps the order it is written in, over several lines or on one. */
class ExperimentTest {

    @Test
    void variantsKeepTheirWrittenOrder(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("e.conf");
        Files.writeString(f, String.join("\n", "experiment {", "  prompts = [x]", "  axes = [",
                "    { name = vae, variants {", "        zeta {}", "        alpha { autoencoder.tile-size = 4 }",
                "        mid { a = 1 }", "    } }",
                "    { name = one-line, variants { whole {}, tiled { t = true }, base { b = 2 } } }", "  ]", "}", ""));
        Experiment e = Experiment.parse(ConfigFactory.parseFile(f.toFile()), f.toString());
        assertThat(e.axes().get(0).values()).containsExactly("zeta", "alpha", "mid");
        assertThat(e.axes().get(1).values()).containsExactly("whole", "tiled", "base");
        assertThat(e.axes().get(1).overrides().get(1)).containsExactly("t=true");
        assertThat(e.cells()).hasSize(9);
        assertThat(e.cells().get(1).valueIndex()).containsExactly(1, 0);
    }

    static Experiment parse(Path dir, String... lines) throws Exception {
        Path f = dir.resolve("e.conf");
        Files.writeString(f, String.join("\n", lines) + "\n");
        return Experiment.parse(ConfigFactory.parseFile(f.toFile()), f.toString());
    }

    /**
     * AUTOMATIC1111's xyz_grid apply_prompt: {@code if xs[0] not in p.prompt and xs[0] not in p.negative_prompt:
     * raise}; {@code p.prompt = p.prompt.replace(xs[0], x)}; the same for the negative prompt — Python's replace,
     * every occurrence, so the first value leaves the prompt as written.
     */
    @Test
    void promptSearchReplaceMakesTheExactPromptsAutomatic1111Makes(@TempDir Path dir) throws Exception {
        Experiment e = parse(dir, "run.negative = \"blurry photo\"", "experiment {",
                "  prompts = [\"a photo of a cat, photo\", \"photograph of a dog\"]",
                "  axes = [ { prompt-sr = [\"photo\", \"painting\", \"masterpiece, trending on artstation\"] } ]",
                "}");
        assertThat(e.axes().get(0).label()).isEqualTo("prompt S/R");
        assertThat(e.cells()).extracting(Experiment.Cell::text).containsExactly(
                "a photo of a cat, photo",
                "a painting of a cat, painting",
                "a masterpiece, trending on artstation of a cat, masterpiece, trending on artstation",
                // Substrings too, as Python's str.replace does: "photograph" holds "photo".
                "photograph of a dog",
                "paintinggraph of a dog",
                "masterpiece, trending on artstationgraph of a dog");
        // The negative prompt is edited too; the first value leaves it (and the configuration) as written.
        assertThat(e.cells().get(0).overrides()).isEmpty();
        assertThat(e.cells().get(1).overrides()).containsExactly("run.negative=\"blurry painting\"");
        assertThat(e.cells().get(2).overrides()).containsExactly(
                "run.negative=\"blurry masterpiece, trending on artstation\"");
        assertThat(e.cells()).extracting(Experiment.Cell::prompt).containsExactly("a photo of a cat, photo",
                "a photo of a cat, photo", "a photo of a cat, photo", "photograph of a dog", "photograph of a dog",
                "photograph of a dog");
    }

    @Test
    void promptSearchReplaceFindingNothingIsAnErrorAtTheAxis(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> parse(dir, "experiment {", "  prompts = [\"a cat\"]",
                "  axes = [ { prompt-sr = [\"photo\", \"painting\"] } ]", "}"))
                .isInstanceOf(io.assay.sdk.settings.ConfigErrorsException.class)
                .hasMessageContaining("e.conf:3")
                .hasMessageContaining("Prompt S/R did not find 'photo' in the prompt 'a cat'");
    }

    @Test
    void suffixAndSearchReplaceApplyInAxisOrder(@TempDir Path dir) throws Exception {
        Experiment e = parse(dir, "experiment {", "  prompts = [\"a red circle\"]", "  axes = [",
                "    { prompt-sr = [red, blue] }", "    { prompt-suffix = [\"\", \", on red\"] }", "  ]", "}");
        assertThat(e.cells()).extracting(Experiment.Cell::text).containsExactly("a red circle", "a blue circle",
                "a red circle, on red", "a blue circle, on red");
        assertThat(e.axes().get(1).label()).isEqualTo("prompt suffix");
        assertThat(e.cells()).allSatisfy(c -> assertThat(c.overrides()).isEmpty());
    }

    @Test
    void vaeAuditImagesResolveAgainstTheFileAndMustExist(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("imgs"));
        Files.write(dir.resolve("imgs/a.png"), new byte[] {1});
        Experiment e = parse(dir, "experiment {", "  prompts = [x]", "  vae-audit { images = [\"imgs/a.png\"] }", "}");
        assertThat(e.vaeAuditImages()).containsExactly(dir.resolve("imgs/a.png").toAbsolutePath().normalize());
        assertThat(parse(dir, "experiment {", "  prompts = [x]", "}").vaeAuditImages()).isEmpty();
        assertThatThrownBy(() -> parse(dir, "experiment {", "  prompts = [x]",
                "  vae-audit { images = [\"imgs/a.png\", \"imgs/none.png\"] }", "}"))
                .isInstanceOf(io.assay.sdk.settings.ConfigErrorsException.class)
                .hasMessageContaining("e.conf:3")
                .hasMessageContaining("experiment.vae-audit.images[1]")
                .hasMessageContaining("image 'imgs/none.png' does not exist");
        assertThatThrownBy(() -> parse(dir, "experiment {", "  prompts = [x]", "  vae-audit { images = [] }", "}"))
                .hasMessageContaining("e.conf:3").hasMessageContaining("needs a non-empty list of image files");
        assertThatThrownBy(() -> parse(dir, "experiment {", "  prompts = [x]",
                "  vae-audit { images = [\"imgs/a.png\"], image = y }", "}"))
                .hasMessageContaining("experiment.vae-audit.image").hasMessageContaining("unknown key");
    }
}
