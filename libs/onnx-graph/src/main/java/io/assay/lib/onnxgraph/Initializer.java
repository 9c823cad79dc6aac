package io.assay.lib.onnxgraph;

import ai.onnx.proto.OnnxMl;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** One initializer: eager raw little-endian bytes, or a lazy {@link FloatSource} encoded as float32 or float16. */
record Initializer(String name, int type, long[] dims, byte[] raw, FloatSource source) {

    long elements() {
        return OnnxGraph.elements(name, dims);
    }

    int elementSize() {
        return switch (type) {
            case OnnxMl.TensorProto.DataType.FLOAT16_VALUE -> 2;
            case OnnxMl.TensorProto.DataType.BOOL_VALUE -> 1;
            case OnnxMl.TensorProto.DataType.INT64_VALUE -> 8;
            default -> 4;
        };
    }

    long bytes() {
        return raw != null ? raw.length : elements() * elementSize();
    }

    /** Name, dims and type, no data. */
    OnnxMl.TensorProto header() {
        OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder().setName(name).setDataType(type);
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    /** Little-endian bytes of elements {@code [first, first + count)}. */
    byte[] encode(long first, int count) {
        if (raw != null) {
            int size = elementSize();
            byte[] out = new byte[count * size];
            System.arraycopy(raw, Math.toIntExact(first * size), out, 0, out.length);
            return out;
        }
        float[] values = new float[count];
        source.fill(first, values, count);
        ByteBuffer b = ByteBuffer.allocate(count * elementSize()).order(ByteOrder.LITTLE_ENDIAN);
        if (type == OnnxMl.TensorProto.DataType.FLOAT16_VALUE) {
            for (float v : values) {
                b.putShort(Half.fromFloat(v));
            }
        } else {
            for (float v : values) {
                b.putFloat(v);
            }
        }
        return b.array();
    }
}
