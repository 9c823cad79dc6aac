package io.assay.plugins.noise;

import io.assay.sdk.Component;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import io.assay.sdk.diffusion.NoiseSource;
import io.assay.sdk.diffusion.NoiseStream;
import io.assay.sdk.tensor.Tensor;
import jakarta.inject.Inject;
import org.pf4j.Extension;

/**
 * A fast, good-quality standard-normal generator that is <b>not</b> torch-compatible: the same seed gives
 * different noise from {@code torch-cpu} (and so different images from diffusers). Use it when only
 * determinism matters.
 *
 * <p>Algorithm (fixed, part of this component's contract, so a seed means the same noise in every version and
 * on every machine): the SplitMix64 sequence (Steele, Lea and Flood 2014) started at {@code seed}, a float64
 * uniform from the top 53 bits of each 64-bit output, and the Box–Muller transform on consecutive pairs
 * {@code (u1, u2)}: {@code r = sqrt(-2·ln(1 − u1))}, {@code θ = 2π·u2}, giving {@code r·cos θ} then
 * {@code r·sin θ}, computed in double with {@link StrictMath} and rounded to float32. Each draw starts on a
 * fresh pair (an odd-sized draw discards the last sine).
 *
 * <p>Written here rather than taken from the JDK: {@link java.util.SplittableRandom} and the
 * {@code java.util.random} generators do not specify their {@code nextGaussian} algorithm, so it may change
 * between JDK releases, which would change what a seed means.
 */
@Extension
@Component(name = "fast", description = "Fast deterministic N(0,1) noise (SplitMix64 + Box-Muller); not torch-compatible")
public final class FastNoiseSource implements NoiseSource {

    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;

    private volatile boolean closed;

    /** Creates the source; it has no settings. */
    @Inject
    public FastNoiseSource() {
    }

    @Override
    public NoiseStream open(long seed) {
        if (closed) {
            throw new StageException(ErrorCode.CLOSED, "Noise source 'fast' was used after close()");
        }
        return new NoiseStream() {
            private long state = seed;

            private long nextLong() {
                state += GOLDEN_GAMMA;
                long z = state;
                z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
                z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
                return z ^ (z >>> 31);
            }

            private double nextUniform() {
                return (nextLong() >>> 11) * 0x1p-53;
            }

            @Override
            public Tensor draw(long[] shape) {
                float[] out = new float[Shapes.count("fast", shape)];
                for (int i = 0; i < out.length; i += 2) {
                    double r = StrictMath.sqrt(-2.0 * StrictMath.log1p(-nextUniform()));
                    double theta = 2.0 * Math.PI * nextUniform();
                    out[i] = (float) (r * StrictMath.cos(theta));
                    if (i + 1 < out.length) {
                        out[i + 1] = (float) (r * StrictMath.sin(theta));
                    }
                }
                return new Tensor(shape, out);
            }
        };
    }

    @Override
    public void close() {
        closed = true;
    }
}
