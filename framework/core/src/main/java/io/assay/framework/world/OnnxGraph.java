package io.assay.framework.world;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A thin builder over ONNX's protobuf classes ({@code ai.onnx.proto.OnnxMl}, shipped by tribuo-util-onnx) for the
 * small graphs the world compiler writes, at IR version 10 / opset 21. Tribuo's own operator list stops at opset 13
 * and lacks Conv, MatMul and Reshape, so graphs are built directly on the generated classes. Deterministic: the same
 * calls give the same bytes.
 */
final class OnnxGraph {

    static final int FLOAT = OnnxMl.TensorProto.DataType.FLOAT_VALUE;
    static final int INT64 = OnnxMl.TensorProto.DataType.INT64_VALUE;
    static final int INT32 = OnnxMl.TensorProto.DataType.INT32_VALUE;

    private final OnnxMl.GraphProto.Builder graph = OnnxMl.GraphProto.newBuilder();
    private int counter;

    OnnxGraph(String name) {
        graph.setName(name);
    }

    /** A graph input; {@code dims} entries of -1 are symbolic, named by {@code dimNames}. */
    OnnxGraph input(String name, int type, long[] dims, String... dimNames) {
        graph.addInput(valueInfo(name, type, dims, dimNames));
        return this;
    }

    /** A graph output. */
    OnnxGraph output(String name, int type, long[] dims, String... dimNames) {
        graph.addOutput(valueInfo(name, type, dims, dimNames));
        return this;
    }

    private static OnnxMl.ValueInfoProto valueInfo(String name, int type, long[] dims, String... dimNames) {
        OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
        int sym = 0;
        for (long d : dims) {
            OnnxMl.TensorShapeProto.Dimension.Builder dim = OnnxMl.TensorShapeProto.Dimension.newBuilder();
            if (d < 0) {
                dim.setDimParam(sym < dimNames.length ? dimNames[sym++] : "d" + sym++);
            } else {
                dim.setDimValue(d);
            }
            shape.addDim(dim);
        }
        return OnnxMl.ValueInfoProto.newBuilder().setName(name).setType(OnnxMl.TypeProto.newBuilder()
                .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder().setElemType(type).setShape(shape))).build();
    }

    /** A float initializer (raw little-endian data). */
    String floats(String name, long[] dims, float[] data) {
        ByteBuffer b = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : data) {
            b.putFloat(f);
        }
        graph.addInitializer(tensor(name, FLOAT, dims, b.array()));
        return name;
    }

    /** An int64 initializer. */
    String longs(String name, long[] dims, long... data) {
        ByteBuffer b = ByteBuffer.allocate(data.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : data) {
            b.putLong(v);
        }
        graph.addInitializer(tensor(name, INT64, dims, b.array()));
        return name;
    }

    /** A scalar float initializer. */
    String scalar(String name, float v) {
        return floats(name, new long[0], new float[] {v});
    }

    private static OnnxMl.TensorProto tensor(String name, int type, long[] dims, byte[] raw) {
        OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder().setName(name).setDataType(type)
                .setRawData(ByteString.copyFrom(raw));
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    /** A node with one output; returns the output name. */
    String op(String opType, String[] inputs, OnnxMl.AttributeProto... attrs) {
        String out = opType.toLowerCase(java.util.Locale.ROOT) + "_" + (counter++);
        return op(opType, inputs, out, attrs);
    }

    /** A node with a named output. */
    String op(String opType, String[] inputs, String output, OnnxMl.AttributeProto... attrs) {
        OnnxMl.NodeProto.Builder n = OnnxMl.NodeProto.newBuilder().setOpType(opType).setName(output + "_node")
                .addOutput(output);
        for (String i : inputs) {
            n.addInput(i);
        }
        for (OnnxMl.AttributeProto a : attrs) {
            n.addAttribute(a);
        }
        graph.addNode(n);
        return output;
    }

    static OnnxMl.AttributeProto ints(String name, long... values) {
        OnnxMl.AttributeProto.Builder a = OnnxMl.AttributeProto.newBuilder().setName(name)
                .setType(OnnxMl.AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    static OnnxMl.AttributeProto intAttr(String name, long value) {
        return OnnxMl.AttributeProto.newBuilder().setName(name).setType(OnnxMl.AttributeProto.AttributeType.INT)
                .setI(value).build();
    }

    /** The serialized model. */
    byte[] toBytes() {
        return OnnxMl.ModelProto.newBuilder().setIrVersion(10).setProducerName("assay-world")
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(21))
                .setGraph(graph).build().toByteArray();
    }
}
