package io.assay.plugins.noise;

/**
 * A re-implementation of PyTorch's CPU generator ({@code at::CPUGeneratorImpl}) and of the two code paths
 * {@code torch.randn(shape, dtype=torch.float32)} takes through it, so the same seed gives the same noise as
 * {@code torch.manual_seed(seed); torch.randn(shape)}.
 *
 * <p>What is reproduced (facts from PyTorch's {@code ATen/core/TransformationHelper.h},
 * {@code ATen/core/DistributionsHelper.h} and {@code ATen/native/cpu/DistributionTemplates.h}):
 * <ul>
 *   <li>the engine is {@link Mt19937} seeded with the low 32 bits of the 64-bit seed; a 64-bit draw is two
 *       32-bit draws, the first one the high half;</li>
 *   <li>a float32 uniform in [0, 1) is the low 24 bits of one 32-bit draw times 2<sup>-24</sup>; a float64
 *       uniform is the low 53 bits of a 64-bit draw times 2<sup>-53</sup>;</li>
 *   <li>tensors of 16 or more elements ({@code normal_fill}): one float32 uniform per element, in order; then,
 *       for each block of 16, Box–Muller on pairs (element {@code j}, element {@code j + 8}), {@code j < 8}:
 *       {@code r = sqrt(-2·log(1 − u[j]))}, {@code θ = 2π·u[j+8]}, {@code out[j] = r·cos θ},
 *       {@code out[j+8] = r·sin θ}, in float32; when the count is not a multiple of 16 the last 16 elements
 *       are redrawn (16 fresh uniforms) and transformed again;</li>
 *   <li>tensors of fewer than 16 elements: per element, {@code at::normal_distribution<double>}: two float64
 *       uniforms {@code u1, u2}, {@code r = sqrt(-2·log(1 − u2))}, {@code θ = 2π·u1}, returns {@code r·cos θ}
 *       and caches {@code r·sin θ} in the generator, which the next such draw returns first (the cache survives
 *       between calls; the 16-or-more path neither reads nor clears it).</li>
 * </ul>
 *
 * <p>The 16-or-more path reproduces PyTorch's x86-64 AVX2 kernel bit for bit (its float32 {@code log} and
 * {@code sin}/{@code cos} come from {@code avx_mathfun.h}; see {@link CephesFloat}); torch builds without AVX2
 * (other CPUs) use the C library's functions and differ from it, and from this, by an ulp in some elements. The
 * small-tensor path uses {@link StrictMath} in float64, which rounds to the same float32 as glibc in practice.
 * Every operation here is specified by Java, so results are identical on every JVM and platform.
 *
 * <p>Not thread-safe.
 */
final class TorchCpuGenerator {

    /** {@code (float) (2π)}, the constant PyTorch's AVX2 kernel multiplies by in float32. */
    private static final float TWO_PI_F = (float) (2.0 * Math.PI);
    private static final float INV_2_24 = 0x1p-24f;
    private static final double INV_2_53 = 0x1p-53;

    private final Mt19937 engine;
    private boolean hasCachedNormal;
    private double cachedNormal;

    TorchCpuGenerator(long seed) {
        this.engine = new Mt19937(seed);
    }

    /** One float32 uniform in [0, 1): {@code at::uniform_real_distribution<float>(0, 1)}. */
    float uniformFloat() {
        return (engine.nextInt() & 0xffffff) * INV_2_24;
    }

    /** One float64 uniform in [0, 1): {@code at::uniform_real_distribution<double>(0, 1)}. */
    double uniformDouble() {
        long hi = engine.nextUnsigned32();
        long lo = engine.nextUnsigned32();
        long bits = (hi << 32) | lo;
        return (bits & ((1L << 53) - 1)) * INV_2_53;
    }

    /** One standard normal from {@code at::normal_distribution<double>}, using and refilling the cache. */
    double normalDouble() {
        if (hasCachedNormal) {
            hasCachedNormal = false;
            return cachedNormal;
        }
        double u1 = uniformDouble();
        double u2 = uniformDouble();
        double r = StrictMath.sqrt(-2.0 * StrictMath.log1p(-u2));
        double theta = 2.0 * Math.PI * u1;
        cachedNormal = r * StrictMath.sin(theta);
        hasCachedNormal = true;
        return r * StrictMath.cos(theta);
    }

    /** Fills {@code out} as {@code torch.randn} fills a contiguous float32 tensor of {@code out.length} elements. */
    void randn(float[] out) {
        int n = out.length;
        if (n < 16) {
            for (int i = 0; i < n; i++) {
                out[i] = (float) normalDouble();
            }
            return;
        }
        for (int i = 0; i < n; i++) {
            out[i] = uniformFloat();
        }
        for (int i = 0; i + 16 <= n; i += 16) {
            boxMuller16(out, i);
        }
        if (n % 16 != 0) {
            int start = n - 16;
            for (int i = 0; i < 16; i++) {
                out[start + i] = uniformFloat();
            }
            boxMuller16(out, start);
        }
    }

    /**
     * {@code normal_fill_16} as PyTorch's AVX2 kernel computes it: turns 16 uniforms at {@code at} into 16 normals
     * in place, in float32, with {@link CephesFloat}'s {@code log} and {@code sin}/{@code cos}.
     */
    private static void boxMuller16(float[] data, int at) {
        float[] sinCos = new float[2];
        for (int j = 0; j < 8; j++) {
            float u1 = 1.0f - data[at + j];
            float u2 = data[at + j + 8];
            float radius = (float) Math.sqrt(-2.0f * CephesFloat.log(u1));
            CephesFloat.sinCos(TWO_PI_F * u2, sinCos);
            data[at + j] = radius * sinCos[1];
            data[at + j + 8] = radius * sinCos[0];
        }
    }
}
