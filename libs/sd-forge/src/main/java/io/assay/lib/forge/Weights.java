package io.assay.lib.forge;

import io.assay.lib.onnxgraph.FloatSource;
import java.nio.charset.StandardCharsets;

/**
 * Deterministic random weights from (seed, tensor name). Each element is a counter-based hash of the tensor's key and
 * the element's index (SplitMix64's finalizer), so any range of any tensor can be produced on any thread in any order
 * with the same result, at about a nanosecond per value — the 1.07 G parameters of SD 1.5 take a second or two per
 * core, not the minutes a Box–Muller normal per value would.
 */
final class Weights {

    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private Weights() {
    }

    /** Uniform in {@code [-bound, bound)}, the shape of torch's default (kaiming-uniform, a=√5) initialisation. */
    static FloatSource uniform(long seed, String name, double bound) {
        long key = key(seed, name);
        float scale = (float) (2 * bound * 0x1p-24);
        float offset = (float) -bound;
        return (first, out, count) -> {
            for (int i = 0; i < count; i++) {
                long z = mix(key + (first + i + 1) * GOLDEN);
                out[i] = (z >>> 40) * scale + offset;
            }
        };
    }

    /** Every element {@code value} (norm scales and shifts: 1 and 0). */
    static FloatSource constant(float value) {
        return (first, out, count) -> java.util.Arrays.fill(out, 0, count, value);
    }

    /** The tensor's stream key: the seed mixed with an FNV-1a hash of the name's UTF-8 bytes. */
    static long key(long seed, String name) {
        long h = 0xcbf29ce484222325L;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        return mix(mix(seed) ^ h);
    }

    /** SplitMix64's output function (Steele, Lea, Flood 2014). */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
