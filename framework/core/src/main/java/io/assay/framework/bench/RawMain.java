package io.assay.framework.bench;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import io.assay.sdk.onnx.OnnxRuntimeSettings;
import io.assay.sdk.tensor.Npy;
import io.assay.sdk.tensor.Tensor;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The raw side of {@code assay bench --process}: a minimal ONNX Runtime program, started as its own JVM on the
 * distribution's class path, that makes one image with {@link RawPipeline} and exits. It creates ONNX Runtime's
 * environment as the host does (one global intra-op pool of {@code threads}, one inter-op thread, errors-only
 * logging) and its sessions with the host's options ({@link Bench#rawOptions}), reads the initial noise from a
 * {@code .npy}, writes the final latents to one, and prints one line of JSON: JVM start to {@code main}, ONNX
 * Runtime's start (native library and environment), session creation (tokenizer and three sessions), the generation
 * and JVM start to the end, in milliseconds.
 *
 * <p>Arguments are {@code --key value} pairs: {@code --model DIR --noise FILE.npy --out FILE.npy --prompt TEXT
 * --width W --height H --steps N --guidance G --scheduler euler|ddim --threads T --memory default|lean}, and
 * {@code --ort-config KEY=VALUE,…} for extra session config entries (memory experiments). The JSON line also has the
 * RSS and peak RSS (VmHWM) once the sessions are loaded, in bytes.
 */
public final class RawMain {

    private RawMain() {
    }

    /** Runs; exit status 0, or 2 with a one-line message on standard error. */
    public static void main(String[] args) {
        double toMain = ManagementFactory.getRuntimeMXBean().getUptime();
        try {
            Map<String, String> a = parse(args);
            Path model = Path.of(need(a, "model"));
            int threads = Integer.parseInt(a.getOrDefault("threads", "0"));
            int pool = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
            String memory = a.getOrDefault("memory", "default");
            RawSchedule.Kind kind = switch (a.getOrDefault("scheduler", "euler")) {
                case "euler" -> RawSchedule.Kind.EULER;
                case "ddim" -> RawSchedule.Kind.DDIM;
                default -> throw new IllegalArgumentException("--scheduler must be euler or ddim");
            };
            Tensor noise = Npy.readTensor(Path.of(need(a, "noise")));
            long s = System.nanoTime();
            OrtEnvironment env;
            try (OrtEnvironment.ThreadingOptions t = new OrtEnvironment.ThreadingOptions()) {
                t.setGlobalIntraOpNumThreads(pool);
                t.setGlobalInterOpNumThreads(1);
                env = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, "assay", t);
            }
            double init = (System.nanoTime() - s) / 1e6;
            s = System.nanoTime();
            OnnxRuntimeSettings settings = new OnnxRuntimeSettings(List.of("cpu"), "fail", 0, 0, 0, 0, "all", false,
                    pool, 0, 0, memory);
            Map<String, String> entries = configEntries(a.getOrDefault("ort-config", ""));
            double result;
            double load;
            long rssLoaded;
            long peakLoaded;
            try (RawPipeline raw = new RawPipeline(model, env, () -> {
                OrtSession.SessionOptions o = Bench.rawOptions(settings, true, pool);
                for (Map.Entry<String, String> e : entries.entrySet()) {
                    o.addConfigEntry(e.getKey(), e.getValue());
                }
                return o;
            })) {
                load = (System.nanoTime() - s) / 1e6;
                rssLoaded = Bench.Rss.current();
                peakLoaded = Bench.Rss.peak();
                s = System.nanoTime();
                int width = Integer.parseInt(need(a, "width"));
                int height = Integer.parseInt(need(a, "height"));
                RawPipeline.Output out = raw.run(a.getOrDefault("prompt", ""), "", noise.data(), width, height,
                        Integer.parseInt(need(a, "steps")), Double.parseDouble(a.getOrDefault("guidance", "7.5")),
                        kind);
                result = (System.nanoTime() - s) / 1e6;
                if (a.containsKey("out")) {
                    Npy.write(Path.of(a.get("out")), new Tensor(new long[] {1, 4, height / 8, width / 8},
                            out.latents()));
                }
            }
            System.out.printf(Locale.ROOT, "{\"jvm_to_main_ms\": %.1f, \"ort_init_ms\": %.1f, "
                    + "\"session_load_ms\": %.1f, \"generate_ms\": %.1f, \"jvm_to_end_ms\": %d, "
                    + "\"rss_after_load_bytes\": %d, \"peak_rss_after_load_bytes\": %d}%n", toMain, init, load,
                    result, ManagementFactory.getRuntimeMXBean().getUptime(), rssLoaded, peakLoaded);
            System.out.flush();
            System.exit(0);
        } catch (Exception | LinkageError e) {
            System.err.println("raw ONNX Runtime main: " + e);
            System.exit(2);
        }
    }

    /** {@code KEY=VALUE,KEY=VALUE} extra session config entries (for memory experiments); empty for none. */
    static Map<String, String> configEntries(String list) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        for (String kv : list.split(",")) {
            if (kv.isBlank()) {
                continue;
            }
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--ort-config '" + kv + "': expected KEY=VALUE");
            }
            m.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
        }
        return m;
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("argument " + (i + 1) + " '" + args[i] + "': expected --key "
                        + "value");
            }
            m.put(args[i].substring(2), args[i + 1]);
        }
        return m;
    }

    private static String need(Map<String, String> a, String key) {
        String v = a.get(key);
        if (v == null) {
            throw new IllegalArgumentException("--" + key + " is required");
        }
        return v;
    }
}
