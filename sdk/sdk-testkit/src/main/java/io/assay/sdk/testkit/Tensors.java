package io.assay.sdk.testkit;

import io.assay.sdk.tensor.Npy;
import io.assay.sdk.tensor.Tensor;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * Tensor fixtures and comparisons for tests: seeded random tensors (the same on every JDK: {@link Random}'s
 * algorithms are specified), slices of recorded {@code .npy} stacks, and differences described the way a failure
 * message needs them.
 */
public final class Tensors {

    private Tensors() {
    }

    /** Standard-normal values from {@link Random#nextGaussian()} seeded with {@code seed}. */
    public static Tensor normal(long seed, long... shape) {
        Random r = new Random(seed);
        float[] d = new float[Math.toIntExact(Tensor.count(shape))];
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) r.nextGaussian();
        }
        return new Tensor(shape, d);
    }

    /** Uniform values in {@code [lo, hi)} from {@link Random#nextFloat()} seeded with {@code seed}. */
    public static Tensor uniform(long seed, float lo, float hi, long... shape) {
        Random r = new Random(seed);
        float[] d = new float[Math.toIntExact(Tensor.count(shape))];
        for (int i = 0; i < d.length; i++) {
            d[i] = lo + (hi - lo) * r.nextFloat();
        }
        return new Tensor(shape, d);
    }

    /** {@code a·x + b·y} element-wise (shapes must be equal); a new tensor. */
    public static Tensor axpby(float a, Tensor x, float b, Tensor y) {
        if (!x.sameShape(y)) {
            throw new IllegalArgumentException("shapes differ: " + x.shapeString() + " and " + y.shapeString());
        }
        float[] out = new float[x.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a * x.data()[i] + b * y.data()[i];
        }
        return new Tensor(x.shape(), out);
    }

    /** Splits a recorded stack {@code [n, …]} into its {@code n} tensors of shape {@code […]}. */
    public static Tensor[] slices(Npy.Array array) {
        float[] all = array.toFloats();
        long[] shape = array.shape();
        long[] inner = Arrays.copyOfRange(shape, 1, shape.length);
        int per = Math.toIntExact(Tensor.count(inner));
        Tensor[] out = new Tensor[(int) shape[0]];
        for (int i = 0; i < out.length; i++) {
            out[i] = new Tensor(inner, Arrays.copyOfRange(all, i * per, (i + 1) * per));
        }
        return out;
    }

    /** The largest {@code |a − b|} (shapes must hold the same number of elements); NaN if either holds a NaN. */
    public static double maxAbsDiff(Tensor a, Tensor b) {
        if (a.size() != b.size()) {
            throw new IllegalArgumentException("sizes differ: " + a.shapeString() + " and " + b.shapeString());
        }
        double m = 0;
        for (int i = 0; i < a.size(); i++) {
            double d = Math.abs((double) a.data()[i] - b.data()[i]);
            if (Double.isNaN(d)) {
                return Double.NaN;
            }
            m = Math.max(m, d);
        }
        return m;
    }

    /** Whether both arrays hold the same bits (so NaN equals NaN, and 0 differs from -0). */
    public static boolean bitEqual(float[] a, float[] b) {
        if (a.length != b.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (Float.floatToIntBits(a[i]) != Float.floatToIntBits(b[i])) {
                return false;
            }
        }
        return true;
    }

    /**
     * Where two arrays first differ by more than {@code tolerance}, as {@code "element 17 (of 256): 0.25 vs 0.5"},
     * with how many elements differ; null when they agree everywhere (NaN agrees only with NaN).
     */
    public static String difference(float[] expected, float[] actual, double tolerance) {
        if (expected.length != actual.length) {
            return "lengths differ: " + expected.length + " vs " + actual.length;
        }
        int first = -1;
        int count = 0;
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            float e = expected[i];
            float a = actual[i];
            boolean same = tolerance == 0 ? Float.floatToIntBits(e) == Float.floatToIntBits(a)
                    : Float.isNaN(e) ? Float.isNaN(a) : Math.abs((double) e - a) <= tolerance;
            if (!same) {
                count++;
                worst = Math.max(worst, Math.abs((double) e - a));
                if (first < 0) {
                    first = i;
                }
            }
        }
        if (first < 0) {
            return null;
        }
        return String.format(Locale.ROOT, "%d of %d elements differ, the first at index %d: %s vs %s (max |diff| %.3g)",
                count, expected.length, first, expected[first], actual[first], worst);
    }
}
