package io.assay.framework.cli;

import io.assay.framework.trace.RunTraceRecorder;
import io.assay.framework.io.Slugs;
import io.assay.framework.engine.StepObservers;
import io.assay.framework.assembly.Assembled;
import io.assay.framework.runtime.AssayRuntime;
import io.assay.framework.runtime.PromptFile;
import io.assay.sdk.settings.ConfigErrorsException;
import io.assay.framework.runtime.RunConfig;
import io.assay.framework.engine.GenerationEngine;
import io.assay.framework.engine.GenerationRequest;
import io.assay.framework.engine.GenerationResult;
import io.assay.framework.engine.StepObserver;
import io.assay.framework.io.PngFiles;
import io.assay.framework.settings.OutputSettings;
import io.assay.framework.settings.RunSettings;
import io.assay.sdk.tensor.Npy;
import io.assay.sdk.tensor.RgbImage;
import io.assay.sdk.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code assay generate PROMPT}: one run of the configured pipeline; {@code --prompts FILE}: many, in one process. */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Generate images from a prompt (or every line of --prompts FILE) with the configured pipeline "
                + "(default: the embedded world).")
public final class GenerateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common = new CommonOptions();

    @Parameters(index = "0", arity = "0..1", paramLabel = "PROMPT", description = "The prompt (default: run.prompt).")
    String prompt;

    @Option(names = "--model", paramLabel = "DIR", description = "Model directory in the SD ONNX layout (model.dir).")
    Path model;

    @Option(names = "--negative", paramLabel = "TEXT", description = "Negative prompt (run.negative).")
    String negative;

    @Option(names = "--seed", paramLabel = "N", description = "Noise seed (run.seed); -1 = a random seed, printed "
            + "and recorded in the image.")
    Long seed;

    @Option(names = "--steps", paramLabel = "N", description = "Inference steps (run.steps).")
    Integer steps;

    @Option(names = "--guidance", paramLabel = "G", description = "Guidance scale (guidance.scale).")
    Double guidance;

    @Option(names = "--scheduler", paramLabel = "NAME", completionCandidates = SchedulerNames.class,
            description = "Scheduler component (scheduler.name), one of the installed: ${COMPLETION-CANDIDATES}.")
    String scheduler;

    @Option(names = "--width", paramLabel = "W", description = "Width in pixels, a multiple of 8 (run.width).")
    Integer width;

    @Option(names = "--height", paramLabel = "H", description = "Height in pixels, a multiple of 8 (run.height).")
    Integer height;

    @Option(names = "--batch", paramLabel = "N", description = "Images per run (run.batch).")
    Integer batch;

    @Option(names = "--init-image", paramLabel = "FILE", description = "Image-to-image: start from this picture.")
    Path initImage;

    @Option(names = "--strength", paramLabel = "S", description = "Image-to-image strength in (0, 1] (run.strength).")
    Double strength;

    @Option(names = "--init-latents", paramLabel = "FILE.npy",
            description = "Replay: take the initial noise from this .npy (selects noise.name=replay).")
    Path initLatents;

    @Option(names = "--step-noise", paramLabel = "FILE.npy",
            description = "Replay: per-iteration scheduler noise [n, …] from this .npy (with --init-latents).")
    Path stepNoise;

    @Option(names = "--save-latents", paramLabel = "DIR", description = "Write init.npy and final.npy here.")
    Path saveLatents;

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory (output.dir).")
    Path out;

    @Option(names = "--trace", description = "Write <image>.trace.json (per-stage trace, docs/trace-schema.md) and <image>.trace.html "
            + "(the image emerging step by step) next to the images.")
    boolean trace;

    @Option(names = "--overwrite", description = "Replace an existing <slug>-<seed>.png (default: write "
            + "<slug>-<seed>-2.png, -3 … so no earlier image is replaced).")
    boolean overwrite;

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    @Option(names = "--prompts", paramLabel = "FILE", description = "Run every line of FILE in one process: a prompt "
            + "per line, or a JSON object per line (prompt, negative, seed, steps, width, height, batch, guidance, "
            + "scheduler, set {path: value}); the other options apply to every line.")
    Path prompts;

    @Override
    public Integer call() throws Exception {
        if (prompt != null) {
            common.set("PROMPT", "run.prompt", CommonOptions.quote(prompt));
        }
        if (model != null) {
            common.set("--model", "model.dir", CommonOptions.quote(model.toAbsolutePath().toString()));
        }
        if (negative != null) {
            common.set("--negative", "run.negative", CommonOptions.quote(negative));
        }
        if (seed != null) {
            common.set("--seed", "run.seed", seed.toString());
        }
        if (steps != null) {
            common.set("--steps", "run.steps", steps.toString());
        }
        if (guidance != null) {
            common.set("--guidance", "guidance.scale", guidance.toString());
        }
        if (scheduler != null) {
            common.set("--scheduler", "scheduler.name", CommonOptions.quote(scheduler));
        }
        if (width != null) {
            common.set("--width", "run.width", width.toString());
        }
        if (height != null) {
            common.set("--height", "run.height", height.toString());
        }
        if (batch != null) {
            common.set("--batch", "run.batch", batch.toString());
        }
        if (initImage != null) {
            common.set("--init-image", "run.init-image", CommonOptions.quote(initImage.toAbsolutePath().toString()));
        }
        if (strength != null) {
            common.set("--strength", "run.strength", strength.toString());
        }
        if (strength != null && !(strength > 0 && strength <= 1)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--strength must be in (0, 1] "
                    + "(the share of the schedule that runs), got " + strength);
        }
        if (stepNoise != null && initLatents == null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--step-noise needs --init-latents (replay serves every draw from recordings)");
        }
        if (initLatents != null) {
            common.set("--init-latents", "noise", "{ name = replay, initial = " + CommonOptions.quote(initLatents.toAbsolutePath()
                    .toString()) + (stepNoise != null ? ", steps = " + CommonOptions.quote(stepNoise.toAbsolutePath()
                    .toString()) : "") + " }");
        }
        if (saveLatents != null) {
            common.set("--save-latents", "output.save-latents", CommonOptions.quote(saveLatents.toAbsolutePath().toString()));
        }
        if (out != null) {
            common.set("--out", "output.dir", CommonOptions.quote(out.toAbsolutePath().toString()));
        }
        if (trace) {
            common.set("--trace", "output.trace", "true");
        }

        if (prompts != null && (prompt != null || saveLatents != null)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--prompts runs every line of the file: give no PROMPT and no --save-latents");
        }
        try (AssayRuntime runtime = common.open(spec.commandLine().getErr());
                CancelFlag cancel = CancelFlag.onInterrupt()) {
            if (prompts == null) {
                generate(runtime, runtime.configure(List.of()), cancel);
                return ExitCodes.OK;
            }
            // Every line is checked before the first runs; then each run reuses the loaded models.
            List<RunConfig> runs = new ArrayList<>();
            for (PromptFile.Entry e : PromptFile.read(prompts)) {
                try {
                    runs.add(runtime.configure(e.sets()));
                } catch (ConfigErrorsException x) {
                    throw PromptFile.blame(prompts, e, x);
                }
            }
            for (RunConfig c : runs) {
                generate(runtime, c, cancel);
            }
            return ExitCodes.OK;
        }
    }

    /**
     * The base name for a run's files: {@code base} unless one of its files exists, else {@code base-2},
     * {@code base-3} … (with {@code --overwrite}: {@code base}). The names are claimed by creating the files
     * exclusively, so two runs at once into one directory never pick the same name.
     */
    private String claim(Path dir, String base, int images, boolean trace) throws java.io.IOException {
        if (overwrite) {
            return base;
        }
        for (int k = 1; k < 100_000; k++) {
            String candidate = k == 1 ? base : base + "-" + k;
            List<Path> files = new ArrayList<>();
            for (int i = 0; i < images; i++) {
                files.add(dir.resolve(candidate + (images > 1 ? "-" + i : "") + ".png"));
            }
            if (trace) {
                files.add(dir.resolve(candidate + ".trace.json"));
            }
            List<Path> created = new ArrayList<>();
            try {
                for (Path f : files) {
                    Files.createFile(f);
                    created.add(f);
                }
                return candidate;
            } catch (java.nio.file.FileAlreadyExistsException e) {
                for (Path f : created) {
                    Files.deleteIfExists(f);
                }
            }
        }
        throw new java.io.IOException("no free file name for '" + base + "' in '" + dir + "'");
    }

    /** One run: generate, write its images (and latents and trace when asked), print their paths. */
    private void generate(AssayRuntime runtime, RunConfig config, CancelFlag cancel) throws Exception {
        try (Assembled assembled = runtime.assemble(config)) {
            RunSettings run = config.run();
            OutputSettings output = config.output();
            GenerationRequest request = runtime.request(config, assembled);
            List<String> warnings = runtime.warnings(config, assembled, request);
            for (String w : warnings) {
                spec.commandLine().getErr().println("assay: warning: " + w);
            }
            spec.commandLine().getErr().flush();
            // Before generating: a --out that is a file, under a file or not writable fails now, not after the run.
            Files.createDirectories(output.dir());
            if (!Files.isWritable(output.dir())) {
                throw new java.nio.file.AccessDeniedException(output.dir().toString(), null, "not writable");
            }
            List<StepObserver> observers = new ArrayList<>();
            if (!quiet && System.console() != null) {
                observers.add(new ProgressObserver("generate", spec.commandLine().getErr()));
            }
            List<Tensor> trajectory = new ArrayList<>();
            if (output.saveLatents() != null) {
                observers.add(new StepObserver() {
                    @Override
                    public void stepped(StepRecord step) {
                        trajectory.add(step.latents());
                    }
                });
            }
            RunTraceRecorder traceRecorder = output.trace() ? assembled.trace() : null;
            if (traceRecorder != null) {
                observers.add(traceRecorder);
            }
            GenerationResult result = new GenerationEngine().generate(assembled.pipeline(), request, null,
                    StepObservers.all(observers), cancel);

            Path dir = output.dir();
            Files.createDirectories(dir);
            int n = result.images().size();
            String base = claim(dir, Slugs.of(run.prompt(), 60) + "-" + request.seed(), n, output.trace());
            List<Path> written = new ArrayList<>();
            try {
                for (int i = 0; i < n; i++) {
                    RgbImage img = result.images().get(i);
                    Path file = dir.resolve(base + (n > 1 ? "-" + i : "") + ".png");
                    PngFiles.write(file, img, runtime.metadata(config, request, result, i, warnings));
                    written.add(file);
                }
            } catch (java.io.IOException | RuntimeException e) {
                // Nothing half-written: the names claimed for this run go too (disk full, read-only …).
                for (int i = 0; i < n; i++) {
                    Files.deleteIfExists(dir.resolve(base + (n > 1 ? "-" + i : "") + ".png"));
                }
                Files.deleteIfExists(dir.resolve(base + ".trace.json"));
                throw e;
            }
            if (output.saveLatents() != null) {
                // init.npy is the unit-normal noise the run started from: --init-latents init.npy replays the run.
                Npy.write(output.saveLatents().resolve("init.npy"), result.initialNoise());
                Npy.write(output.saveLatents().resolve("final.npy"), result.finalLatents());
                Npy.write(output.saveLatents().resolve("decoded.npy"), result.decoded());
                List<Tensor> all = new ArrayList<>();
                all.add(result.initialLatents());
                all.addAll(trajectory);
                long[] one = result.initialLatents().shape();
                long[] shape = new long[one.length + 1];
                shape[0] = all.size();
                System.arraycopy(one, 0, shape, 1, one.length);
                Npy.write(output.saveLatents().resolve("trajectory.npy"),
                        Tensor.concatBatch(all).reshape(shape));
            }
            if (traceRecorder != null) {
                Path traceFile = dir.resolve(base + ".trace.json");
                traceRecorder.write(traceFile, result, written.get(0).getFileName().toString());
                written.add(traceFile);
                written.add(dir.resolve(base + ".trace.html"));
            }
            for (Path p : written) {
                spec.commandLine().getOut().println(p);
            }
            spec.commandLine().getOut().flush();
        }
    }
}
