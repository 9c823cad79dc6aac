package io.assay.lib.forge;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A model's I/O contract: each input and output's name, element type and dims (fixed sizes or symbolic names). */
record Ports(List<Port> inputs, List<Port> outputs) {

    /** One input or output; dims are "77" for a fixed size, the symbol's name for a symbolic one. */
    record Port(String name, String type, List<String> dims) {
    }

    /** Read through ONNX Runtime's session metadata (loads the model). */
    static Ports of(OrtEnvironment env, Path model) throws OrtException {
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions();
                OrtSession s = env.createSession(model.toString(), o)) {
            return of(s);
        }
    }

    /** Read from a live session. */
    static Ports of(OrtSession s) throws OrtException {
        return new Ports(ports(s.getInputInfo()), ports(s.getOutputInfo()));
    }

    private static List<Port> ports(Map<String, NodeInfo> info) {
        List<Port> out = new ArrayList<>();
        info.forEach((name, n) -> {
            TensorInfo t = (TensorInfo) n.getInfo();
            List<String> dims = new ArrayList<>();
            long[] shape = t.getShape();
            String[] names = t.getDimensionNames();
            for (int i = 0; i < shape.length; i++) {
                dims.add(shape[i] >= 0 ? Long.toString(shape[i]) : names[i]);
            }
            out.add(new Port(name, t.onnxType.name().replace("ONNX_TENSOR_ELEMENT_DATA_TYPE_", "").toLowerCase(
                    java.util.Locale.ROOT), dims));
        });
        return out;
    }

    /** Read from the graph proto alone (no weights needed). */
    static Ports of(OnnxMl.ModelProto m) {
        return new Ports(ports(m.getGraph().getInputList()), ports(m.getGraph().getOutputList()));
    }

    private static List<Port> ports(List<OnnxMl.ValueInfoProto> values) {
        List<Port> out = new ArrayList<>();
        for (OnnxMl.ValueInfoProto v : values) {
            OnnxMl.TypeProto.Tensor t = v.getType().getTensorType();
            List<String> dims = new ArrayList<>();
            for (OnnxMl.TensorShapeProto.Dimension d : t.getShape().getDimList()) {
                dims.add(d.hasDimValue() ? Long.toString(d.getDimValue()) : d.getDimParam());
            }
            out.add(new Port(v.getName(), OnnxMl.TensorProto.DataType.forNumber(t.getElemType()).name()
                    .toLowerCase(java.util.Locale.ROOT), dims));
        }
        return out;
    }

    /** The same contract with every fixed dim {@code from} written as {@code to} (a hidden size). */
    Ports withDim(String from, String to) {
        return new Ports(replace(inputs, from, to), replace(outputs, from, to));
    }

    private static List<Port> replace(List<Port> ports, String from, String to) {
        return ports.stream().map(p -> new Port(p.name(), p.type(),
                p.dims().stream().map(d -> d.equals(from) ? to : d).toList())).toList();
    }
}
