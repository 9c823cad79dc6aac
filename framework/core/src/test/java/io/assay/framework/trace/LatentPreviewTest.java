package io.assay.framework.trace;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.sdk.tensor.RgbImage;
import io.assay.sdk.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LatentPreviewTest {

    @Test
    void aLinearDecoderIsRecoveredExactly() {
        // 4×6×6 latents; decoder: each 8×8 block's RGB = A·latent + b (a linear, local decoder).
        int c = 4;
        int h = 6;
        int w = 6;
        double[][] a = {{0.3, -0.2, 0.1}, {0.05, 0.4, -0.1}, {-0.2, 0.1, 0.3}, {0.1, 0.1, 0.1}};
        double[] bias = {0.1, -0.05, 0.0};
        Random rnd = new Random(7);
        float[] lat = new float[c * h * w];
        for (int i = 0; i < lat.length; i++) {
            lat[i] = (float) rnd.nextGaussian();
        }
        float[] img = new float[3 * 48 * 48];
        for (int y = 0; y < 48; y++) {
            for (int x = 0; x < 48; x++) {
                for (int ch = 0; ch < 3; ch++) {
                    double v = bias[ch];
                    for (int k = 0; k < c; k++) {
                        v += a[k][ch] * lat[k * h * w + (y / 8) * w + x / 8];
                    }
                    img[ch * 48 * 48 + y * 48 + x] = (float) v;
                }
            }
        }
        Tensor latents = new Tensor(new long[] {1, c, h, w}, lat);
        Tensor decoded = new Tensor(new long[] {1, 3, 48, 48}, img);
        RgbImage preview = LatentPreview.fit(latents, decoded, 0).render(latents, 0);
        RgbImage pooled = RgbImage.fromTensor(decoded, 0);
        assertThat(preview.width()).isEqualTo(6);
        int worst = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int ch = 0; ch < 3; ch++) {
                    worst = Math.max(worst, Math.abs(preview.get(x, y, ch) - pooled.get(x * 8 + 3, y * 8 + 3, ch)));
                }
            }
        }
        assertThat(worst).as("levels off, from rounding and the tiny ridge term").isLessThanOrEqualTo(1);
    }
}
