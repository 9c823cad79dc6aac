package io.assay.sdk.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.platform.Fp16Conversions;
import io.assay.sdk.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;

/**
 * A float32 or float16 tensor in native memory that ONNX Runtime reads and writes in place (a tensor created over a
 * direct buffer is not copied), so a model run again and again reuses it instead of allocating and copying per call.
 * Conversions to and from float16 go element by element through ONNX Runtime's own {@link Fp16Conversions} into the
 * same buffer, with no intermediate allocation.
 */
final class NativeBuffer implements AutoCloseable {

    private final boolean half;
    private final long[] shape;
    private final ByteBuffer bytes;
    private final OnnxTensor tensor;

    private NativeBuffer(boolean half, long[] shape, ByteBuffer bytes, OnnxTensor tensor) {
        this.half = half;
        this.shape = shape;
        this.bytes = bytes;
        this.tensor = tensor;
    }

    /** A zeroed buffer of {@code shape}, float16 when {@code half}. */
    static NativeBuffer of(boolean half, long[] shape) throws OrtException {
        int n = Math.toIntExact(Tensor.count(shape));
        ByteBuffer b = ByteBuffer.allocateDirect(n * (half ? 2 : 4)).order(ByteOrder.nativeOrder());
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OnnxTensor t = half ? OnnxTensor.createTensor(env, b.asShortBuffer(), shape, OnnxJavaType.FLOAT16)
                : OnnxTensor.createTensor(env, b.asFloatBuffer(), shape);
        return new NativeBuffer(half, shape.clone(), b, t);
    }

    /** A tensor ONNX Runtime owns (a small one made per call), kept so it is closed with the others. */
    static NativeBuffer wrap(OnnxTensor t) {
        return new NativeBuffer(false, t.getInfo().getShape(), null, t);
    }

    /** Copies {@code data} in, converting to float16 when the buffer is half precision. */
    NativeBuffer fill(float[] data) {
        if (half) {
            ShortBuffer sb = bytes.asShortBuffer();
            for (int i = 0; i < data.length; i++) {
                sb.put(i, Fp16Conversions.floatToFp16(data[i]));
            }
        } else {
            bytes.asFloatBuffer().put(0, data);
        }
        return this;
    }

    /** The contents as new float32 data. */
    float[] read() {
        float[] out = new float[Math.toIntExact(Tensor.count(shape))];
        if (half) {
            halfToFloat(bytes.asShortBuffer(), out);
        } else {
            bytes.asFloatBuffer().get(0, out);
        }
        return out;
    }

    /** float16 → float32, element by element. */
    static void halfToFloat(ShortBuffer in, float[] out) {
        for (int i = 0; i < out.length; i++) {
            out[i] = Fp16Conversions.fp16ToFloat(in.get(i));
        }
    }

    OnnxTensor tensor() {
        return tensor;
    }

    long[] shape() {
        return shape;
    }

    @Override
    public void close() {
        tensor.close();
    }
}
