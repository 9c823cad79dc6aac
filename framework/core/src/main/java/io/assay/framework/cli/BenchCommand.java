package io.assay.framework.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.assay.framework.bench.Bench;
import io.assay.framework.bench.ProcessBench;
import io.assay.framework.runtime.AssayRuntime;
import io.assay.sdk.onnx.OnnxRuntimeSettings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code assay bench MODEL_DIR}: the Assay pipeline against a plain ONNX Runtime program over the same model files,
 * interleaved in one process ({@link Bench}).
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measure the Assay pipeline against raw ONNX Runtime on the same model files.",
            "In one process: R interleaved rounds of (a) a plain ONNX Runtime loop (same session options, same "
                + "calls, the scheduler in a Java loop) and (b) Assay end to end. Prints medians, per-stage times, the ratio "
                + "(b)/(a), session load times and peak RSS."})
public final class BenchCommand implements Callable<Integer> {

    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*[x×X]\\s*(\\d+)");

    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common = new CommonOptions();

    @Parameters(index = "0", paramLabel = "MODEL_DIR", description = "Model directory in the SD ONNX layout "
            + "(e.g. one 'assay forge' wrote).")
    Path model;

    @Option(names = "--size", paramLabel = "WxH", defaultValue = "256x256",
            description = "Image size, multiples of 8 (default: 256x256).")
    String size;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "20", description = "Inference steps (default: 20).")
    int steps;

    @Option(names = "--guidance", paramLabel = "G", defaultValue = "7.5",
            description = "CFG scale; 1 runs the U-Net on one row (default: 7.5).")
    double guidance;

    @Option(names = "--scheduler", paramLabel = "euler|ddim", defaultValue = "euler",
            description = "Scheduler of both sides (default: euler).")
    String scheduler;

    @Option(names = "--threads", paramLabel = "T", defaultValue = "0",
            description = "ONNX Runtime thread budget (onnx.threads); 0 = one per core (default).")
    int threads;

    @Option(names = "--provider", paramLabel = "cpu|cuda", defaultValue = "cpu",
            description = "Execution provider of both sides (default: cpu).")
    String provider;

    @Option(names = "--runs", paramLabel = "R", defaultValue = "3", description = "Interleaved rounds (default: 3).")
    int runs;

    @Option(names = "--prompt", paramLabel = "TEXT", defaultValue = "a photograph of an astronaut riding a horse",
            description = "Prompt of both sides.")
    String prompt;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "Noise seed (default: 0).")
    long seed;

    @Option(names = "--sweeps", description = "Also run a 4-cell CFG sweep and a 3-decoder VAE sweep through the "
            + "experiment runner and compare them with one image (sessions, loops, decodes, peak RSS).")
    boolean sweeps;

    @Option(names = "--process", description = "Whole processes instead: R interleaved rounds of a minimal raw ONNX "
            + "Runtime Java program and 'assay generate' as child processes, each timed from fork to exit, with "
            + "their peak RSS (VmHWM).")
    boolean process;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "1",
            description = "With --process: untimed rounds before the timed ones (default: 1).")
    int warmup;

    @Option(names = "--dist", paramLabel = "DIR",
            description = "With --process: the unpacked distribution whose bin/assay and lib/ the children run "
                    + "(default: the one running this command).")
    Path dist;

    @Option(names = "--memory", paramLabel = "default|lean|minimal", defaultValue = "default",
            description = "onnx.memory of both sides: default, lean (no CPU arena, no memory patterns) or minimal "
                    + "(lean without pre-packed weights).")
    String memory;

    @Option(names = "--json", description = "Print the report as one JSON object.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        Matcher m = SIZE.matcher(size.trim());
        String bad = null;
        int width = 0;
        int height = 0;
        if (!m.matches()) {
            bad = "--size '" + size + "' is not WxH, e.g. 256x256";
        } else {
            width = Integer.parseInt(m.group(1));
            height = Integer.parseInt(m.group(2));
            if (width < 8 || height < 8 || width % 8 != 0 || height % 8 != 0) {
                bad = "--size " + width + "x" + height + ": width and height must be positive multiples of 8";
            }
        }
        if (bad == null && steps < 1) {
            bad = "--steps must be at least 1";
        }
        if (bad == null && runs < 1) {
            bad = "--runs must be at least 1";
        }
        if (bad == null && threads < 0) {
            bad = "--threads must be 0 (one per core) or more";
        }
        String p = provider.toLowerCase(Locale.ROOT);
        if (bad == null && !p.equals("cpu") && !p.equals("cuda")) {
            bad = "--provider must be cpu or cuda, not '" + provider + "'";
        }
        String s = scheduler.toLowerCase(Locale.ROOT);
        if (bad == null && !s.equals("euler") && !s.equals("ddim")) {
            bad = "--scheduler must be euler or ddim, not '" + scheduler + "'";
        }
        if (bad == null && (!Double.isFinite(guidance) || guidance < 0)) {
            bad = "--guidance must be a finite number ≥ 0";
        }
        if (bad == null && warmup < 0) {
            bad = "--warmup must be 0 or more";
        }
        if (bad == null && !OnnxRuntimeSettings.MEMORY.contains(memory)) {
            bad = "--memory must be one of " + String.join(", ", OnnxRuntimeSettings.MEMORY) + ", not '" + memory
                    + "'";
        }
        if (bad == null && process && (sweeps || !p.equals("cpu"))) {
            bad = "--process runs on the cpu provider without --sweeps";
        }
        if (bad != null) {
            err.println("assay bench: " + bad);
            return ExitCodes.CONFIG;
        }
        Path dir = model.toAbsolutePath().normalize();
        Bench.check(dir, p);
        if (process) {
            ProcessBench.Report r = ProcessBench.run(new ProcessBench.Options(dir, width, height, steps, guidance, s,
                    threads, memory, runs, warmup, prompt, seed, ProcessBench.home(dist), common.sets), line -> {
                        err.printf(Locale.ROOT, "bench: %s%n", line);
                        err.flush();
                    });
            if (json) {
                out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                        .writeValueAsString(ProcessBench.json(r)));
            } else {
                out.print(ProcessBench.table(r));
            }
            out.flush();
            return ExitCodes.OK;
        }
        common.sets.add("onnx.memory=" + memory);
        for (String set : Bench.runtimeSets(dir, p, threads)) {
            common.sets.add(set);
        }
        Bench.Options options = new Bench.Options(dir, width, height, steps, guidance, s, runs, prompt, seed,
                sweeps);
        Bench.Report report;
        try (AssayRuntime runtime = common.open(err)) {
            report = Bench.run(runtime, options, line -> {
                err.printf(Locale.ROOT, "bench: [%5.1f s] %s%n", java.lang.management.ManagementFactory
                        .getRuntimeMXBean().getUptime() / 1000.0, line);
                err.flush();
            });
        }
        if (json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(Bench.json(report)));
        } else {
            out.print(Bench.table(report));
        }
        out.flush();
        return ExitCodes.OK;
    }
}
