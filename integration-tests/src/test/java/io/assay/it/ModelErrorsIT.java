package io.assay.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.framework.world.EmbeddedWorld;
import io.assay.sdk.testkit.ModelDirectories;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad model directories through the CLI: each refused before anything runs, with the component, the file and what was
 * expected, the model-error exit code (4) or the configuration one (3) for an incompatible swap, and nothing written
 * to the output directory.
 */
class ModelErrorsIT {

    static Dist.Result generate(Path model, Path out, String... extra) {
        String[] base = {"generate", "a cat", "--model", model.toString(), "--out", out.toString(), "--steps", "2",
            "--width", "64", "--height", "64", "--quiet"};
        String[] all = Stream.concat(Stream.of(base), Stream.of(extra)).toArray(String[]::new);
        return Dist.cli(all);
    }

    static long files(Path dir) throws Exception {
        if (!Files.exists(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).count();
        }
    }

    @Test
    void aTruncatedUnetIsRefusedNamingComponentAndFileAndNothingIsWritten(@TempDir Path tmp) throws Exception {
        Path model = ModelDirectories.tinySd("corrupt/truncated-unet", tmp.resolve("m"));
        Dist.Result r = generate(model, tmp.resolve("out"));
        assertThat(r.exit()).isEqualTo(4);
        assertThat(r.err()).contains("onnx-unet", "unet/model.onnx", "Protobuf parsing failed");
        assertThat(files(tmp.resolve("out"))).isZero();
    }

    @Test
    void aMissingPartNamesTheExpectedPath(@TempDir Path tmp) throws Exception {
        Path model = ModelDirectories.tinySd(null, tmp.resolve("m"));
        ModelDirectories.deleteTree(model.resolve("vae_decoder"));
        Dist.Result r = generate(model, tmp.resolve("out"));
        assertThat(r.exit()).isEqualTo(4);
        assertThat(r.err()).contains("onnx-vae", "has no 'vae_decoder/model.onnx'");
        assertThat(files(tmp.resolve("out"))).isZero();
    }

    @Test
    void aMisnamedInputIsRefusedAtLoadNotAtTheFirstStep(@TempDir Path tmp) throws Exception {
        Path model = ModelDirectories.tinySd("corrupt/unet-input-latent", tmp.resolve("m"));
        Dist.Result r = generate(model, tmp.resolve("out"));
        assertThat(r.exit()).isEqualTo(4);
        assertThat(r.err()).contains("onnx-unet", "has no input 'sample'", "latent");
    }

    @Test
    void anIncompatibleSwapIsRefusedNamingBothComponents(@TempDir Path tmp) throws Exception {
        Path model = ModelDirectories.tinySd(null, tmp.resolve("m"));
        Path world = EmbeddedWorld.ensure(Dist.worldCache(), msg -> { });
        Dist.Result r = generate(model, tmp.resolve("out"), "--set",
                "text-encoder.model-dir=\"" + world + "\"");
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.err()).contains("do not fit together", "text-encoder 'clip' produces 128-wide hidden states",
                "denoiser 'onnx-unet' cross-attends to width 32");
        assertThat(files(tmp.resolve("out"))).isZero();
    }
}
