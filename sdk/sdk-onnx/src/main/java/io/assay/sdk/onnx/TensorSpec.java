package io.assay.sdk.onnx;

import ai.onnxruntime.OnnxJavaType;

/**
 * A model input or output as the file declares it.
 *
 * @param name the name
 * @param type the element type
 * @param shape dimensions, -1 where symbolic
 * @param dimNames the symbolic names (empty strings where fixed)
 */
public record TensorSpec(String name, OnnxJavaType type, long[] shape, String[] dimNames) {

    /** The rank. */
    public int rank() {
        return shape.length;
    }

    /** e.g. {@code sample float32 [batch, 4, height, width]}. */
    public String describe() {
        StringBuilder b = new StringBuilder(name).append(' ').append(typeName(type)).append(" [");
        for (int i = 0; i < shape.length; i++) {
            b.append(i == 0 ? "" : ", ").append(shape[i] >= 0 ? Long.toString(shape[i])
                    : dimNames[i] == null || dimNames[i].isEmpty() ? "?" : dimNames[i]);
        }
        return b.append(']').toString();
    }

    /** numpy-style dtype names. */
    static String typeName(OnnxJavaType t) {
        return switch (t) {
            case FLOAT -> "float32";
            case FLOAT16 -> "float16";
            case DOUBLE -> "float64";
            case INT32 -> "int32";
            case INT64 -> "int64";
            case INT8 -> "int8";
            case UINT8 -> "uint8";
            case BOOL -> "bool";
            default -> t.name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    @Override
    public String toString() {
        return describe();
    }
}
