package io.assay.framework.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import io.assay.sdk.tensor.Npy;
import io.assay.sdk.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * {@code assay bench --process}: whole processes, timed from fork to exit. R interleaved rounds (after untimed
 * warm-up rounds) of two children on the same model, noise and settings: (a) {@link RawMain}, a minimal ONNX
 * Runtime program started with the distribution's class path, and (b) {@code bin/assay generate}, the command a
 * user runs. The peak RSS of each child is its VmHWM, polled from {@code /proc/PID/status} while it runs. Both
 * write their final latents, so the report also says how far apart the two results are.
 */
public final class ProcessBench {

    private static final long POLL_MILLIS = 5;

    /**
     * What to run.
     *
     * @param modelDir  a model directory in the SD ONNX layout
     * @param width     image width
     * @param height    image height
     * @param steps     inference steps
     * @param guidance  CFG scale
     * @param scheduler {@code euler} or {@code ddim}
     * @param threads   ONNX Runtime thread budget of both children (0 = one per core)
     * @param memory    {@code onnx.memory} of both children
     * @param runs      timed rounds
     * @param warmup    untimed rounds before them (file cache, Assay's digest cache)
     * @param prompt    the prompt
     * @param seed      seed of the shared initial noise
     * @param home      the distribution ({@code bin/assay}, {@code lib/})
     * @param assaySets extra {@code --set PATH=VALUE} for the Assay child
     */
    public record Options(Path modelDir, int width, int height, int steps, double guidance, String scheduler,
            int threads, String memory, int runs, int warmup, String prompt, long seed, Path home,
            List<String> assaySets) {
    }

    /**
     * One child's rounds.
     *
     * @param wallMillis fork to exit, per timed round
     * @param peakRss    VmHWM in bytes, per timed round (-1 where /proc is unreadable)
     * @param inside     raw child only: medians of what it measured itself (JVM start to main, ONNX Runtime start,
     *                   session load, the generation, JVM start to the end, in ms; RSS and VmHWM after the load, in
     *                   bytes); empty for Assay
     */
    public record Child(List<Double> wallMillis, List<Long> peakRss, Map<String, Double> inside) {

        /** Median wall time. */
        public double median() {
            return median(wallMillis);
        }

        /** Largest peak RSS of the rounds. */
        public long maxPeakRss() {
            return peakRss.stream().mapToLong(Long::longValue).max().orElse(-1);
        }

        static double median(List<Double> v) {
            double[] s = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            int n = s.length;
            return n == 0 ? Double.NaN : n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
        }
    }

    /**
     * The measurement.
     *
     * @param options      what was run
     * @param raw          (a) the raw ONNX Runtime process
     * @param assay        (b) {@code assay generate}
     * @param maxAbsDiff   max |final latents of (a) − those of (b)| of the first timed round
     * @param cds          whether the distribution has a class-data-sharing archive (lib/assay.jsa) the launcher uses
     * @param rawCommand   the command line of (a)
     * @param assayCommand the command line of (b)
     */
    public record Report(Options options, Child raw, Child assay, double maxAbsDiff, boolean cds,
            List<String> rawCommand, List<String> assayCommand) {

        /** (b) − (a) of the median wall times, in milliseconds. */
        public double difference() {
            return assay.median() - raw.median();
        }

        /** (b) / (a) of the median wall times. */
        public double ratio() {
            return assay.median() / raw.median();
        }
    }

    private ProcessBench() {
    }

    /**
     * The distribution the children run: {@code dist} if given, else the one this JVM runs from ({@code
     * -Dassay.home}, set by {@code bin/assay}).
     *
     * @throws StageException {@code INVALID_INPUT} naming the directory if it has no {@code bin/assay}
     */
    public static Path home(Path dist) {
        String h = dist != null ? dist.toString() : System.getProperty("assay.home");
        if (h == null) {
            throw new StageException(ErrorCode.INVALID_INPUT, "--process needs the unpacked distribution (bin/assay "
                    + "and lib/): run bench through bin/assay or ./assay, or name it with --dist");
        }
        if (!Files.isRegularFile(Path.of(h, "bin", "assay"))) {
            throw new StageException(ErrorCode.INVALID_INPUT, "--process: distribution '" + h + "' has no "
                    + "bin/assay");
        }
        return Path.of(h).toAbsolutePath().normalize();
    }

    /** Runs the rounds. */
    public static Report run(Options o, Consumer<String> progress) throws IOException, InterruptedException {
        Bench.check(o.modelDir(), "cpu");
        Path tmp = Files.createTempDirectory("assay-bench-process-");
        try {
            Path noise = tmp.resolve("noise.npy");
            Npy.write(noise, noise(o.seed(), o.width(), o.height()));
            Path rawOut = tmp.resolve("raw-final.npy");
            Path assayLatents = Files.createDirectories(tmp.resolve("assay-latents"));
            Path assayImages = Files.createDirectories(tmp.resolve("assay-out"));
            List<String> rawCmd = rawCommand(o, noise, rawOut);
            List<String> assayCmd = assayCommand(o, noise, assayImages, assayLatents);
            List<Double> rawWall = new ArrayList<>();
            List<Long> rawPeak = new ArrayList<>();
            List<Double> assayWall = new ArrayList<>();
            List<Long> assayPeak = new ArrayList<>();
            Map<String, List<Double>> inside = new LinkedHashMap<>();
            double diff = -1;
            ObjectMapper json = new ObjectMapper();
            for (int round = 1 - o.warmup(); round <= o.runs(); round++) {
                boolean timed = round >= 1;
                String label = timed ? "round " + round + "/" + o.runs() : "warm-up";
                // Odd rounds start with the raw child, even ones with Assay.
                boolean rawFirst = Math.floorMod(round, 2) == 1;
                for (int k = 0; k < 2; k++) {
                    boolean isRaw = (k == 0) == rawFirst;
                    Files.deleteIfExists(isRaw ? rawOut : assayLatents.resolve("final.npy"));
                    Measured m = launch(isRaw ? rawCmd : assayCmd, tmp, isRaw ? "raw" : "assay");
                    progress.accept(String.format(Locale.ROOT, "%s: %s process %.0f ms, peak RSS %.1f MB", label,
                            isRaw ? "raw ONNX Runtime" : "assay generate", m.millis(), m.peakRss() / 1e6));
                    if (!timed) {
                        continue;
                    }
                    if (isRaw) {
                        rawWall.add(m.millis());
                        rawPeak.add(m.peakRss());
                        JsonNode line = lastJsonLine(json, m.stdout());
                        for (Iterator<Map.Entry<String, JsonNode>> it = line.fields(); it.hasNext(); ) {
                            Map.Entry<String, JsonNode> e = it.next();
                            inside.computeIfAbsent(e.getKey(), x -> new ArrayList<>()).add(e.getValue().asDouble());
                        }
                    } else {
                        assayWall.add(m.millis());
                        assayPeak.add(m.peakRss());
                    }
                }
                if (timed && diff < 0) {
                    diff = maxAbsDiff(rawOut, assayLatents.resolve("final.npy"));
                }
            }
            Map<String, Double> insideMedians = new LinkedHashMap<>();
            inside.forEach((k, v) -> insideMedians.put(k, Child.median(v)));
            return new Report(o, new Child(rawWall, rawPeak, insideMedians), new Child(assayWall, assayPeak,
                    Map.of()), diff, Files.isRegularFile(o.home().resolve("lib").resolve("assay.jsa")), rawCmd,
                    assayCmd);
        } finally {
            deleteTree(tmp);
        }
    }

    /** Unit-normal initial latents {@code [1, 4, h/8, w/8]} from {@code seed}, shared by both children. */
    static Tensor noise(long seed, int width, int height) {
        long[] shape = {1, 4, height / 8, width / 8};
        float[] v = new float[Math.toIntExact(Tensor.count(shape))];
        Random r = new Random(seed);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return new Tensor(shape, v);
    }

    static List<String> rawCommand(Options o, Path noise, Path out) {
        List<String> c = new ArrayList<>();
        c.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Path natives = o.home().resolve("lib").resolve("native").resolve(platform());
        if (Files.isDirectory(natives)) {
            c.add("-Donnxruntime.native.path=" + natives);
        }
        c.add("-Dfile.encoding=UTF-8");
        c.add("-cp");
        c.add(o.home().resolve("lib") + "/*");
        c.add(RawMain.class.getName());
        c.addAll(List.of("--model", o.modelDir().toString(), "--noise", noise.toString(), "--out", out.toString(),
                "--prompt", o.prompt(), "--width", Integer.toString(o.width()), "--height",
                Integer.toString(o.height()), "--steps", Integer.toString(o.steps()), "--guidance",
                Double.toString(o.guidance()), "--scheduler", o.scheduler(), "--threads",
                Integer.toString(o.threads()), "--memory", o.memory()));
        return c;
    }

    static List<String> assayCommand(Options o, Path noise, Path images, Path latents) {
        List<String> c = new ArrayList<>(List.of(o.home().resolve("bin").resolve("assay").toString(), "generate",
                o.prompt(), "--model", o.modelDir().toString(), "--init-latents", noise.toString(), "--width",
                Integer.toString(o.width()), "--height", Integer.toString(o.height()), "--steps",
                Integer.toString(o.steps()), "--guidance", Double.toString(o.guidance()), "--scheduler",
                o.scheduler(), "--seed", Long.toString(o.seed()), "--negative", "", "--out", images.toString(),
                "--save-latents", latents.toString(), "--overwrite", "--quiet"));
        List<String> sets = new ArrayList<>(List.of("guidance.name=cfg", "run.batch=1",
                "onnx.execution-providers=[cpu]", "onnx.fallback=fail", "onnx.memory=" + o.memory(),
                "output.trace=false"));
        if (o.threads() > 0) {
            sets.add("onnx.threads=" + o.threads());
        }
        sets.addAll(o.assaySets());
        for (String s : sets) {
            c.add("--set");
            c.add(s);
        }
        return c;
    }

    private static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        boolean arm = arch.equals("aarch64") || arch.equals("arm64");
        if (os.contains("linux")) {
            return arm ? "linux-aarch64" : "linux-x64";
        }
        if (os.contains("mac") && arm) {
            return "osx-aarch64";
        }
        return "unknown";
    }

    /** A child's wall time, peak RSS and output files. */
    record Measured(double millis, long peakRss, Path stdout) {
    }

    /** Starts a child, polls its VmHWM until it exits, and fails naming the child if its exit status is not 0. */
    static Measured launch(List<String> command, Path tmp, String name) throws IOException, InterruptedException {
        Path out = tmp.resolve(name + ".stdout");
        Path err = tmp.resolve(name + ".stderr");
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("ORT_DISABLE_TELEMETRY", "1");
        long t0 = System.nanoTime();
        Process p = pb.start();
        Path status = Path.of("/proc", Long.toString(p.pid()), "status");
        long peak = -1;
        while (p.isAlive()) {
            peak = Math.max(peak, vmHwm(status));
            if (p.waitFor(POLL_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                break;
            }
        }
        int rc = p.waitFor();
        double ms = (System.nanoTime() - t0) / 1e6;
        if (rc != 0) {
            List<String> lines = Files.readAllLines(err);
            String last = lines.stream().filter(l -> !l.isBlank()).reduce((a, b) -> b).orElse("(no output)");
            throw new StageException(ErrorCode.INTERNAL, "bench --process: the " + (name.equals("raw")
                    ? "raw ONNX Runtime" : "assay generate") + " child exited with status " + rc + ": " + last);
        }
        return new Measured(ms, peak, out);
    }

    /** VmHWM in bytes from a {@code /proc/PID/status}, or -1 (gone, or no /proc). */
    static long vmHwm(Path status) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.substring(6).trim().split("\\s+")[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private static JsonNode lastJsonLine(ObjectMapper json, Path stdout) throws IOException {
        List<String> lines = Files.readAllLines(stdout);
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (lines.get(i).startsWith("{")) {
                return json.readTree(lines.get(i));
            }
        }
        throw new StageException(ErrorCode.INTERNAL, "bench --process: the raw ONNX Runtime child printed no JSON "
                + "line to '" + stdout + "'");
    }

    private static double maxAbsDiff(Path a, Path b) throws IOException {
        if (!Files.isRegularFile(a) || !Files.isRegularFile(b)) {
            return Double.NaN;
        }
        float[] x = Npy.readTensor(a).data();
        float[] y = Npy.readTensor(b).data();
        if (x.length != y.length) {
            return Double.POSITIVE_INFINITY;
        }
        double m = 0;
        for (int i = 0; i < x.length; i++) {
            m = Math.max(m, Math.abs(x[i] - y[i]));
        }
        return m;
    }

    /** The report as a JSON-ready map (times in milliseconds, memory in bytes). */
    public static Map<String, Object> json(Report r) {
        Options o = r.options();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mode", "process");
        m.put("model", o.modelDir().toString());
        m.put("width", o.width());
        m.put("height", o.height());
        m.put("steps", o.steps());
        m.put("guidance", o.guidance());
        m.put("scheduler", o.scheduler());
        m.put("threads", o.threads());
        m.put("memory", o.memory());
        m.put("runs", o.runs());
        m.put("warmup", o.warmup());
        m.put("cds_archive", r.cds());
        m.put("raw", child(r.raw()));
        m.put("assay", child(r.assay()));
        m.put("difference_ms", r.difference());
        m.put("ratio", r.ratio());
        m.put("max_abs_diff", r.maxAbsDiff());
        Map<String, Object> cmd = new LinkedHashMap<>();
        cmd.put("raw", r.rawCommand());
        cmd.put("assay", r.assayCommand());
        m.put("commands", cmd);
        return m;
    }

    private static Map<String, Object> child(Child c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("median_ms", c.median());
        m.put("rounds_ms", c.wallMillis());
        m.put("peak_rss_bytes", c.maxPeakRss());
        m.put("rounds_peak_rss_bytes", c.peakRss());
        if (!c.inside().isEmpty()) {
            Map<String, Double> times = new LinkedHashMap<>();
            Map<String, Long> bytes = new LinkedHashMap<>();
            c.inside().forEach((k, v) -> {
                if (k.endsWith("_bytes")) {
                    bytes.put(k, v.longValue());
                } else {
                    times.put(k, v);
                }
            });
            m.put("inside_ms", times);
            m.put("inside_bytes", bytes);
        }
        return m;
    }

    /** The report as a table. */
    public static String table(Report r) {
        Options o = r.options();
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%s: %d×%d, %d steps, guidance %s, %s, %s threads, onnx.memory %s, "
                + "%d round%s after %d warm-up, whole processes (fork to exit); CDS archive: %s%n%n", o.modelDir(),
                o.width(), o.height(), o.steps(), o.guidance(), o.scheduler(), o.threads() == 0 ? "all"
                : Integer.toString(o.threads()), o.memory(), o.runs(), o.runs() == 1 ? "" : "s", o.warmup(),
                r.cds() ? "yes" : "no"));
        String f = "%-22s %12s %12s %12s%n";
        b.append(String.format(Locale.ROOT, f, "median of " + o.runs(), "raw ORT", "assay", "difference"));
        b.append(String.format(Locale.ROOT, f, "process wall", ms(r.raw().median()), ms(r.assay().median()),
                ms(r.difference())));
        b.append(String.format(Locale.ROOT, f, "peak RSS (VmHWM)", mb(r.raw().maxPeakRss()),
                mb(r.assay().maxPeakRss()), mb(r.assay().maxPeakRss() - r.raw().maxPeakRss())));
        b.append(String.format(Locale.ROOT, "assay / raw = %.3f; rounds raw %s, assay %s (ms)%n", r.ratio(),
                rounds(r.raw().wallMillis()), rounds(r.assay().wallMillis())));
        StringBuilder in = new StringBuilder();
        r.raw().inside().forEach((k, v) -> in.append(in.length() == 0 ? "" : ", ").append(k.replaceAll(
                "_(ms|bytes)$", "")).append(' ').append(k.endsWith("_bytes") ? mb(v.longValue()) : ms(v)));
        b.append("inside the raw process (medians): ").append(in).append(System.lineSeparator());
        b.append(String.format(Locale.ROOT, "raw vs assay final latents (same noise): max |Δ| = %.3g%n",
                r.maxAbsDiff()));
        return b.toString();
    }

    private static String rounds(List<Double> v) {
        return String.join(", ", v.stream().map(x -> String.format(Locale.ROOT, "%.0f", x)).toList());
    }

    private static String ms(double v) {
        return String.format(Locale.ROOT, "%.0f ms", v);
    }

    private static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a temp dir left behind is not worth failing the benchmark
        }
    }
}
