package io.assay.lib.forge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.assay.lib.clip.ClipTokenizer;
import io.assay.sdk.testkit.References;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Determinism, the directory's atomicity and refusals, the tokenizer option and progress. */
class ForgeDirectoryTest {

    @TempDir
    Path tmp;

    @Test
    void sameSeedGivesByteIdenticalFilesAndAnotherSeedOtherWeights() throws IOException {
        Map<String, byte[]> a = files(Forge.write(Preset.TINY, tmp.resolve("a"), 7, Dtype.FP32, Forge.Progress.NONE)
                .dir());
        Map<String, byte[]> b = files(Forge.write(Preset.TINY, tmp.resolve("b"), 7, Dtype.FP32, Forge.Progress.NONE)
                .dir());
        Map<String, byte[]> c = files(Forge.write(Preset.TINY, tmp.resolve("c"), 8, Dtype.FP32, Forge.Progress.NONE)
                .dir());
        assertThat(a.keySet()).containsExactly("model_index.json", "scheduler/scheduler_config.json",
                "text_encoder/config.json", "text_encoder/model.onnx", "tokenizer/merges.txt",
                "tokenizer/special_tokens_map.json", "tokenizer/tokenizer_config.json", "tokenizer/vocab.json",
                "unet/config.json", "unet/model.onnx", "vae_decoder/config.json", "vae_decoder/model.onnx",
                "vae_encoder/config.json", "vae_encoder/model.onnx");
        assertThat(b.keySet()).isEqualTo(a.keySet());
        a.forEach((name, bytes) -> assertThat(b.get(name)).as(name).isEqualTo(bytes));
        a.forEach((name, bytes) -> {
            if (name.endsWith(".onnx")) {
                assertThat(c.get(name)).as(name).hasSameSizeAs(bytes).isNotEqualTo(bytes);
            } else if (!name.equals("model_index.json")) { // records the seed
                assertThat(c.get(name)).as(name).isEqualTo(bytes);
            }
        });
        assertThat(new String(c.get("model_index.json"), java.nio.charset.StandardCharsets.UTF_8))
                .contains("\"seed\": 8").contains("\"preset\": \"tiny\"").contains("\"PNDMScheduler\"");
    }

    @Test
    void aNonEmptyTargetIsRefusedAndKept() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("taken"));
        Files.writeString(out.resolve("keep.txt"), "mine");
        assertThatThrownBy(() -> Forge.write(Preset.TINY, out, 1, Dtype.FP32, Forge.Progress.NONE))
                .isInstanceOf(IOException.class).hasMessageContaining("'" + out + "' exists and is not empty");
        assertThat(Files.readString(out.resolve("keep.txt"))).isEqualTo("mine");
        Path file = Files.writeString(tmp.resolve("file"), "x");
        assertThatThrownBy(() -> Forge.write(Preset.TINY, file, 1, Dtype.FP32, Forge.Progress.NONE))
                .hasMessageContaining("is not a directory");
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("taken", "file");
        }
    }

    @Test
    void anEmptyTargetIsFilled() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("empty"));
        Forge.write(Preset.TINY, out, 1, Dtype.FP32, Forge.Progress.NONE);
        assertThat(out.resolve("unet/model.onnx")).isRegularFile();
    }

    /** A supplied tokenizer folder is copied byte for byte (here the reference's real CLIP tokenizer, at test time). */
    @Test
    void suppliedTokenizerIsCopied() throws IOException {
        Path real = References.require("tiny-sd/model/tokenizer");
        Path out = Forge.write(Preset.TINY, tmp.resolve("real-vocab"), 1, Dtype.FP32, new Forge.Options(real, false),
                Forge.Progress.NONE).dir();
        for (String f : List.of("vocab.json", "merges.txt", "special_tokens_map.json", "tokenizer_config.json")) {
            assertThat(out.resolve("tokenizer").resolve(f)).hasSameBinaryContentAs(real.resolve(f));
        }
        assertThat(ClipTokenizer.load(out.resolve("tokenizer")).vocabSize()).isEqualTo(49408);
    }

    @Test
    void aTokenizerOfTheWrongSizeIsRefusedBeforeAnythingIsWritten() throws IOException {
        Path bad = Files.createDirectories(tmp.resolve("small-tokenizer"));
        Files.writeString(bad.resolve("vocab.json"), "{\"a\": 0, \"b</w>\": 1, \"ab</w>\": 2, \"<|startoftext|>\": 3, "
                + "\"<|endoftext|>\": 4}");
        Files.writeString(bad.resolve("merges.txt"), "#version: 0.2\na b</w>\n");
        Path out = tmp.resolve("never");
        assertThatThrownBy(() -> Forge.write(Preset.TINY, out, 1, Dtype.FP32, new Forge.Options(bad, false),
                Forge.Progress.NONE)).isInstanceOf(IOException.class)
                .hasMessage("tokenizer folder '" + bad + "': vocab.json has 5 entries; the text encoder's embedding "
                        + "has 49408");
        Path missing = tmp.resolve("no-such-tokenizer");
        assertThatThrownBy(() -> Forge.write(Preset.TINY, out, 1, Dtype.FP32, new Forge.Options(missing, false),
                Forge.Progress.NONE)).hasMessageContaining("tokenizer folder '" + missing + "' does not load");
        assertThat(out).doesNotExist();
    }

    @Test
    void progressReportsEveryModelToItsTotal() throws IOException {
        Map<String, long[]> last = new LinkedHashMap<>();
        Forge.write(Preset.TINY, tmp.resolve("p"), 1, Dtype.FP16, (step, done, total) -> last.put(step,
                new long[] {done, total}));
        assertThat(last.keySet()).containsExactly("tokenizer", "text_encoder", "unet", "vae_encoder", "vae_decoder");
        List<Component> models = Forge.components(Preset.TINY, Dtype.FP16, 1);
        for (Component c : models) {
            long[] p = last.get(c.folder());
            assertThat(p[0]).isEqualTo(p[1]).isEqualTo(c.graph().initializerBytes());
            // float16 weights: 2 bytes per parameter plus the float32 constants (masks, shapes).
            assertThat(p[1]).isBetween(2 * c.parameters(), 2 * c.parameters() + 40_000);
        }
    }

    private static Map<String, byte[]> files(Path dir) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.filter(Files::isRegularFile)::iterator) {
                out.put(dir.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
            }
        }
        return out;
    }
}
