package io.assay.lib.onnxgraph;

/**
 * Tensor contents produced on demand, so a model's weights never need to be in memory at once. The writer asks for
 * consecutive ranges (in row-major element order) and may ask from several threads at the same time, for different
 * ranges; an implementation must return the same values for the same range every time (a counter-based generator,
 * a slice of an array).
 */
@FunctionalInterface
public interface FloatSource {

    /**
     * Writes elements {@code [first, first + count)} of the tensor to {@code out[0 .. count)}.
     *
     * @param first index of the first element, in row-major order
     * @param out   destination, at least {@code count} long
     * @param count how many elements
     */
    void fill(long first, float[] out, int count);
}
