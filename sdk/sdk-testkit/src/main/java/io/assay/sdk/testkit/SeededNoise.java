package io.assay.sdk.testkit;

import io.assay.sdk.diffusion.NoiseStream;
import io.assay.sdk.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A seeded N(0, 1) {@link NoiseStream} for tests that records every call: sequential {@link #draw}s continue one
 * {@link Random}; {@link #drawForStep drawForStep(i, shape)} depends on the seed and {@code i} only (as a replaying
 * stream would serve it). Not torch-compatible.
 */
public final class SeededNoise implements NoiseStream {

    private final long seed;
    private final Random sequential;
    private final List<String> calls = new ArrayList<>();

    /** A stream for {@code seed}. */
    public SeededNoise(long seed) {
        this.seed = seed;
        this.sequential = new Random(seed);
    }

    @Override
    public Tensor draw(long[] shape) {
        calls.add("draw " + Arrays.toString(shape));
        float[] d = new float[Math.toIntExact(Tensor.count(shape))];
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) sequential.nextGaussian();
        }
        return new Tensor(shape, d);
    }

    @Override
    public Tensor drawForStep(int iteration, long[] shape) {
        calls.add("step " + iteration + " " + Arrays.toString(shape));
        return Tensors.normal(seed * 1_000_003L + iteration, shape);
    }

    /** Every call so far, as {@code "draw [1, 4, 8, 8]"} or {@code "step 3 [1, 4, 8, 8]"}. */
    public List<String> calls() {
        return List.copyOf(calls);
    }
}
