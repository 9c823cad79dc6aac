package io.assay.lib.forge;

import ai.onnxruntime.OrtException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Measures forging and loading (not a test; speed belongs in reports, not assertions):
 * {@code java -cp <test classpath> io.assay.lib.forge.ForgeBenchmark DIR PRESET[:fp16] ...} forges each preset into
 * {@code DIR/<preset>-<dtype>} and prints the forge time and bytes on disk; with {@code --load} also ONNX Runtime
 * session creation per model (CPU, 2 threads), and with {@code --unet H,W,...} the median of 3 U-Net calls (after
 * one warm-up) at each image side, batch 2 as classifier-free guidance runs it; {@code --delete} removes each model
 * directory after measuring.
 */
public final class ForgeBenchmark {

    private ForgeBenchmark() {
    }

    /** See the class comment. */
    public static void main(String[] args) throws IOException, OrtException {
        Path root = Path.of(args[0]);
        boolean load = false;
        boolean delete = false;
        int[] sides = new int[0];
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--load" -> load = true;
                case "--delete" -> delete = true;
                case "--unet" -> sides = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                default -> {
                    String[] p = args[i].split(":");
                    Preset preset = Preset.of(p[0]);
                    Dtype dtype = p.length > 1 && p[1].equals("fp16") ? Dtype.FP16 : Dtype.FP32;
                    measure(preset, dtype, root.resolve(preset.label() + "-" + dtype.label()), load, sides, delete);
                }
            }
        }
    }

    private static void measure(Preset preset, Dtype dtype, Path dir, boolean load, int[] sides, boolean delete)
            throws IOException, OrtException {
        long t0 = System.nanoTime();
        Forge.Result r = Forge.write(preset, dir, 1, dtype, Forge.Progress.NONE);
        double forge = (System.nanoTime() - t0) / 1e9;
        long total = 0;
        StringBuilder per = new StringBuilder();
        for (Forge.Written w : r.models()) {
            total += w.bytes();
            per.append(String.format(Locale.ROOT, " %s %.1f MB%s", w.folder(), w.bytes() / 1e6,
                    w.externalData() ? " (external data)" : ""));
        }
        System.out.printf(Locale.ROOT, "%s %s: forged in %.1f s, %.1f MB on disk:%s%n", preset.label(), dtype.label(),
                forge, total / 1e6, per);
        if (load) {
            for (Forge.Written w : r.models()) {
                long s0 = System.nanoTime();
                try (Ort o = new Ort(dir.resolve(w.folder()).resolve("model.onnx"), dtype == Dtype.FP16)) {
                    System.out.printf(Locale.ROOT, "  %s session created in %.2f s%n", w.folder(),
                            (System.nanoTime() - s0) / 1e9);
                    if (w.folder().equals("unet")) {
                        for (int side : sides) {
                            unet(o, preset, side);
                        }
                    }
                }
            }
        }
        if (delete) {
            io.assay.sdk.testkit.ModelDirectories.deleteTree(dir);
        }
    }

    private static void unet(Ort o, Preset preset, int side) throws OrtException {
        int h = side / 8;
        int d = preset.unet().crossAttention();
        float[] sample = ForgeTinyTest.gaussian(2 * 4 * h * h, 1);
        float[] text = ForgeTinyTest.uniform(2 * 77 * d, 2);
        double[] times = new double[4];
        double maxAbs = 0;
        for (int i = 0; i < times.length; i++) {
            long t0 = System.nanoTime();
            Ort.Tensor out = o.floats("sample", sample, 2, 4, h, h).longs("timestep", new long[] {500}, 1)
                    .floats("encoder_hidden_states", text, 2, 77, d).run().get("out_sample");
            times[i] = (System.nanoTime() - t0) / 1e9;
            maxAbs = out.finite() ? out.maxAbs() : Double.NaN;
        }
        double[] timed = Arrays.copyOfRange(times, 1, times.length);
        Arrays.sort(timed);
        System.out.printf(Locale.ROOT, "  unet %dx%d batch 2: median %.3f s (first call %.3f s), max|out| %.3f%n",
                side, side, timed[timed.length / 2], times[0], maxAbs);
    }
}
