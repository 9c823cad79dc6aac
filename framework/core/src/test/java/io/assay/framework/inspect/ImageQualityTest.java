package io.assay.framework.inspect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.assay.sdk.tensor.RgbImage;
import org.junit.jupiter.api.Test;

/**
 * SSIM and PSNR against scikit-image. The reference numbers were computed once, at authoring time, with
 * scikit-image 0.26.0 (numpy 2.4.6, scipy 1.17.1, from the wheels in /opt/pypi/files) on the same deterministic
 * images {@link #pair} builds: {@code structural_similarity(a, b, channel_axis=-1)},
 * {@code structural_similarity(a[..., c], b[..., c])} and {@code peak_signal_noise_ratio(a, b)} on uint8 arrays.
 */
class ImageQualityTest {

    /** a: three patterned channels; b: a clamped by ±20 of structured perturbation. */
    static RgbImage[] pair(int w, int h) {
        byte[] a = new byte[w * h * 3];
        byte[] b = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int[] v = {(x * 37 + y * 11) % 256, (x * x + 3 * y) % 256, (x * y * 7) % 256};
                for (int c = 0; c < 3; c++) {
                    int i = (y * w + x) * 3 + c;
                    a[i] = (byte) v[c];
                    b[i] = (byte) Math.min(255, Math.max(0, v[c] + (x * 13 + y * 29 + c * 7) % 41 - 20));
                }
            }
        }
        return new RgbImage[] {new RgbImage(w, h, a), new RgbImage(w, h, b)};
    }

    @Test
    void ssimAndPsnrMatchScikitImage() {
        // {w, h, ssim (channel mean), psnr, ssim red, ssim green, ssim blue}
        double[][] ref = {
            {16, 12, 0.9607752340175498, 26.933984164302792, 0.9875973893810769, 0.9076148623254668,
                0.987113450346106},
            {7, 7, 0.914688111158346, 27.152495568006202, 0.9885418521360225, 0.7698541600821491,
                0.9856683212568664},
            {40, 33, 0.9799340218469123, 26.862555575979258, 0.9877625123652809, 0.9646489532550611,
                0.9873905999203946},
        };
        for (double[] r : ref) {
            int w = (int) r[0];
            int h = (int) r[1];
            RgbImage[] p = pair(w, h);
            assertThat(ImageQuality.ssim(p[0], p[1])).as("SSIM %dx%d", w, h).isCloseTo(r[2], within(1e-9));
            assertThat(ImageQuality.psnr(p[0], p[1])).as("PSNR %dx%d", w, h).isCloseTo(r[3], within(1e-9));
            for (int c = 0; c < 3; c++) {
                assertThat(ImageQuality.ssim(ImageQuality.channel(p[0], c), ImageQuality.channel(p[1], c), w, h))
                        .as("SSIM %dx%d channel %d", w, h, c).isCloseTo(r[4 + c], within(1e-9));
            }
        }
    }

    @Test
    void flatImagesGiveTheLuminanceTermByHand() {
        // Two flat images 100 and 110: every variance is 0, so SSIM = (2·100·110 + C1) / (100² + 110² + C1) with
        // C1 = (0.01·255)² = 6.5025 → 22006.5025 / 22106.5025 = 0.995476...
        byte[] a = new byte[9 * 8 * 3];
        byte[] b = new byte[9 * 8 * 3];
        java.util.Arrays.fill(a, (byte) 100);
        java.util.Arrays.fill(b, (byte) 110);
        RgbImage x = new RgbImage(9, 8, a);
        RgbImage y = new RgbImage(9, 8, b);
        assertThat(ImageQuality.ssim(x, y)).isCloseTo(22006.5025 / 22106.5025, within(1e-12));
        assertThat(ImageQuality.ssim(x, x)).isEqualTo(1.0);
        // MSE = 100 → PSNR = 10·log10(255² / 100) = 28.1308...
        assertThat(ImageQuality.psnr(x, y)).isCloseTo(10 * Math.log10(65025 / 100.0), within(1e-12));
        assertThat(ImageQuality.psnr(x, x)).isInfinite();
    }
}
