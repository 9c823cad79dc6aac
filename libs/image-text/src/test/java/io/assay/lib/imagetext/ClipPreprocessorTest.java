package io.assay.lib.imagetext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.assay.sdk.tensor.RgbImage;
import io.assay.sdk.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClipPreprocessorTest {

    private static RgbImage image(int w, int h, java.util.function.IntBinaryOperator value) {
        byte[] rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int v = value.applyAsInt(x, y);
                for (int c = 0; c < 3; c++) {
                    rgb[(y * w + x) * 3 + c] = (byte) v;
                }
            }
        }
        return new RgbImage(w, h, rgb);
    }

    @Test
    void aConstantImageBecomesItsNormalisedValueEverywhere() {
        ClipPreprocessor p = ClipPreprocessor.openAiClip();
        Tensor t = p.pixelValues(List.of(image(300, 200, (x, y) -> 128)));
        assertThat(t.shape()).containsExactly(1, 3, 224, 224);
        for (int c = 0; c < 3; c++) {
            float expected = (128 / 255f - p.mean()[c]) / p.std()[c];
            for (int i = 0; i < 224 * 224; i++) {
                assertThat(t.data()[c * 224 * 224 + i]).isCloseTo(expected, within(1e-4f));
            }
        }
    }

    @Test
    void theShorterSideIsResizedAndTheCenterCropped() {
        // 448×224: left quarter black, the rest white. Resized to 448×224 (unchanged), cropped to x ∈ [112, 336).
        ClipPreprocessor p = new ClipPreprocessor(224, 224, new float[] {0, 0, 0}, new float[] {1, 1, 1});
        Tensor t = p.pixelValues(List.of(image(448, 224, (x, y) -> x < 112 ? 0 : 255)));
        assertThat(t.data()[100 * 224]).as("the crop starts where the image turns white").isCloseTo(1f, within(1e-3f));
        // Halving a 2-pixel stripe pattern averages it (the kernel widens when shrinking).
        Tensor s = p.pixelValues(List.of(image(448, 448, (x, y) -> x % 2 == 0 ? 0 : 254)));
        assertThat(s.data()[224 * 100 + 100]).isCloseTo(127f / 255f, within(0.02f));
        assertThat(s.data()[224 * 100 + 101]).isCloseTo(127f / 255f, within(0.02f));
    }

    @Test
    void readsAHuggingFacePreprocessorConfig(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("preprocessor_config.json");
        Files.writeString(f, "{\"crop_size\": {\"height\": 32, \"width\": 32}, \"size\": {\"shortest_edge\": 40},"
                + " \"image_mean\": [0.5, 0.5, 0.5], \"image_std\": [0.25, 0.25, 0.25]}");
        ClipPreprocessor p = ClipPreprocessor.read(f);
        assertThat(p.size()).isEqualTo(40);
        assertThat(p.crop()).isEqualTo(32);
        assertThat(p.mean()).containsExactly(0.5f, 0.5f, 0.5f);
        assertThat(ClipPreprocessor.read(dir.resolve("absent.json")).crop()).isEqualTo(224);
    }
}
