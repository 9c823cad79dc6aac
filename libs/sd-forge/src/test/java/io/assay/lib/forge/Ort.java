package io.assay.lib.forge;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.platform.Fp16Conversions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** ONNX Runtime helpers for the tests: sessions on 2 threads, float32/float16/int tensors in, float32 arrays out. */
final class Ort implements AutoCloseable {

    static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    private final OrtSession session;
    private final boolean fp16;
    private final Map<String, OnnxTensor> feed = new LinkedHashMap<>();

    Ort(Path model, boolean fp16) throws OrtException {
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(2);
            this.session = ENV.createSession(model.toString(), o);
        }
        this.fp16 = fp16;
    }

    OrtSession session() {
        return session;
    }

    /** A float input (float16 if the model is fp16). */
    Ort floats(String name, float[] data, long... shape) throws OrtException {
        if (fp16) {
            ByteBuffer b = ByteBuffer.allocateDirect(data.length * 2).order(ByteOrder.nativeOrder());
            for (float f : data) {
                b.putShort(Fp16Conversions.floatToFp16(f));
            }
            b.rewind();
            feed.put(name, OnnxTensor.createTensor(ENV, b, shape, OnnxJavaType.FLOAT16));
        } else {
            feed.put(name, OnnxTensor.createTensor(ENV, FloatBuffer.wrap(data), shape));
        }
        return this;
    }

    Ort ints(String name, int[] data, long... shape) throws OrtException {
        feed.put(name, OnnxTensor.createTensor(ENV, IntBuffer.wrap(data), shape));
        return this;
    }

    Ort longs(String name, long[] data, long... shape) throws OrtException {
        feed.put(name, OnnxTensor.createTensor(ENV, LongBuffer.wrap(data), shape));
        return this;
    }

    /** Runs with the inputs given so far (then drops them); every output as float32 with its shape. */
    Map<String, Tensor> run() throws OrtException {
        try (OrtSession.Result r = session.run(feed)) {
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (Map.Entry<String, ai.onnxruntime.OnnxValue> e : r) {
                OnnxTensor t = (OnnxTensor) e.getValue();
                FloatBuffer fb = t.getFloatBuffer();
                float[] v = new float[fb.remaining()];
                fb.get(v);
                out.put(e.getKey(), new Tensor(v, t.getInfo().getShape()));
            }
            return out;
        } finally {
            feed.values().forEach(OnnxTensor::close);
            feed.clear();
        }
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }

    /** A float32 result. */
    record Tensor(float[] data, long[] shape) {

        double maxAbs() {
            double m = 0;
            for (float f : data) {
                m = Math.max(m, Math.abs(f));
            }
            return m;
        }

        boolean finite() {
            for (float f : data) {
                if (!Float.isFinite(f)) {
                    return false;
                }
            }
            return true;
        }

        double std() {
            double s = 0;
            double s2 = 0;
            for (float f : data) {
                s += f;
                s2 += (double) f * f;
            }
            double mean = s / data.length;
            return Math.sqrt(Math.max(0, s2 / data.length - mean * mean));
        }
    }
}
