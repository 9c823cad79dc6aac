package io.assay.sdk.tensor;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.List;

/**
 * A dense float32 tensor: a row-major {@code float[]} with a {@code long[]} shape.
 *
 * <p>Ownership rule: the constructor takes the array without copying, and {@link #data()} returns it without
 * copying, so the engine can reuse buffers. A stage must not modify a tensor it received; it returns a new tensor
 * owned by the caller. Shapes of images and latents are {@code [B, C, H, W]}; text hidden states are
 * {@code [B, L, D]}.
 */
public final class Tensor {

    private final long[] shape;
    private final float[] data;

    /**
     * Wraps {@code data} (not copied) with {@code shape} (copied).
     *
     * @throws IllegalArgumentException if a dimension is negative or the element count differs from the length
     */
    public Tensor(long[] shape, float[] data) {
        requireNonNull(shape, "shape is null");
        requireNonNull(data, "data is null");
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        if (n != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n
                    + " elements but data has " + data.length);
        }
        this.shape = shape.clone();
        this.data = data;
    }

    /** A tensor of zeros. */
    public static Tensor zeros(long... shape) {
        return new Tensor(shape, new float[Math.toIntExact(count(shape))]);
    }

    /** A tensor of the given shape with every element {@code value}. */
    public static Tensor filled(float value, long... shape) {
        float[] d = new float[Math.toIntExact(count(shape))];
        Arrays.fill(d, value);
        return new Tensor(shape, d);
    }

    /** The number of elements a shape holds. */
    public static long count(long... shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** A copy of the shape. */
    public long[] shape() {
        return shape.clone();
    }

    /** The number of dimensions. */
    public int rank() {
        return shape.length;
    }

    /** Dimension {@code i}; negative {@code i} counts from the end. */
    public long dim(int i) {
        return shape[i < 0 ? shape.length + i : i];
    }

    /** Dimension {@code i} as an int. */
    public int intDim(int i) {
        return Math.toIntExact(dim(i));
    }

    /** The number of elements. */
    public int size() {
        return data.length;
    }

    /** The backing array (not a copy; see the ownership rule in the class comment). */
    public float[] data() {
        return data;
    }

    /** A deep copy. */
    public Tensor copy() {
        return new Tensor(shape, data.clone());
    }

    /** The same data with another shape of equal element count (shares the array). */
    public Tensor reshape(long... newShape) {
        return new Tensor(newShape, data);
    }

    /** Whether both tensors have the same shape. */
    public boolean sameShape(Tensor other) {
        return Arrays.equals(shape, other.shape);
    }

    /** Throws {@link IllegalArgumentException} naming both shapes unless they are equal. */
    public void requireShape(long... expected) {
        if (!Arrays.equals(shape, expected)) {
            throw new IllegalArgumentException("expected shape " + Arrays.toString(expected) + " but got "
                    + Arrays.toString(shape));
        }
    }

    /** Element {@code b} of the leading (batch) axis, keeping the rank: shape {@code [1, …]}. Copies. */
    public Tensor batchItem(int b) {
        int per = data.length / Math.toIntExact(shape[0]);
        long[] s = shape.clone();
        s[0] = 1;
        return new Tensor(s, Arrays.copyOfRange(data, b * per, (b + 1) * per));
    }

    /** Concatenates tensors along axis 0; all other dimensions must agree. */
    public static Tensor concatBatch(List<Tensor> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("nothing to concatenate");
        }
        Tensor first = parts.get(0);
        long batch = 0;
        int total = 0;
        for (Tensor t : parts) {
            if (t.rank() != first.rank()
                    || !Arrays.equals(t.shape, 1, t.shape.length, first.shape, 1, first.shape.length)) {
                throw new IllegalArgumentException("cannot concatenate shapes " + Arrays.toString(first.shape)
                        + " and " + Arrays.toString(t.shape) + " along axis 0");
            }
            batch += t.shape[0];
            total += t.data.length;
        }
        float[] out = new float[total];
        int pos = 0;
        for (Tensor t : parts) {
            System.arraycopy(t.data, 0, out, pos, t.data.length);
            pos += t.data.length;
        }
        long[] s = first.shape.clone();
        s[0] = batch;
        return new Tensor(s, out);
    }

    /** Splits axis 0 into {@code n} equal parts (copies). */
    public List<Tensor> splitBatch(int n) {
        if (shape[0] % n != 0) {
            throw new IllegalArgumentException("cannot split batch " + shape[0] + " into " + n + " parts");
        }
        long[] s = shape.clone();
        s[0] = shape[0] / n;
        int per = data.length / n;
        Tensor[] out = new Tensor[n];
        for (int i = 0; i < n; i++) {
            out[i] = new Tensor(s, Arrays.copyOfRange(data, i * per, (i + 1) * per));
        }
        return List.of(out);
    }

    /** The Euclidean norm of all elements (accumulated in double). */
    public double l2Norm() {
        double s = 0;
        for (float v : data) {
            s += (double) v * v;
        }
        return Math.sqrt(s);
    }

    /** The mean of all elements. */
    public double mean() {
        double s = 0;
        for (float v : data) {
            s += v;
        }
        return data.length == 0 ? Double.NaN : s / data.length;
    }

    /** The population standard deviation of all elements. */
    public double std() {
        double m = mean();
        double s = 0;
        for (float v : data) {
            double d = v - m;
            s += d * d;
        }
        return data.length == 0 ? Double.NaN : Math.sqrt(s / data.length);
    }

    /** The shape as text, e.g. {@code [1, 4, 64, 64]}. */
    public String shapeString() {
        return Arrays.toString(shape);
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape);
    }
}
