package io.assay.framework.bench;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.providers.OrtCUDAProviderOptions;
import io.assay.framework.assembly.Assembled;
import io.assay.framework.engine.GenerationEngine;
import io.assay.framework.engine.GenerationRequest;
import io.assay.framework.engine.GenerationResult;
import io.assay.framework.engine.StepObserver;
import io.assay.framework.runtime.AssayRuntime;
import io.assay.framework.runtime.RunConfig;
import io.assay.framework.settings.ConfigLoader;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import io.assay.sdk.onnx.OnnxRuntimeSettings;
import io.assay.sdk.onnx.OnnxSessions;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.ToDoubleFunction;

/**
 * {@code assay bench}: in one process, R interleaved rounds of (a) a plain ONNX Runtime program over a model
 * directory's files ({@link RawPipeline}: the same session options, the same calls, the scheduler arithmetic in a Java
 * loop) and (b) the Assay pipeline end to end through the runtime and engine the CLI uses (configure, assemble,
 * request, generate, provenance, the PNG), from the same initial noise. Reports medians, per-stage times, the ratio (b)/(a),
 * session load times, JVM start to the first U-Net call, peak RSS, and how far the two images are apart (they compute
 * the same function, so only float rounding).
 */
public final class Bench {

    /** The files a model directory must have for the benchmark. */
    static final List<String> REQUIRED = List.of("model_index.json", "scheduler/scheduler_config.json",
            "tokenizer/vocab.json", "tokenizer/merges.txt", "text_encoder/model.onnx", "unet/model.onnx",
            "vae_decoder/model.onnx");

    /**
     * What to run.
     *
     * @param modelDir  a model directory in the SD ONNX layout
     * @param width     image width, a multiple of 8
     * @param height    image height, a multiple of 8
     * @param steps     inference steps
     * @param guidance  CFG scale (1 = no unconditional pass)
     * @param scheduler {@code euler} or {@code ddim}
     * @param runs      rounds (each runs both)
     * @param prompt    the prompt
     * @param seed      the noise seed
     * @param sweeps    also run the sweep benchmarks ({@link Sweeps}) after the rounds
     */
    public record Options(Path modelDir, int width, int height, int steps, double guidance, String scheduler,
            int runs, String prompt, long seed, boolean sweeps) {
    }

    /**
     * Median times of one side, in milliseconds.
     *
     * @param total       one generation, end to end
     * @param textEncoder the text-encoder call (with tokenization)
     * @param unetCall    one U-Net call (the loop's U-Net time / calls)
     * @param unetCalls   U-Net calls per generation
     * @param vaeDecode   the VAE decoder call
     * @param setup       Assay: configure + assemble + request before the run (0 for the raw loop)
     * @param rest        everything else: scheduler arithmetic, guidance, tensor copies, provenance, the PNG
     * @param cpu         CPU time of the whole process during one generation (every thread, ONNX Runtime's pool
     *                    included): less sensitive than wall time to other processes on a shared machine
     * @param rounds      the total of every round, in order
     */
    public record Side(double total, double textEncoder, double unetCall, int unetCalls, double vaeDecode,
            double setup, double rest, double cpu, List<Double> rounds) {
    }

    /**
     * The measurement.
     *
     * @param options           what was run
     * @param provider          the execution provider
     * @param threads           the intra-op thread budget
     * @param threadPool        {@code global} (one pool for every session) or {@code per-session}
     * @param ortVersion        the ONNX Runtime version
     * @param raw               (a) the raw ONNX Runtime loop
     * @param assay             (b) the Assay pipeline
     * @param rawLoadMillis     session creation per model of the raw loop, and their total
     * @param assayLoadMillis   the first configure + assemble of the Assay pipeline (plugins and three sessions)
     * @param digestMillis      the one-time SHA-256 of the model files for provenance (before the rounds; remembered
     *                          in the cache directory for later runs)
     * @param jvmToFirstUnetMillis JVM start to the end of Assay's first U-Net call (includes the digests)
     * @param rssAfterAssayLoad VmRSS in bytes after the Assay pipeline was loaded
     * @param rssAfterRawLoad   VmRSS in bytes after the raw sessions were loaded too (both pipelines' models)
     * @param peakRss           VmHWM in bytes at the end
     * @param modelBytes        the size of the three model files (and their external data)
     * @param maxAbsDiff        max |decoded raw − decoded Assay| of the first round (same noise)
     * @param sweeps            one image, the CFG sweep and the VAE sweep, if asked for (else empty)
     */
    public record Report(Options options, String provider, int threads, String threadPool, String ortVersion,
            Side raw, Side assay, Map<String, Double> rawLoadMillis, double assayLoadMillis, double digestMillis,
            double jvmToFirstUnetMillis, long rssAfterAssayLoad, long rssAfterRawLoad, long peakRss, long modelBytes,
            double maxAbsDiff, List<Sweeps.Part> sweeps) {

        /** (b)/(a) of the median totals. */
        public double ratio() {
            return assay.total() / raw.total();
        }

        /** (b)/(a) of the median process CPU time per generation. */
        public double cpuRatio() {
            return assay.cpu() / raw.cpu();
        }

        /** (b)/(a) of the median U-Net call. */
        public double unetCallRatio() {
            return assay.unetCall() / raw.unetCall();
        }
    }

    private Bench() {
    }

    /** The config overrides the runtime must be opened with for {@code provider} ({@code cpu} or {@code cuda}). */
    public static List<String> runtimeSets(Path modelDir, String provider, int threads) {
        List<String> sets = new ArrayList<>();
        sets.add("model.dir=" + ConfigLoader.quote(modelDir.toAbsolutePath().normalize().toString()));
        sets.add("onnx.execution-providers=[" + provider + "]");
        sets.add("onnx.fallback=fail");
        if (threads > 0) {
            sets.add("onnx.threads=" + threads);
        }
        return sets;
    }

    /**
     * Checks before anything loads: the provider is one this build has, the model directory has every file.
     *
     * @throws StageException {@code RUNTIME_UNAVAILABLE} naming what is missing for {@code cuda};
     *                        {@code MODEL_MISSING} naming the first missing file
     */
    public static void check(Path modelDir, String provider) {
        if (!Files.isDirectory(modelDir)) {
            throw new StageException(ErrorCode.MODEL_MISSING, "model directory '" + modelDir + "' does not exist"
                    + (Files.exists(modelDir) ? " (it is a file)" : ""));
        }
        for (String f : REQUIRED) {
            if (!Files.isRegularFile(modelDir.resolve(f))) {
                throw new StageException(ErrorCode.MODEL_MISSING, "model directory '" + modelDir + "' has no " + f
                        + " (expected the SD ONNX layout that 'assay forge' writes)");
            }
        }
        if (provider.equals("cuda")) {
            EnumSet<OrtProvider> available;
            try {
                available = OrtEnvironment.getAvailableProviders();
            } catch (RuntimeException | LinkageError e) {
                throw new StageException(ErrorCode.RUNTIME_UNAVAILABLE, "ONNX Runtime cannot start: " + e, e);
            }
            if (!available.contains(OrtProvider.CUDA)) {
                throw new StageException(ErrorCode.RUNTIME_UNAVAILABLE, "--provider cuda: no CUDA execution "
                        + "provider in this ONNX Runtime build (it has " + available.toString().toLowerCase(
                        Locale.ROOT) + "); run the CUDA build of Assay on a machine with an NVIDIA GPU, or use "
                        + "--provider cpu");
            }
        }
    }

    /**
     * Runs the benchmark. {@code runtime} must have been opened with {@link #runtimeSets}.
     *
     * @param progress one line per phase and round
     */
    public static Report run(AssayRuntime runtime, Options o, Consumer<String> progress)
            throws OrtException, IOException {
        Path dir = o.modelDir().toAbsolutePath().normalize();
        check(dir, "cpu");
        List<String> sets = new ArrayList<>(List.of(
                "run.prompt=" + ConfigLoader.quote(o.prompt()),
                "run.negative=\"\"",
                "run.seed=" + o.seed(),
                "run.steps=" + o.steps(),
                "run.width=" + o.width(),
                "run.height=" + o.height(),
                "run.batch=1",
                "guidance.name=cfg",
                "guidance.scale=" + o.guidance(),
                "scheduler.name=" + ConfigLoader.quote(o.scheduler()),
                "noise.name=torch-cpu",
                "output.trace=false"));
        RawSchedule.Kind kind = switch (o.scheduler()) {
            case "euler" -> RawSchedule.Kind.EULER;
            case "ddim" -> RawSchedule.Kind.DDIM;
            default -> throw new StageException(ErrorCode.INVALID_INPUT, "--scheduler must be euler or ddim, not '"
                    + o.scheduler() + "'");
        };

        // (b) loads first: it creates ONNX Runtime's environment and its thread pool as a generate run would.
        progress.accept("loading the Assay pipeline (plugins, 3 sessions)");
        long s = System.nanoTime();
        RunConfig config = runtime.configure(sets);
        try (Assembled a = runtime.assemble(config)) {
            runtime.request(config, a);
        }
        double assayLoad = ms(s);
        s = System.nanoTime();
        runtime.modelFiles(config); // provenance digests: once per model directory, then remembered in the cache
        double digest = ms(s);
        long rssAssay = Rss.current();
        OnnxSessions sessions = runtime.sessions();
        OnnxRuntimeSettings settings = sessions.settings();
        OnnxSessions.Stats stats = sessions.stats();
        String provider = settings.executionProviders().get(0);

        double[] firstUnet = {-1};
        StepObserver firstCall = new StepObserver() {
            @Override
            public void stepped(StepRecord step) {
                if (firstUnet[0] < 0) {
                    firstUnet[0] = ManagementFactory.getRuntimeMXBean().getUptime();
                }
            }
        };

        // The sweeps run before the raw sessions exist, so their peak RSS is the pipeline's own (they reset VmHWM).
        long peakBefore = Rss.peak();
        List<Sweeps.Part> sweeps = o.sweeps() ? Sweeps.run(runtime, sets, dir, o.prompt(), o.seed(), firstCall,
                progress)
                : List.of();

        List<double[]> rawRounds = new ArrayList<>();
        List<double[]> assayRounds = new ArrayList<>();
        RawPipeline raw = null;
        float[] noise = null;
        double maxDiff = -1;
        float[] lastAssay = null; // Assay's first image: the raw loop's first image is compared with it
        long rssRaw = 0;
        Map<String, Double> rawLoad = new LinkedHashMap<>();
        try {
            for (int round = 1; round <= o.runs(); round++) {
                // Round 1 runs Assay first (its noise feeds the raw loop); later rounds alternate the order.
                boolean assayFirst = round % 2 == 1;
                for (int k = 0; k < 2; k++) {
                    if ((k == 0) == assayFirst) {
                        long t0 = System.nanoTime();
                        long c0 = cpuNanos();
                        GenerationResult r;
                        double[] row;
                        RunConfig c = runtime.configure(sets);
                        try (Assembled a = runtime.assemble(c)) {
                            GenerationRequest req = runtime.request(c, a);
                            double setup = ms(t0);
                            r = new GenerationEngine().generate(a.pipeline(), req, null, firstCall, () -> false);
                            // As generate does: the PNG with its provenance (written to a scratch file, deleted).
                            Path png = Files.createTempFile("assay-bench-", ".png");
                            try {
                                io.assay.framework.io.PngFiles.write(png, r.images().get(0),
                                        runtime.metadata(c, req, r, 0));
                            } finally {
                                Files.deleteIfExists(png);
                            }
                            Map<String, Double> tm = r.timingsMillis();
                            double unet = tm.getOrDefault("denoiser", 0.0);
                            row = new double[] {0, tm.getOrDefault("text-encoder", 0.0), unet / r.denoiserCalls(),
                                r.denoiserCalls(), tm.getOrDefault("autoencoder", 0.0), setup, 0, 0};
                        }
                        double total = ms(t0);
                        row[0] = total;
                        row[7] = (cpuNanos() - c0) / 1e6;
                        assayRounds.add(rest(row));
                        progress.accept(String.format(Locale.ROOT, "round %d/%d: Assay %.0f ms", round, o.runs(),
                                total));
                        if (noise == null) {
                            noise = r.initialNoise().data();
                        }
                        if (lastAssay == null) {
                            lastAssay = r.decoded().data();
                        }
                    } else {
                        if (raw == null) {
                            progress.accept("loading the raw ONNX Runtime sessions");
                            raw = new RawPipeline(dir, OrtEnvironment.getEnvironment(),
                                    () -> rawOptions(settings, stats.threadPool().equals("global"),
                                            stats.threads()));
                            double sum = 0;
                            for (Map.Entry<String, Double> e : raw.loadMillis.entrySet()) {
                                rawLoad.put(e.getKey(), e.getValue());
                                sum += e.getValue();
                            }
                            rawLoad.put("total", sum);
                            rssRaw = Rss.current();
                        }
                        long c0 = cpuNanos();
                        RawPipeline.Output out = raw.run(o.prompt(), "", noise, o.width(), o.height(), o.steps(),
                                o.guidance(), kind);
                        RawPipeline.Timings t = out.timings();
                        rawRounds.add(rest(new double[] {t.total(), t.textEncoder(), t.unet() / t.unetCalls(),
                            t.unetCalls(), t.vaeDecode(), 0, 0, (cpuNanos() - c0) / 1e6}));
                        progress.accept(String.format(Locale.ROOT, "round %d/%d: raw ONNX Runtime %.0f ms", round,
                                o.runs(), t.total()));
                        if (maxDiff < 0 && lastAssay != null) {
                            maxDiff = maxAbsDiff(out.decoded(), lastAssay);
                        }
                    }
                }
            }
        } finally {
            if (raw != null) {
                raw.close();
            }
        }
        long peak = Math.max(peakBefore, Rss.peak());
        return new Report(o, provider, stats.threads(), stats.threadPool(), sessions.ortVersion(), side(rawRounds),
                side(assayRounds), rawLoad, assayLoad, digest, firstUnet[0], rssAssay, rssRaw, peak,
                modelBytes(dir), maxDiff, sweeps);
    }

    /** Session options as {@link OnnxSessions} makes them for the CPU (or CUDA) provider. */
    static OrtSession.SessionOptions rawOptions(OnnxRuntimeSettings s, boolean globalPool, int threads)
            throws OrtException {
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        if (globalPool) {
            o.disablePerSessionThreads();
        } else {
            o.setIntraOpNumThreads(s.intraOpThreads() > 0 ? s.intraOpThreads() : threads);
        }
        if (s.interOpThreads() > 0) {
            o.setInterOpNumThreads(s.interOpThreads());
        }
        o.setOptimizationLevel(switch (s.optimizationLevel()) {
            case "disable" -> OrtSession.SessionOptions.OptLevel.NO_OPT;
            case "basic" -> OrtSession.SessionOptions.OptLevel.BASIC_OPT;
            case "extended" -> OrtSession.SessionOptions.OptLevel.EXTENDED_OPT;
            default -> OrtSession.SessionOptions.OptLevel.ALL_OPT;
        });
        if (s.deterministic()) {
            o.setDeterministicCompute(true);
        }
        OnnxSessions.applyMemory(o, s.memory());
        if (s.executionProviders().get(0).equals("cuda")) {
            try (OrtCUDAProviderOptions cuda = new OrtCUDAProviderOptions(s.cudaDeviceId())) {
                if (s.cudaMemoryLimit() > 0) {
                    cuda.add("gpu_mem_limit", Long.toString(s.cudaMemoryLimit()));
                }
                o.addCUDA(cuda);
            }
        }
        return o;
    }

    private static Side side(List<double[]> rounds) {
        List<Double> totals = rounds.stream().map(r -> r[0]).toList();
        double total = median(rounds, r -> r[0]);
        double text = median(rounds, r -> r[1]);
        double call = median(rounds, r -> r[2]);
        int calls = (int) rounds.get(0)[3];
        double vae = median(rounds, r -> r[4]);
        double setup = median(rounds, r -> r[5]);
        return new Side(total, text, call, calls, vae, setup, median(rounds, r -> r[6]), median(rounds, r -> r[7]),
                totals);
    }

    /** Fills in a round's rest: its total minus the model calls and the setup. */
    private static double[] rest(double[] r) {
        r[6] = r[0] - r[1] - r[2] * r[3] - r[4] - r[5];
        return r;
    }

    static double median(List<double[]> rounds, ToDoubleFunction<double[]> f) {
        double[] v = rounds.stream().mapToDouble(f).sorted().toArray();
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            return Double.POSITIVE_INFINITY;
        }
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    private static long modelBytes(Path dir) {
        long sum = 0;
        for (String f : List.of("text_encoder", "unet", "vae_decoder")) {
            try (var s = Files.list(dir.resolve(f))) {
                sum += s.filter(p -> p.getFileName().toString().startsWith("model.onnx")).mapToLong(p -> {
                    try {
                        return Files.size(p);
                    } catch (IOException e) {
                        return 0;
                    }
                }).sum();
            } catch (IOException e) {
                // counted as 0
            }
        }
        return sum;
    }

    /** CPU time of this process (all threads), in nanoseconds; 0 where the JVM does not say. */
    private static long cpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? Math.max(0, os.getProcessCpuTime()) : 0;
    }

    private static double ms(long start) {
        return (System.nanoTime() - start) / 1e6;
    }

    /** The report as a JSON-ready map (snake_case keys; times in milliseconds, memory in bytes). */
    public static Map<String, Object> json(Report r) {
        Map<String, Object> m = new LinkedHashMap<>();
        Options o = r.options();
        m.put("model", o.modelDir().toAbsolutePath().normalize().toString());
        m.put("width", o.width());
        m.put("height", o.height());
        m.put("steps", o.steps());
        m.put("guidance", o.guidance());
        m.put("scheduler", o.scheduler());
        m.put("runs", o.runs());
        m.put("provider", r.provider());
        m.put("threads", r.threads());
        m.put("thread_pool", r.threadPool());
        m.put("onnxruntime", r.ortVersion());
        m.put("raw", side(r.raw()));
        m.put("assay", side(r.assay()));
        m.put("ratio", r.ratio());
        m.put("unet_call_ratio", r.unetCallRatio());
        m.put("cpu_ratio", r.cpuRatio());
        Map<String, Object> load = new LinkedHashMap<>();
        load.put("raw", r.rawLoadMillis());
        load.put("assay", r.assayLoadMillis());
        m.put("session_load_ms", load);
        m.put("model_digest_ms", r.digestMillis());
        m.put("jvm_start_to_first_unet_ms", r.jvmToFirstUnetMillis());
        Map<String, Object> rss = new LinkedHashMap<>();
        rss.put("after_assay_load", r.rssAfterAssayLoad());
        rss.put("after_raw_load", r.rssAfterRawLoad());
        rss.put("peak", r.peakRss());
        m.put("rss_bytes", rss);
        m.put("model_bytes", r.modelBytes());
        m.put("max_abs_diff", r.maxAbsDiff());
        if (!r.sweeps().isEmpty()) {
            Map<String, Object> sw = new LinkedHashMap<>();
            for (Sweeps.Part p : r.sweeps()) {
                sw.put(p.name(), Sweeps.json(p));
            }
            m.put("sweeps", sw);
        }
        return m;
    }

    private static Map<String, Object> side(Side s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("median_ms", s.total());
        m.put("text_encoder_ms", s.textEncoder());
        m.put("unet_call_ms", s.unetCall());
        m.put("unet_calls", s.unetCalls());
        m.put("vae_decode_ms", s.vaeDecode());
        m.put("setup_ms", s.setup());
        m.put("rest_ms", s.rest());
        m.put("cpu_ms", s.cpu());
        m.put("rounds_ms", s.rounds());
        return m;
    }

    /** The report as a table. */
    public static String table(Report r) {
        Options o = r.options();
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%s: %d×%d, %d steps, guidance %s, %s, %d threads (%s pool), %s, "
                + "%d round%s, ONNX Runtime %s%n%n", o.modelDir(), o.width(), o.height(), o.steps(),
                trim(o.guidance()), o.scheduler(), r.threads(), r.threadPool(), r.provider(), o.runs(),
                o.runs() == 1 ? "" : "s", r.ortVersion()));
        String f = "%-26s %12s %12s %10s%n";
        b.append(String.format(Locale.ROOT, f, "median of " + o.runs(), "raw ORT", "Assay", "Assay/raw"));
        Side a = r.raw();
        Side p = r.assay();
        b.append(String.format(Locale.ROOT, f, "one image", msText(a.total()), msText(p.total()),
                ratio(p.total(), a.total())));
        b.append(String.format(Locale.ROOT, f, "text encoder", msText(a.textEncoder()), msText(p.textEncoder()),
                ratio(p.textEncoder(), a.textEncoder())));
        b.append(String.format(Locale.ROOT, f, "U-Net call (×" + a.unetCalls() + ")", msText(a.unetCall()),
                msText(p.unetCall()), ratio(p.unetCall(), a.unetCall())));
        b.append(String.format(Locale.ROOT, f, "VAE decode", msText(a.vaeDecode()), msText(p.vaeDecode()),
                ratio(p.vaeDecode(), a.vaeDecode())));
        b.append(String.format(Locale.ROOT, f, "configure + assemble", msText(a.setup()), msText(p.setup()), ""));
        b.append(String.format(Locale.ROOT, f, "everything else", msText(a.rest()), msText(p.rest()), ""));
        b.append(String.format(Locale.ROOT, f, "process CPU time", msText(a.cpu()), msText(p.cpu()),
                ratio(p.cpu(), a.cpu())));
        b.append(String.format(Locale.ROOT, "%-26s %s%n", "rounds, raw (ms)", rounds(a.rounds())));
        b.append(String.format(Locale.ROOT, "%-26s %s%n%n", "rounds, Assay (ms)", rounds(p.rounds())));
        StringBuilder loads = new StringBuilder();
        r.rawLoadMillis().forEach((k, v) -> {
            if (!k.equals("total")) {
                loads.append(loads.length() == 0 ? "" : ", ").append(k).append(' ').append(msText(v));
            }
        });
        b.append(String.format(Locale.ROOT, "session load: raw %s (total %s); Assay %s (plugins + configure + 3 "
                + "sessions)%n", loads, msText(r.rawLoadMillis().getOrDefault("total", 0.0)),
                msText(r.assayLoadMillis())));
        b.append(String.format(Locale.ROOT, "JVM start to Assay's first U-Net call: %s (including the one-time "
                + "model file digests, %s)%n", msText(r.jvmToFirstUnetMillis()), msText(r.digestMillis())));
        b.append(String.format(Locale.ROOT, "peak RSS (VmHWM): %s; after the Assay load %s, after the raw load %s "
                + "(both pipelines' sessions loaded); model files %s%n", mb(r.peakRss()), mb(r.rssAfterAssayLoad()),
                mb(r.rssAfterRawLoad()), mb(r.modelBytes())));
        b.append(String.format(Locale.ROOT, "raw vs Assay decoded image (same noise): max |Δ| = %.3g%n",
                r.maxAbsDiff()));
        if (!r.sweeps().isEmpty()) {
            b.append(String.format(Locale.ROOT, "%nsweeps through the experiment runner, before the raw sessions are "
                    + "loaded (the models stay loaded; peak RSS = VmHWM, reset before each part)%n"));
            String g = "%-12s %6s %10s %9s %6s %8s %10s %12s %11s%n";
            b.append(String.format(Locale.ROOT, g, "", "images", "wall", "sessions", "loops", "decodes",
                    "encodings", "U-Net calls", "peak RSS"));
            Sweeps.Part one = r.sweeps().get(0);
            for (Sweeps.Part x : r.sweeps()) {
                b.append(String.format(Locale.ROOT, g, x.name().equals("single") ? "one image" : x.name(),
                        x.cells(), msText(x.millis()), x.sessionsCreated(), x.trajectories(), x.decodes(),
                        x.encodings(), x.unetCalls(), mb(x.peakRss())));
            }
            for (Sweeps.Part x : r.sweeps()) {
                if (x.name().equals("cfg-sweep") && one.modelMillis() > 0) {
                    b.append(String.format(Locale.ROOT, "cfg-sweep: wall / (%d × one image's model-call time %s) = "
                            + "%.3f; peak RSS / one image's = %.3f%n", x.cells(), msText(one.modelMillis()),
                            x.millis() / (x.cells() * one.modelMillis()), (double) x.peakRss() / one.peakRss()));
                } else if (x.name().equals("vae-sweep")) {
                    b.append(String.format(Locale.ROOT, "vae-sweep: %d denoising loop%s for %d decodes (%s), %d "
                            + "distinct images; wall / one image's = %.3f; peak RSS / one image's = %.3f%n",
                            x.trajectories(), x.trajectories() == 1 ? "" : "s", x.decodes(),
                            String.join(", ", x.variants()), x.distinctImages(), x.millis() / one.millis(),
                            (double) x.peakRss() / one.peakRss()));
                }
            }
        }
        return b.toString();
    }

    private static String rounds(List<Double> v) {
        return String.join(", ", v.stream().map(x -> String.format(Locale.ROOT, "%.0f", x)).toList());
    }

    private static String trim(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    private static String msText(double ms) {
        return ms >= 10_000 ? String.format(Locale.ROOT, "%.2f s", ms / 1000) : String.format(Locale.ROOT,
                "%.1f ms", ms);
    }

    private static String ratio(double b, double a) {
        return a > 0 ? String.format(Locale.ROOT, "%.3f", b / a) : "";
    }

    private static String mb(long bytes) {
        return bytes < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    /** Resident set size of this process from {@code /proc/self/status}. */
    static final class Rss {

        private Rss() {
        }

        /** VmRSS in bytes, or -1 where /proc is not available. */
        static long current() {
            return field("VmRSS:");
        }

        /** Sets the peak (VmHWM) to the current RSS ({@code 5 > /proc/self/clear_refs}); false where it cannot. */
        static boolean resetPeak() {
            try {
                Files.writeString(Path.of("/proc/self/clear_refs"), "5");
                return true;
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }

        /** VmHWM (the peak RSS) in bytes, or -1. */
        static long peak() {
            return field("VmHWM:");
        }

        private static long field(String name) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                    if (line.startsWith(name)) {
                        String[] p = line.substring(name.length()).trim().split("\\s+");
                        return Long.parseLong(p[0]) * 1024;
                    }
                }
            } catch (IOException | RuntimeException e) {
                return -1;
            }
            return -1;
        }
    }
}
