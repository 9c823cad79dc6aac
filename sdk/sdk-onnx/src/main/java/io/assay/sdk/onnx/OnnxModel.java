package io.assay.sdk.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.platform.Fp16Conversions;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import io.assay.sdk.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A handle on a shared ONNX Runtime session, with the model's declared inputs and outputs and conversions between
 * {@link Tensor} and ONNX tensors in whatever dtype the model declares (float32 or float16 data; int32 or int64 ids;
 * rank-0 or rank-1 timesteps). Thread-safe for {@link #run} (ONNX Runtime sessions are). {@link #close()} releases
 * this handle's reference; it is idempotent.
 */
public final class OnnxModel implements AutoCloseable {

    private final OnnxSessions owner;
    private final OnnxSessions.Shared shared;
    private final Path file;
    private final String component;
    private final Map<String, TensorSpec> inputs;
    private final Map<String, TensorSpec> outputs;
    private final AtomicBoolean closed = new AtomicBoolean();

    OnnxModel(OnnxSessions owner, OnnxSessions.Shared shared, Path file, String component) {
        this.owner = owner;
        this.shared = shared;
        this.file = file;
        this.component = component;
        try {
            this.inputs = specs(shared.session.getInputInfo());
            this.outputs = specs(shared.session.getOutputInfo());
        } catch (OrtException e) {
            owner.release(shared);
            throw new StageException(ErrorCode.MODEL_INVALID, "Component '" + component + "': cannot read the "
                    + "inputs and outputs of '" + file + "': " + e.getMessage(), e);
        }
    }

    private static Map<String, TensorSpec> specs(Map<String, NodeInfo> infos) {
        Map<String, TensorSpec> out = new LinkedHashMap<>();
        for (Map.Entry<String, NodeInfo> e : infos.entrySet()) {
            if (e.getValue().getInfo() instanceof TensorInfo t) {
                String[] names = t.getDimensionNames();
                out.put(e.getKey(), new TensorSpec(e.getKey(), t.type, t.getShape(),
                        names == null ? new String[t.getShape().length] : names));
            }
        }
        return out;
    }

    /** The model file. */
    public Path file() {
        return file;
    }

    /** The execution provider the session runs on ({@code cpu}, {@code cuda} …). */
    public String executionProvider() {
        return shared.provider;
    }

    /** Declared inputs, in order. */
    public Map<String, TensorSpec> inputs() {
        return inputs;
    }

    /** Declared outputs, in order. */
    public Map<String, TensorSpec> outputs() {
        return outputs;
    }

    /**
     * Requires an input with one of the given element types and ranks, else throws {@code MODEL_INVALID} naming the
     * component, the file, what was expected and what the file declares.
     */
    public TensorSpec requireInput(String name, Set<OnnxJavaType> types, Set<Integer> ranks) {
        return require("input", inputs, name, types, ranks);
    }

    /** Like {@link #requireInput} for outputs. */
    public TensorSpec requireOutput(String name, Set<OnnxJavaType> types, Set<Integer> ranks) {
        return require("output", outputs, name, types, ranks);
    }

    private TensorSpec require(String what, Map<String, TensorSpec> specs, String name, Set<OnnxJavaType> types,
            Set<Integer> ranks) {
        TensorSpec s = specs.get(name);
        if (s == null) {
            throw invalid("has no " + what + " '" + name + "'; its " + what + "s are " + describe(specs));
        }
        if (!types.contains(s.type()) || !ranks.contains(s.rank())) {
            List<String> t = new ArrayList<>();
            types.forEach(x -> t.add(TensorSpec.typeName(x)));
            throw invalid(what + " '" + name + "' is " + s.describe() + " but the stage needs " + String.join(" or ",
                    t) + " of rank " + ranks);
        }
        return s;
    }

    /** A {@code MODEL_INVALID} exception naming the component and the file. */
    public StageException invalid(String problem) {
        return new StageException(ErrorCode.MODEL_INVALID, "Component '" + component + "': model '" + file + "' "
                + problem);
    }

    /** {@code [a float32 [b, 4, h, w], …]}. */
    public static String describe(Map<String, TensorSpec> specs) {
        List<String> out = new ArrayList<>();
        specs.values().forEach(s -> out.add(s.describe()));
        return out.toString();
    }

    /** A float tensor for {@code input}, converted to the input's declared type (float32 or float16). */
    public OnnxTensor floatInput(String input, Tensor t) throws OrtException {
        return NativeBuffer.of(isHalf(inputs, input), t.shape()).fill(t.data()).tensor();
    }

    private static boolean isHalf(Map<String, TensorSpec> specs, String name) {
        TensorSpec spec = specs.get(name);
        return spec != null && spec.type() == OnnxJavaType.FLOAT16;
    }

    /**
     * Reusable native memory for running this model over and over (the denoiser's loop): inputs are copied into the
     * same native buffer while their shape is unchanged, an input that is a run's constant (the hidden states) is
     * copied only when another tensor object arrives, and outputs are written by ONNX Runtime straight into buffers
     * kept from the last call. Numbers are the same as {@link #run}'s. One binding per stage instance; not for
     * concurrent use.
     */
    public Binding binding() {
        return new Binding();
    }

    /** See {@link #binding()}. */
    public final class Binding implements AutoCloseable {

        private final Map<String, NativeBuffer> in = new LinkedHashMap<>();
        private final Map<String, Tensor> lastSource = new LinkedHashMap<>();
        private final Map<String, NativeBuffer> out = new LinkedHashMap<>();

        private Binding() {
        }

        /** Binds a float input (copied into the buffer kept for it). */
        public void input(String name, Tensor t) throws OrtException {
            NativeBuffer b = in.get(name);
            if (b == null || !java.util.Arrays.equals(b.shape(), t.shape())) {
                if (b != null) {
                    b.close();
                }
                b = NativeBuffer.of(isHalf(inputs, name), t.shape());
                in.put(name, b);
            }
            b.fill(t.data());
            lastSource.remove(name);
        }

        /**
         * Binds a float input that stays the same over a run (the text encoder's hidden states): the same tensor object
         * as last time is not copied again (tensors handed to stages are never modified), another one is.
         */
        public void constant(String name, Tensor t) throws OrtException {
            if (lastSource.get(name) != t) {
                input(name, t);
                lastSource.put(name, t);
            }
        }

        /** Binds a scalar or vector input (a timestep) in its declared type; small, so created per call. */
        public void number(String name, double[] values, long[] shape) throws OrtException {
            NativeBuffer old = in.put(name, NativeBuffer.wrap(numberInput(name, values, shape)));
            lastSource.remove(name);
            if (old != null) {
                old.close();
            }
        }

        /**
         * Runs the model with the bound inputs and returns {@code output} (of the given shape) as a new float32
         * tensor.
         *
         * @throws StageException {@code CLOSED} after the model was closed, {@code MODEL_INVALID} when ONNX Runtime
         *     fails
         */
        public Tensor run(String output, long[] shape) {
            if (closed.get()) {
                throw new StageException(ErrorCode.CLOSED, "Component '" + component + "' was closed");
            }
            try {
                NativeBuffer o = out.get(output);
                if (o == null || !java.util.Arrays.equals(o.shape(), shape)) {
                    if (o != null) {
                        o.close();
                    }
                    o = NativeBuffer.of(isHalf(outputs, output), shape);
                    out.put(output, o);
                }
                Map<String, OnnxTensor> feed = new LinkedHashMap<>();
                in.forEach((k, v) -> feed.put(k, v.tensor()));
                try (OrtSession.Result r = shared.session.run(feed, Map.of(output, o.tensor()))) {
                    return new Tensor(shape.clone(), o.read());
                }
            } catch (OrtException e) {
                throw new StageException(ErrorCode.MODEL_INVALID, "Component '" + component + "': running '" + file
                        + "' failed: " + e.getMessage(), e);
            }
        }

        /** Releases the native buffers. */
        @Override
        public void close() {
            in.values().forEach(NativeBuffer::close);
            out.values().forEach(NativeBuffer::close);
            in.clear();
            out.clear();
            lastSource.clear();
        }
    }

    /** A scalar or vector for {@code input} in its declared type (float32, float16, int32 or int64). */
    public OnnxTensor numberInput(String input, double[] values, long[] shape) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OnnxJavaType type = inputs.containsKey(input) ? inputs.get(input).type() : OnnxJavaType.FLOAT;
        return switch (type) {
            case INT64 -> {
                long[] v = new long[values.length];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (long) values[i];
                }
                yield OnnxTensor.createTensor(env, LongBuffer.wrap(v), shape);
            }
            case INT32 -> {
                int[] v = new int[values.length];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (int) values[i];
                }
                yield OnnxTensor.createTensor(env, IntBuffer.wrap(v), shape);
            }
            case FLOAT16 -> {
                ByteBuffer b = ByteBuffer.allocateDirect(values.length * 2).order(ByteOrder.nativeOrder());
                ShortBuffer sb = b.asShortBuffer();
                for (double d : values) {
                    sb.put(Fp16Conversions.floatToFp16((float) d));
                }
                sb.rewind();
                yield OnnxTensor.createTensor(env, sb, shape, OnnxJavaType.FLOAT16);
            }
            case DOUBLE -> OnnxTensor.createTensor(env, java.nio.DoubleBuffer.wrap(values), shape);
            default -> {
                float[] v = new float[values.length];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) values[i];
                }
                yield OnnxTensor.createTensor(env, FloatBuffer.wrap(v), shape);
            }
        };
    }

    /** Token ids for {@code input} as int32 or int64, per the model. */
    public OnnxTensor idsInput(String input, int[] ids, long[] shape) throws OrtException {
        double[] d = new double[ids.length];
        for (int i = 0; i < ids.length; i++) {
            d[i] = ids[i];
        }
        return numberInput(input, d, shape);
    }

    /**
     * Runs the model. The input tensors are closed afterwards; requested float/float16 outputs are returned as
     * float32 tensors.
     *
     * @throws StageException {@code CLOSED} after close, {@code MODEL_INVALID} when ONNX Runtime fails
     */
    public Map<String, Tensor> run(Map<String, OnnxTensor> in, Set<String> wanted) {
        if (closed.get()) {
            for (OnnxTensor t : in.values()) {
                t.close();
            }
            throw new StageException(ErrorCode.CLOSED, "Component '" + component + "' was closed");
        }
        try (OrtSession.Result r = shared.session.run(in, wanted)) {
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (String name : wanted) {
                OnnxValue v = r.get(name).orElseThrow(() -> invalid("did not produce output '" + name + "'"));
                out.put(name, toTensor((OnnxTensor) v));
            }
            return out;
        } catch (OrtException e) {
            throw new StageException(ErrorCode.MODEL_INVALID, "Component '" + component + "': running '" + file
                    + "' failed: " + e.getMessage(), e);
        } finally {
            for (OnnxTensor t : in.values()) {
                t.close();
            }
        }
    }

    /** An ONNX float32/float16 tensor as a float32 {@link Tensor}. */
    public static Tensor toTensor(OnnxTensor t) {
        TensorInfo info = t.getInfo();
        long[] shape = info.getShape();
        int n = Math.toIntExact(Tensor.count(shape));
        float[] data = new float[n];
        switch (info.type) {
            case FLOAT -> t.getFloatBuffer().get(data);
            case FLOAT16 -> NativeBuffer.halfToFloat(t.getShortBuffer(), data);
            case DOUBLE -> {
                java.nio.DoubleBuffer db = t.getDoubleBuffer();
                for (int i = 0; i < n; i++) {
                    data[i] = (float) db.get(i);
                }
            }
            default -> throw new StageException(ErrorCode.MODEL_INVALID, "output of type " + info.type
                    + " where a float tensor was expected, shape " + Arrays.toString(shape));
        }
        return new Tensor(shape, data);
    }

    /** Releases this handle's reference to the shared session; idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            owner.release(shared);
        }
    }
}
