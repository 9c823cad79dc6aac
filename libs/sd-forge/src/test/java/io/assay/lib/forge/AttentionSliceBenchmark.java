package io.assay.lib.forge;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.assay.lib.onnxgraph.ExternalData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Measures what attention slicing costs and saves on a forged U-Net (not a test; numbers belong in reports):
 * <ul>
 * <li>{@code time DIR PRESET SLICES SIDE BATCH ROUNDS}: writes the preset's U-Net unsliced and with {@code SLICES}
 *     head groups under {@code DIR} (if not there yet), creates both sessions (2 threads, default options), warms
 *     each up once, then alternates {@code ROUNDS} calls of each at {@code SIDE}×{@code SIDE} pixels and batch
 *     {@code BATCH}; prints each one's median and the largest difference between their outputs.</li>
 * <li>{@code peak MODEL SIDE BATCH default|lean|minimal}: one session on {@code MODEL} (a U-Net or a VAE decoder)
 *     with the {@code onnx.memory} options Assay uses, one call; prints RSS after loading and the process peak
 *     (VmHWM) after the call, in MB of 10⁶ bytes. Run once per process: the peak is the process's.</li>
 * </ul>
 */
public final class AttentionSliceBenchmark {

    private AttentionSliceBenchmark() {
    }

    /** See the class comment. */
    public static void main(String[] args) throws IOException, OrtException {
        switch (args[0]) {
            case "time" -> time(Path.of(args[1]), Preset.of(args[2]), Integer.parseInt(args[3]),
                    Integer.parseInt(args[4]), Integer.parseInt(args[5]), Integer.parseInt(args[6]));
            case "peak" -> peak(Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]), args[4]);
            default -> throw new IllegalArgumentException("first argument: time or peak, not '" + args[0] + "'");
        }
    }

    /** The preset's U-Net with {@code slices} head groups in {@code DIR/unet-<slices>/model.onnx}. */
    static Path unet(Path dir, Preset preset, int slices) throws IOException {
        Path model = dir.resolve(preset.label() + "-unet-" + slices).resolve("model.onnx");
        if (!Files.exists(model)) {
            Files.createDirectories(model.getParent());
            var g = UnetModel.build(preset.unet(), Dtype.FP32, Weights.key(1, "unet"), slices).graph();
            g.write(model, g.inlineSize() >= Integer.MAX_VALUE ? ExternalData.OPTIMUM : null, (d, t) -> { });
        }
        return model;
    }

    private static void time(Path dir, Preset preset, int slices, int side, int batch, int rounds)
            throws IOException, OrtException {
        int h = side / 8;
        int d = preset.unet().crossAttention();
        float[] sample = ForgeTinyTest.gaussian(batch * 4 * h * h, 1);
        float[] text = ForgeTinyTest.uniform(batch * 77 * d, 2);
        try (Ort plain = new Ort(unet(dir, preset, 1), false);
                Ort sliced = new Ort(unet(dir, preset, slices), false)) {
            Ort[] sessions = {plain, sliced};
            double[][] times = new double[2][rounds];
            float[][] last = new float[2][];
            for (int r = -1; r < rounds; r++) {
                for (int s = 0; s < 2; s++) {
                    long t0 = System.nanoTime();
                    last[s] = sessions[s].floats("sample", sample, batch, 4, h, h)
                            .longs("timestep", new long[] {500}, 1)
                            .floats("encoder_hidden_states", text, batch, 77, d).run().get("out_sample").data();
                    if (r >= 0) {
                        times[s][r] = (System.nanoTime() - t0) / 1e9;
                    }
                }
            }
            double diff = 0;
            for (int i = 0; i < last[0].length; i++) {
                diff = Math.max(diff, Math.abs(last[0][i] - last[1][i]));
            }
            System.out.printf(Locale.ROOT, "%s unet %dx%d batch %d, %d rounds interleaved: unsliced median %.3f s "
                    + "(%s), %d slices median %.3f s (%s); max |difference| %.2e%n", preset.label(), side, side,
                    batch, rounds, median(times[0]), fmt(times[0]), slices, median(times[1]), fmt(times[1]), diff);
        }
    }

    private static void peak(Path model, int side, int batch, String memory) throws IOException, OrtException {
        int h = side / 8;
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(2);
            if (!memory.equals("default")) {
                o.setCPUArenaAllocator(false);
                o.setMemoryPatternOptimization(false);
                o.addConfigEntry("session.use_device_allocator_for_initializers", "1");
            }
            if (memory.equals("minimal")) {
                o.addConfigEntry("session.disable_prepacking", "1");
            }
            try (OrtSession s = Ort.ENV.createSession(model.toString(), o)) {
                long loaded = status("VmRSS");
                java.util.Map<String, ai.onnxruntime.OnnxTensor> feed = new java.util.HashMap<>();
                if (s.getInputInfo().containsKey("latent_sample")) { // a VAE decoder
                    feed.put("latent_sample", ai.onnxruntime.OnnxTensor.createTensor(Ort.ENV, java.nio.FloatBuffer
                            .wrap(ForgeTinyTest.gaussian(batch * 4 * h * h, 1)), new long[] {batch, 4, h, h}));
                } else {
                    int d = (int) ((ai.onnxruntime.TensorInfo) s.getInputInfo().get("encoder_hidden_states")
                            .getInfo()).getShape()[2];
                    feed.put("sample", ai.onnxruntime.OnnxTensor.createTensor(Ort.ENV, java.nio.FloatBuffer.wrap(
                            ForgeTinyTest.gaussian(batch * 4 * h * h, 1)), new long[] {batch, 4, h, h}));
                    feed.put("timestep", ai.onnxruntime.OnnxTensor.createTensor(Ort.ENV, java.nio.LongBuffer.wrap(
                            new long[] {500}), new long[] {1}));
                    feed.put("encoder_hidden_states", ai.onnxruntime.OnnxTensor.createTensor(Ort.ENV,
                            java.nio.FloatBuffer.wrap(ForgeTinyTest.uniform(batch * 77 * d, 2)),
                            new long[] {batch, 77, d}));
                }
                long t0 = System.nanoTime();
                try (var r = s.run(feed)) {
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    System.out.printf(Locale.ROOT, "%s %dx%d batch %d memory %s: RSS after load %.1f MB, peak %.1f MB"
                            + " (run adds %.1f MB), call %.2f s%n", model, side, side, batch, memory, loaded / 1e6,
                            status("VmHWM") / 1e6, (status("VmHWM") - loaded) / 1e6, seconds);
                }
            }
        }
    }

    /** A /proc/self/status field (given there in kB of 1024 bytes) in bytes. */
    private static long status(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field + ":")) {
                return 1024 * Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("no " + field + " in /proc/self/status");
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static String fmt(double[] v) {
        StringBuilder b = new StringBuilder();
        for (double x : v) {
            b.append(b.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.3f", x));
        }
        return b.toString();
    }
}
