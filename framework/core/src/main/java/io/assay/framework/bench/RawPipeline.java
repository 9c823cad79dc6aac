package io.assay.framework.bench;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.platform.Fp16Conversions;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.assay.lib.clip.ClipTokenizer;
import io.assay.lib.clip.LongPromptPolicy;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The limit Assay is measured against: a plain ONNX Runtime program over the same model files, with the same session
 * options, making the same calls as the pipeline — the text encoder once on {@code [uncond, cond]}, one U-Net call
 * per step on a batch of 2 (1 without guidance), the VAE decoder once — and doing the scheduler arithmetic in a Java
 * loop ({@link RawSchedule}). No framework type is involved between the calls.
 */
final class RawPipeline implements AutoCloseable {

    private static final int WINDOW = 77;

    /** Wall times of one raw run, in milliseconds. */
    record Timings(double textEncoder, double unet, int unetCalls, double scheduler, double vaeDecode, double total) {
    }

    /** One raw run's output: the decoded image and the final latents {@code [1, 4, h, w]} (before unscaling). */
    record Output(float[] decoded, float[] latents, Timings timings) {
    }

    private final OrtEnvironment env;
    private final Path dir;
    private final ClipTokenizer tokenizer;
    private final JsonNode schedulerConfig;
    private final float scaling;
    private final OrtSession text;
    private final OrtSession unet;
    private final OrtSession vae;
    /** Load time of each session, in milliseconds. */
    final Map<String, Double> loadMillis = new LinkedHashMap<>();

    /**
     * Loads the tokenizer, the scheduler config and the three sessions, each with options from {@code options}.
     */
    RawPipeline(Path dir, OrtEnvironment env, OptionsFactory options) {
        this.env = env;
        this.dir = dir;
        ObjectMapper json = new ObjectMapper();
        try {
            this.tokenizer = ClipTokenizer.load(dir.resolve("tokenizer"));
            this.schedulerConfig = json.readTree(dir.resolve("scheduler").resolve("scheduler_config.json").toFile());
            Path vaeConfig = dir.resolve("vae_decoder").resolve("config.json");
            this.scaling = vaeConfig.toFile().isFile()
                    ? (float) json.readTree(vaeConfig.toFile()).path("scaling_factor").asDouble(0.18215) : 0.18215f;
        } catch (IOException e) {
            throw new StageException(ErrorCode.MODEL_INVALID, "raw ONNX Runtime loop: cannot read '" + dir + "': "
                    + e.getMessage(), e);
        }
        OrtSession t = null;
        OrtSession u = null;
        try {
            t = load("text_encoder", options);
            u = load("unet", options);
            this.vae = load("vae_decoder", options);
        } catch (RuntimeException e) {
            closeQuietly(t);
            closeQuietly(u);
            throw e;
        }
        this.text = t;
        this.unet = u;
    }

    /** Makes the session options of one session (the caller mirrors the framework's). */
    @FunctionalInterface
    interface OptionsFactory {
        OrtSession.SessionOptions create() throws OrtException;
    }

    private OrtSession load(String folder, OptionsFactory options) {
        Path file = dir.resolve(folder).resolve("model.onnx");
        long s = System.nanoTime();
        try (OrtSession.SessionOptions o = options.create()) {
            OrtSession session = env.createSession(file.toString(), o);
            loadMillis.put(folder, (System.nanoTime() - s) / 1e6);
            return session;
        } catch (OrtException e) {
            throw new StageException(ErrorCode.MODEL_INVALID, "raw ONNX Runtime loop: cannot load '" + file + "': "
                    + e.getMessage(), e);
        }
    }

    /**
     * One generation: the same calls as the pipeline, from the given unit-normal noise {@code [1, 4, h, w]}.
     *
     * @return the decoded image {@code [1, 3, H, W]} (unclamped) and the time of each part
     */
    Output run(String prompt, String negative, float[] noise, int width, int height, int steps, double guidance,
            RawSchedule.Kind kind) throws OrtException {
        long t0 = System.nanoTime();
        // As the pipeline's cfg: scale 1 needs only the prompt's pass, scale 0 only the unconditional one.
        boolean cfg = guidance != 1.0 && guidance != 0.0;
        int batch = cfg ? 2 : 1;
        // Text encoder: one call on [uncond, cond].
        long s = System.nanoTime();
        int[] ids = new int[batch * WINDOW];
        if (cfg || guidance == 0.0) {
            System.arraycopy(tokens(negative), 0, ids, 0, WINDOW);
        }
        if (guidance != 0.0) {
            System.arraycopy(tokens(prompt), 0, ids, (batch - 1) * WINDOW, WINDOW);
        }
        float[] hidden;
        long[] hiddenShape;
        try (OnnxTensor in = idsTensor(ids, batch); OrtSession.Result r = text.run(Map.of("input_ids", in))) {
            OnnxTensor h = (OnnxTensor) r.get("last_hidden_state").orElseThrow();
            hiddenShape = h.getInfo().getShape();
            hidden = floats(h);
        }
        double textMs = (System.nanoTime() - s) / 1e6;

        // Denoising loop.
        RawSchedule schedule = new RawSchedule(schedulerConfig, kind, steps);
        int h8 = height / 8;
        int w8 = width / 8;
        int plane = 4 * h8 * w8;
        float[] x = new float[plane];
        float init = (float) schedule.initNoiseSigma();
        for (int j = 0; j < plane; j++) {
            x[j] = noise[j] * init;
        }
        double unetMs = 0;
        double schedMs = 0;
        float[] in = new float[batch * plane];
        float[] guided = new float[plane];
        try (OnnxTensor hs = floatTensor("encoder_hidden_states", unet, hidden, hiddenShape)) {
            for (int i = 0; i < steps; i++) {
                s = System.nanoTime();
                float scale = schedule.inputScale(i);
                for (int b = 0; b < batch; b++) {
                    for (int j = 0; j < plane; j++) {
                        in[b * plane + j] = x[j] * scale;
                    }
                }
                schedMs += (System.nanoTime() - s) / 1e6;
                s = System.nanoTime();
                float[] out;
                try (OnnxTensor sample = floatTensor("sample", unet, in, new long[] {batch, 4, h8, w8});
                        OnnxTensor t = timestepTensor((long) schedule.timesteps[i]);
                        OrtSession.Result r = unet.run(Map.of("sample", sample, "timestep", t,
                                "encoder_hidden_states", hs))) {
                    out = floats((OnnxTensor) r.get(0));
                }
                unetMs += (System.nanoTime() - s) / 1e6;
                s = System.nanoTime();
                if (cfg) {
                    float g = (float) guidance;
                    for (int j = 0; j < plane; j++) {
                        float u = out[j];
                        guided[j] = u + g * (out[plane + j] - u);
                    }
                } else {
                    System.arraycopy(out, 0, guided, 0, plane);
                }
                schedule.step(x, guided, i);
                schedMs += (System.nanoTime() - s) / 1e6;
            }
        }

        // VAE decode.
        s = System.nanoTime();
        float[] z = new float[plane];
        for (int j = 0; j < plane; j++) {
            z[j] = x[j] / scaling;
        }
        float[] image;
        try (OnnxTensor lat = floatTensor("latent_sample", vae, z, new long[] {1, 4, h8, w8});
                OrtSession.Result r = vae.run(Map.of("latent_sample", lat))) {
            image = floats((OnnxTensor) r.get(0));
        }
        double vaeMs = (System.nanoTime() - s) / 1e6;
        return new Output(image, x, new Timings(textMs, unetMs, steps, schedMs, vaeMs, (System.nanoTime() - t0) / 1e6));
    }

    private int[] tokens(String text) {
        int[] ids = tokenizer.report(text, LongPromptPolicy.TRUNCATE, WINDOW).ids();
        return java.util.Arrays.copyOf(ids, WINDOW);
    }

    private OnnxTensor idsTensor(int[] ids, int batch) throws OrtException {
        long[] shape = {batch, WINDOW};
        if (type(text, "input_ids") == OnnxJavaType.INT64) {
            LongBuffer b = direct(ids.length * 8L).asLongBuffer();
            for (int id : ids) {
                b.put(id);
            }
            return OnnxTensor.createTensor(env, b.rewind(), shape);
        }
        IntBuffer b = direct(ids.length * 4L).asIntBuffer().put(ids);
        return OnnxTensor.createTensor(env, b.rewind(), shape);
    }

    private OnnxTensor timestepTensor(long t) throws OrtException {
        TensorInfo info = info(unet, "timestep");
        long[] shape = info.getShape().length == 0 ? new long[0] : new long[] {1};
        return switch (info.type) {
            case INT64 -> OnnxTensor.createTensor(env, direct(8).asLongBuffer().put(t).rewind(), shape);
            case INT32 -> OnnxTensor.createTensor(env, direct(4).asIntBuffer().put((int) t).rewind(), shape);
            case FLOAT16 -> OnnxTensor.createTensor(env, direct(2).asShortBuffer()
                    .put(Fp16Conversions.floatToFp16(t)).rewind(), shape, OnnxJavaType.FLOAT16);
            case DOUBLE -> OnnxTensor.createTensor(env, direct(8).asDoubleBuffer().put(t).rewind(), shape);
            default -> OnnxTensor.createTensor(env, direct(4).asFloatBuffer().put(t).rewind(), shape);
        };
    }

    /** A float input in the dtype the model declares (float32, or float16 for fp16 exports). */
    private OnnxTensor floatTensor(String name, OrtSession session, float[] data, long[] shape) throws OrtException {
        if (type(session, name) == OnnxJavaType.FLOAT16) {
            ShortBuffer b = direct(data.length * 2L).asShortBuffer();
            for (float f : data) {
                b.put(Fp16Conversions.floatToFp16(f));
            }
            return OnnxTensor.createTensor(env, b.rewind(), shape, OnnxJavaType.FLOAT16);
        }
        FloatBuffer b = direct(data.length * 4L).asFloatBuffer().put(data);
        return OnnxTensor.createTensor(env, b.rewind(), shape);
    }

    private static float[] floats(OnnxTensor t) {
        if (t.getInfo().type == OnnxJavaType.FLOAT16) {
            ShortBuffer b = t.getShortBuffer();
            float[] out = new float[b.remaining()];
            for (int i = 0; i < out.length; i++) {
                out[i] = Fp16Conversions.fp16ToFloat(b.get(i));
            }
            return out;
        }
        FloatBuffer b = t.getFloatBuffer();
        float[] out = new float[b.remaining()];
        b.get(out);
        return out;
    }

    private static OnnxJavaType type(OrtSession session, String input) throws OrtException {
        return info(session, input).type;
    }

    private static TensorInfo info(OrtSession session, String input) throws OrtException {
        NodeInfo n = session.getInputInfo().get(input);
        if (n == null || !(n.getInfo() instanceof TensorInfo t)) {
            throw new StageException(ErrorCode.MODEL_INVALID, "raw ONNX Runtime loop: the model has no tensor "
                    + "input '" + input + "'");
        }
        return t;
    }

    private static ByteBuffer direct(long bytes) {
        return ByteBuffer.allocateDirect(Math.toIntExact(bytes)).order(ByteOrder.nativeOrder());
    }

    private static void closeQuietly(OrtSession s) {
        if (s != null) {
            try {
                s.close();
            } catch (OrtException e) {
                // closing anyway
            }
        }
    }

    @Override
    public void close() {
        closeQuietly(text);
        closeQuietly(unet);
        closeQuietly(vae);
    }
}
