package io.assay.plugins.noise;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.sdk.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** {@code fast}: pinned values and the moments of N(0, 1) (determinism is the test kit's NoiseSourceContract). */
class FastNoiseSourceTest {

    @Test
    void pinnedValuesSoTheAlgorithmCannotDriftSilently() {
        // The first values for seed 0, computed independently (Python: SplitMix64, math.log1p/cos/sin, rounded to
        // float32); a change here changes what every 'fast' seed means and must be a deliberate, documented break.
        float[] v = new FastNoiseSource().open(0).draw(new long[] {4}).data();
        assertThat(v).containsExactly(PINNED);
    }

    private static final float[] PINNED = {-1.8839084f, 0.86450684f, 0.22760794f, -0.042112686f};

    @Test
    void momentsOfAMillionDraws() {
        Tensor t = new FastNoiseSource().open(20240601L).draw(new long[] {1_000_000});
        double mean = t.mean();
        double std = t.std();
        // For n = 1e6: the standard error of the mean is 1e-3 and of the std about 7e-4; 5 sigma bounds.
        assertThat(mean).isBetween(-5e-3, 5e-3);
        assertThat(std).isBetween(1 - 3.5e-3, 1 + 3.5e-3);
        // Tail mass beyond 3 sigma: 0.27% expected (2700 of 1e6; Poisson sd ~52).
        int beyond3 = 0;
        double fourth = 0;
        for (float v : t.data()) {
            if (Math.abs(v) > 3) {
                beyond3++;
            }
            fourth += (double) v * v * v * v;
        }
        assertThat(beyond3).isBetween(2700 - 300, 2700 + 300);
        // Kurtosis of a normal is 3; its standard error at n = 1e6 is about 0.005.
        assertThat(fourth / t.size()).isBetween(2.97, 3.03);
    }
}
