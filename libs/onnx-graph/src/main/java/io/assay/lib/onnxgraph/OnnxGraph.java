package io.assay.lib.onnxgraph;

import ai.onnx.proto.OnnxMl;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A small ONNX model builder over ONNX's protobuf classes ({@code ai.onnx.proto.OnnxMl}, shipped by
 * tribuo-util-onnx). Tribuo's own operator list stops at opset 13 and lacks Conv, MatMul and Reshape, so graphs are
 * built directly on the generated classes.
 *
 * <p>Initializers are either eager (arrays given now) or lazy ({@link #weights}: a {@link FloatSource} asked for its
 * values while the model is written), and the model is serialized as a stream ({@link ModelWriter}), so a model far
 * larger than the heap — or than protobuf's 2 GiB message limit, with {@link ExternalData} — can be written without
 * its weights ever being in memory at once.
 *
 * <p>Deterministic: the same calls give the same bytes. Defaults: IR version 10, opset 21 (the embedded world's);
 * models meant for older ONNX Runtime releases set both ({@link #irVersion}, {@link #opset}). Not thread-safe.
 */
public final class OnnxGraph {

    /** {@code TensorProto.DataType.FLOAT}. */
    public static final int FLOAT = OnnxMl.TensorProto.DataType.FLOAT_VALUE;
    /** {@code TensorProto.DataType.FLOAT16}. */
    public static final int FLOAT16 = OnnxMl.TensorProto.DataType.FLOAT16_VALUE;
    /** {@code TensorProto.DataType.INT64}. */
    public static final int INT64 = OnnxMl.TensorProto.DataType.INT64_VALUE;
    /** {@code TensorProto.DataType.INT32}. */
    public static final int INT32 = OnnxMl.TensorProto.DataType.INT32_VALUE;
    /** {@code TensorProto.DataType.BOOL}. */
    public static final int BOOL = OnnxMl.TensorProto.DataType.BOOL_VALUE;

    private final OnnxMl.GraphProto.Builder graph = OnnxMl.GraphProto.newBuilder();
    /** The model's graph: itself, or for a {@link #branch} the graph that owns the initializers and names. */
    private final OnnxGraph root;
    private final List<Initializer> initializers = new ArrayList<>();
    private final Set<String> initializerNames = new HashSet<>();
    private final Map<String, String> constants = new HashMap<>();
    private final Set<String> outputNames = new HashSet<>();
    private int counter;
    private long irVersion = 10;
    private long opset = 21;
    private String producer = "assay";

    /** An empty graph called {@code name}. */
    public OnnxGraph(String name) {
        graph.setName(Objects.requireNonNull(name, "name is null"));
        root = this;
    }

    private OnnxGraph(String name, OnnxGraph root) {
        graph.setName(Objects.requireNonNull(name, "name is null"));
        this.root = root;
    }

    /**
     * A subgraph for a control-flow node ({@code If}'s branches): its nodes may read any value or initializer of the
     * enclosing graphs; initializers and constants it declares are stored in the model's graph (ONNX resolves them
     * from the outer scope), and value names stay unique across the whole model. Declare its results with
     * {@link #output(String, int)} and attach it with {@link #graphAttr}.
     */
    public OnnxGraph branch(String name) {
        return new OnnxGraph(name, root);
    }

    /** A GRAPH attribute (e.g. {@code then_branch}) holding a {@link #branch}. */
    public static OnnxMl.AttributeProto graphAttr(String name, OnnxGraph branch) {
        if (branch.root == branch) {
            throw new IllegalArgumentException("graph attribute '" + name + "' needs a branch, not a model graph");
        }
        return OnnxMl.AttributeProto.newBuilder().setName(name).setType(OnnxMl.AttributeProto.AttributeType.GRAPH)
                .setG(branch.graph.build()).build();
    }

    /** Sets the model's IR version (default 10; ONNX Runtime 1.16 reads up to 9). */
    public OnnxGraph irVersion(long version) {
        this.irVersion = version;
        return this;
    }

    /** Sets the default-domain opset (default 21). */
    public OnnxGraph opset(long version) {
        this.opset = version;
        return this;
    }

    /** The default-domain opset. */
    public long opset() {
        return opset;
    }

    /** Sets the model's {@code producer_name} (default {@code assay}). */
    public OnnxGraph producer(String name) {
        this.producer = Objects.requireNonNull(name, "producer is null");
        return this;
    }

    /** A graph input; {@code dims} entries of -1 are symbolic, named in order by {@code dimNames}. */
    public OnnxGraph input(String name, int type, long[] dims, String... dimNames) {
        graph.addInput(valueInfo(name, type, dims, dimNames));
        return this;
    }

    /** A graph output whose shape is left to inference (a branch's result, whose shape depends on its inputs). */
    public OnnxGraph output(String name, int type) {
        graph.addOutput(OnnxMl.ValueInfoProto.newBuilder().setName(name).setType(OnnxMl.TypeProto.newBuilder()
                .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder().setElemType(type))).build());
        return this;
    }

    /** A graph output; {@code dims} entries of -1 are symbolic, named in order by {@code dimNames}. */
    public OnnxGraph output(String name, int type, long[] dims, String... dimNames) {
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

    /** A float32 initializer. */
    public String floats(String name, long[] dims, float[] data) {
        checkCount(name, dims, data.length);
        ByteBuffer b = le(data.length * 4);
        for (float f : data) {
            b.putFloat(f);
        }
        return add(new Initializer(name, FLOAT, dims.clone(), b.array(), null));
    }

    /** A float16 initializer; the values are rounded to the nearest float16 (ties to even). */
    public String float16s(String name, long[] dims, float[] data) {
        checkCount(name, dims, data.length);
        ByteBuffer b = le(data.length * 2);
        for (float f : data) {
            b.putShort(Half.fromFloat(f));
        }
        return add(new Initializer(name, FLOAT16, dims.clone(), b.array(), null));
    }

    /** An int64 initializer. */
    public String longs(String name, long[] dims, long... data) {
        checkCount(name, dims, data.length);
        ByteBuffer b = le(data.length * 8);
        for (long v : data) {
            b.putLong(v);
        }
        return add(new Initializer(name, INT64, dims.clone(), b.array(), null));
    }

    /** An int32 initializer. */
    public String int32s(String name, long[] dims, int... data) {
        checkCount(name, dims, data.length);
        ByteBuffer b = le(data.length * 4);
        for (int v : data) {
            b.putInt(v);
        }
        return add(new Initializer(name, INT32, dims.clone(), b.array(), null));
    }

    /** A bool initializer (one byte per element, as ONNX stores them). */
    public String bools(String name, long[] dims, boolean... data) {
        checkCount(name, dims, data.length);
        byte[] raw = new byte[data.length];
        for (int i = 0; i < raw.length; i++) {
            raw[i] = (byte) (data[i] ? 1 : 0);
        }
        return add(new Initializer(name, BOOL, dims.clone(), raw, null));
    }

    /** A scalar (rank 0) float32 initializer. */
    public String scalar(String name, float v) {
        return floats(name, new long[0], new float[] {v});
    }

    /**
     * A lazily generated float32 or float16 initializer: {@code source} is asked for its values while the model is
     * written, possibly from several threads (float16: each value rounded to nearest even).
     */
    public String weights(String name, int type, long[] dims, FloatSource source) {
        if (type != FLOAT && type != FLOAT16) {
            throw new IllegalArgumentException("weights '" + name + "': type must be FLOAT or FLOAT16, found " + type);
        }
        elements(name, dims);
        return add(new Initializer(name, type, dims.clone(), null, Objects.requireNonNull(source, "source is null")));
    }

    /** A 1-D int64 constant holding {@code values}, shared by every caller asking for the same values. */
    public String constLongs(long... values) {
        if (root != this) {
            return root.constLongs(values);
        }
        String key = "i64:" + Arrays.toString(values);
        String name = constants.get(key);
        if (name == null) {
            name = longs("const_i64_" + constants.size(), new long[] {values.length}, values);
            constants.put(key, name);
        }
        return name;
    }

    /** A 1-D float32 constant holding {@code values}, shared by every caller asking for the same values. */
    public String constFloats(float... values) {
        if (root != this) {
            return root.constFloats(values);
        }
        String key = "f32[]:" + Arrays.toString(values);
        String name = constants.get(key);
        if (name == null) {
            name = floats("const_f32v_" + constants.size(), new long[] {values.length}, values);
            constants.put(key, name);
        }
        return name;
    }

    /** A scalar float32 constant, shared by every caller asking for the same value. */
    public String constFloat(float value) {
        if (root != this) {
            return root.constFloat(value);
        }
        String key = "f32:" + Float.floatToIntBits(value);
        String name = constants.get(key);
        if (name == null) {
            name = scalar("const_f32_" + constants.size(), value);
            constants.put(key, name);
        }
        return name;
    }

    private String add(Initializer init) {
        if (root != this) {
            return root.add(init);
        }
        if (!initializerNames.add(init.name())) {
            throw new IllegalArgumentException("initializer '" + init.name() + "' is already defined");
        }
        initializers.add(init);
        return init.name();
    }

    private static void checkCount(String name, long[] dims, int length) {
        long n = elements(name, dims);
        if (n != length) {
            throw new IllegalArgumentException("initializer '" + name + "': shape " + Arrays.toString(dims) + " has "
                    + n + " elements, data has " + length);
        }
    }

    static long elements(String name, long[] dims) {
        long n = 1;
        for (long d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("initializer '" + name + "': negative dimension in "
                        + Arrays.toString(dims));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    private static ByteBuffer le(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A node with one output named after the op; returns the output name. */
    public String op(String opType, String[] inputs, OnnxMl.AttributeProto... attrs) {
        return op(opType, inputs, freshName(opType), attrs);
    }

    /** A node with a named output; returns it. */
    public String op(String opType, String[] inputs, String output, OnnxMl.AttributeProto... attrs) {
        return op(opType, inputs, new String[] {output}, attrs)[0];
    }

    /** A node with several named outputs; returns them. */
    public String[] op(String opType, String[] inputs, String[] outputs, OnnxMl.AttributeProto... attrs) {
        OnnxMl.NodeProto.Builder n = OnnxMl.NodeProto.newBuilder().setOpType(opType).setName(outputs[0] + "_node");
        for (String i : inputs) {
            n.addInput(i);
        }
        for (String o : outputs) {
            if (!root.outputNames.add(o)) {
                throw new IllegalArgumentException("value '" + o + "' is already produced by another node");
            }
            n.addOutput(o);
        }
        for (OnnxMl.AttributeProto a : attrs) {
            n.addAttribute(a);
        }
        graph.addNode(n);
        return outputs;
    }

    /** A node with {@code count} outputs named after the op (e.g. Split); returns them. */
    public String[] ops(String opType, String[] inputs, int count, OnnxMl.AttributeProto... attrs) {
        String[] outs = new String[count];
        String base = freshName(opType);
        for (int i = 0; i < count; i++) {
            outs[i] = base + "_" + i;
        }
        return op(opType, inputs, outs, attrs);
    }

    private String freshName(String opType) {
        return opType.toLowerCase(Locale.ROOT) + "_" + (root.counter++);
    }

    // Helpers for the ops whose axes and shapes are inputs since opset 13 (so callers need no initializer names).

    /** {@code Reshape(x, shape)}; 0 copies the input's dimension, -1 is inferred. */
    public String reshape(String x, long... shape) {
        return op("Reshape", new String[] {x, constLongs(shape)});
    }

    /** {@code Transpose(x, perm)}. */
    public String transpose(String x, long... perm) {
        return op("Transpose", new String[] {x}, ints("perm", perm));
    }

    /** {@code Unsqueeze(x, axes)}. */
    public String unsqueeze(String x, long... axes) {
        return op("Unsqueeze", new String[] {x, constLongs(axes)});
    }

    /** {@code Slice(x, starts, ends, axes)} with step 1. */
    public String slice(String x, long[] starts, long[] ends, long[] axes) {
        return op("Slice", new String[] {x, constLongs(starts), constLongs(ends), constLongs(axes)});
    }

    /** {@code Cast(x, to)}. */
    public String cast(String x, int to) {
        return op("Cast", new String[] {x}, intAttr("to", to));
    }

    /** An INTS attribute. */
    public static OnnxMl.AttributeProto ints(String name, long... values) {
        OnnxMl.AttributeProto.Builder a = OnnxMl.AttributeProto.newBuilder().setName(name)
                .setType(OnnxMl.AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    /** An INT attribute. */
    public static OnnxMl.AttributeProto intAttr(String name, long value) {
        return OnnxMl.AttributeProto.newBuilder().setName(name).setType(OnnxMl.AttributeProto.AttributeType.INT)
                .setI(value).build();
    }

    /** A FLOAT attribute. */
    public static OnnxMl.AttributeProto floatAttr(String name, float value) {
        return OnnxMl.AttributeProto.newBuilder().setName(name).setType(OnnxMl.AttributeProto.AttributeType.FLOAT)
                .setF(value).build();
    }

    /** A FLOATS attribute. */
    public static OnnxMl.AttributeProto floatsAttr(String name, float... values) {
        OnnxMl.AttributeProto.Builder a = OnnxMl.AttributeProto.newBuilder().setName(name)
                .setType(OnnxMl.AttributeProto.AttributeType.FLOATS);
        for (float v : values) {
            a.addFloats(v);
        }
        return a.build();
    }

    /** A STRING attribute (UTF-8). */
    public static OnnxMl.AttributeProto stringAttr(String name, String value) {
        return OnnxMl.AttributeProto.newBuilder().setName(name).setType(OnnxMl.AttributeProto.AttributeType.STRING)
                .setS(com.google.protobuf.ByteString.copyFrom(value, StandardCharsets.UTF_8)).build();
    }

    /** The number of elements over all initializers. */
    public long initializerElements() {
        long n = 0;
        for (Initializer i : initializers) {
            n += i.elements();
        }
        return n;
    }

    /** The initializers' data size in bytes (what a data file or the model's raw_data fields hold, unpadded). */
    public long initializerBytes() {
        long n = 0;
        for (Initializer i : initializers) {
            n += i.bytes();
        }
        return n;
    }

    /** The exact size in bytes of the model serialized with every initializer inline (protobuf refuses 2 GiB). */
    public long inlineSize() {
        return new ModelWriter(this, null, 1, WriteProgress.NONE).modelSize();
    }

    /** The model without any initializer data, for inspection (names, nodes, I/O); initializers carry dims only. */
    public OnnxMl.ModelProto skeleton() {
        OnnxMl.GraphProto.Builder g = graph.clone();
        for (Initializer i : initializers) {
            g.addInitializer(i.header());
        }
        return modelHeader().setGraph(g).build();
    }

    /** The serialized model, every initializer inline (for small models: it is built in memory). */
    public byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            new ModelWriter(this, null, 1, WriteProgress.NONE).writeTo(out, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * Writes the model to {@code model}, every initializer inline, streaming (atomically: a temporary file moved into
     * place). Fails with a message naming the model if it would exceed protobuf's 2 GiB limit.
     */
    public void write(Path model) throws IOException {
        write(model, null, WriteProgress.NONE);
    }

    /**
     * Writes the model to {@code model} with its large initializers in {@code external}'s data file beside it
     * ({@code null}: all inline), generating lazy initializers on all available cores and writing both files
     * atomically (temporary files moved into place, the data file first).
     *
     * @param progress told the bytes written so far and the total, after each chunk
     */
    public void write(Path model, ExternalData external, WriteProgress progress) throws IOException {
        new ModelWriter(this, external, Runtime.getRuntime().availableProcessors(), progress).write(model);
    }

    OnnxMl.ModelProto.Builder modelHeader() {
        return OnnxMl.ModelProto.newBuilder().setIrVersion(irVersion).setProducerName(producer)
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset));
    }

    OnnxMl.GraphProto graphWithoutInitializers() {
        return graph.build();
    }

    List<Initializer> initializers() {
        return initializers;
    }
}
