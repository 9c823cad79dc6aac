package io.assay.framework.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.assay.framework.world.ProceduralWeb;
import io.assay.sdk.tensor.RgbImage;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class ImageMetricsTest {

    static RgbImage flat(int w, int h, int v) {
        byte[] b = new byte[w * h * 3];
        java.util.Arrays.fill(b, (byte) v);
        return new RgbImage(w, h, b);
    }

    @Test
    void identicalImagesHaveZeroDistanceAndUnitSsim() {
        RgbImage a = ProceduralWeb.render(ProceduralWeb.scenes(1, 1).get(0), 64, 64);
        assertThat(ImageMetrics.mae(a, a)).isZero();
        assertThat(ImageMetrics.ssim(a, a)).isCloseTo(1.0, Offset.offset(1e-12));
    }

    @Test
    void distancesHaveTheExpectedValues() {
        assertThat(ImageMetrics.mae(flat(8, 8, 0), flat(8, 8, 255))).isEqualTo(1.0);
        assertThat(ImageMetrics.mae(flat(8, 8, 100), flat(8, 8, 151))).isCloseTo(0.2, Offset.offset(1e-12));
        // Flat images: SSIM reduces to the luminance term (2·μa·μb + C1) / (μa² + μb² + C1).
        double c1 = Math.pow(0.01 * 255, 2);
        assertThat(ImageMetrics.ssim(flat(8, 8, 100), flat(8, 8, 150)))
                .isCloseTo((2 * 100.0 * 150 + c1) / (100.0 * 100 + 150.0 * 150 + c1), Offset.offset(1e-9));
        RgbImage a = ProceduralWeb.render(ProceduralWeb.scenes(1, 2).get(0), 64, 64);
        RgbImage b = ProceduralWeb.render(ProceduralWeb.scenes(1, 2).get(1), 64, 64);
        assertThat(ImageMetrics.ssim(a, b)).isLessThan(0.9);
        assertThatThrownBy(() -> ImageMetrics.mae(flat(8, 8, 0), flat(4, 4, 0))).hasMessageContaining("8x8");
    }
}
