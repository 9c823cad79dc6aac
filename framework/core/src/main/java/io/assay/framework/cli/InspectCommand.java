package io.assay.framework.cli;

import io.assay.framework.assembly.Assembled;
import io.assay.framework.engine.GenerationRequest;
import io.assay.framework.inspect.Influence;
import io.assay.framework.inspect.InfluenceReport;
import io.assay.framework.inspect.VaeAudit;
import io.assay.framework.runtime.AssayRuntime;
import io.assay.framework.runtime.RunConfig;
import io.assay.framework.io.Slugs;
import io.assay.sdk.tensor.RgbImage;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code assay inspect influence|vae}: token influence maps and the autoencoder audit. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Look inside a pipeline: token influence maps, the autoencoder's round trip.",
        subcommands = {InspectCommand.InfluenceCommand.class, InspectCommand.VaeCommand.class})
public final class InspectCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE;
    }

    /** {@code assay inspect influence PROMPT}. */
    @Command(name = "influence", mixinStandardHelpOptions = true,
            description = "Leave-one-out influence of each word of PROMPT: heat maps over the image, a total per word "
                    + "and per step. Works on any pipeline through its stages (no attention hooks).")
    static final class InfluenceCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        CommonOptions common = new CommonOptions();

        @Parameters(index = "0", paramLabel = "PROMPT")
        String prompt;

        @Option(names = "--model", paramLabel = "DIR", description = "Model directory (model.dir).")
        Path model;

        @Option(names = "--seed", paramLabel = "N", description = "Seed (run.seed).")
        Long seed;

        @Option(names = "--unit", paramLabel = "word|token", defaultValue = "word",
                description = "Leave out whole words (default) or single tokens.")
        String unit;

        @Option(names = "--batch-rows", paramLabel = "N", defaultValue = "0",
                description = "Most denoiser rows per call (memory); 0 = every row of a step in one call (default).")
        int batchRows;

        @Option(names = "--decode-every", paramLabel = "N", defaultValue = "0",
                description = "Decode the predicted clean images every N steps (counted back from the last) and map "
                        + "the change in pixels; 0 = map it in latent space, upsampled (default; no extra decodes).")
        int decodeEvery;

        @Option(names = "--no-rerun", description = "Skip re-running each ablation to the end (no 'image without "
                + "the word'); the maps need only the base run's steps.")
        boolean noRerun;

        @Option(names = "--maps", paramLabel = "rerun|same-latents|both",
                description = "Which maps: same-latents (each word left out on the base run's latents: where it acts "
                        + "on the image), rerun (the run without the word on its own trajectory: where it diverged) "
                        + "or both (default; same-latents with --no-rerun).")
        String maps;

        @Option(names = "--words", paramLabel = "W1,W2", split = ",",
                description = "Leave out only these words (or tokens with --unit token); default every one. Each "
                        + "costs its own denoiser rows per step.")
        List<String> words = List.of();

        @Option(names = "--out", paramLabel = "DIR",
                description = "Output directory (default: out/influence/<prompt>).")
        Path out;

        @Override
        public Integer call() throws Exception {
            Influence.Maps kinds;
            try {
                kinds = maps == null ? (noRerun ? Influence.Maps.SAME_LATENTS : Influence.Maps.BOTH)
                        : Influence.Maps.parse(maps.toLowerCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--" + e.getMessage());
            }
            if (noRerun && kinds.rerun()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--maps " + kinds.label() + " needs "
                        + "the re-runs; drop --no-rerun or use --maps same-latents");
            }
            if (model != null) {
                common.set("model.dir", CommonOptions.quote(model.toAbsolutePath().toString()));
            }
            common.set("run.prompt", CommonOptions.quote(prompt));
            if (seed != null) {
                common.set("run.seed", Long.toString(seed));
            }
            Influence.Unit u = switch (unit.toLowerCase(Locale.ROOT)) {
                case "word" -> Influence.Unit.WORD;
                case "token" -> Influence.Unit.TOKEN;
                default -> throw new CommandLine.ParameterException(spec.commandLine(), "--unit must be word or "
                        + "token, not '" + unit + "'");
            };
            if (decodeEvery < 0) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--decode-every must be 0 or positive");
            }
            if (batchRows < 0) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--batch-rows must be 0 or positive");
            }
            PrintWriter err = spec.commandLine().getErr();
            try (AssayRuntime runtime = common.open(err); CancelFlag cancel = CancelFlag.onInterrupt()) {
                RunConfig c = runtime.configure(List.of());
                Path dir = out != null ? out : Path.of("out", "influence", Slugs.of(prompt, 40).isEmpty() ? "prompt"
                        : Slugs.of(prompt, 40));
                try (Assembled a = runtime.assemble(c)) {
                    GenerationRequest r = runtime.request(c, a);
                    long t0 = System.nanoTime();
                    Influence.Result res = Influence.run(a.pipeline(), r, new Influence.Options(u, batchRows,
                            !noRerun, decodeEvery, kinds, java.util.Set.copyOf(words)), cancel);
                    double secs = (System.nanoTime() - t0) / 1e9;
                    Map<String, Object> extra = new LinkedHashMap<>();
                    extra.put("components", io.assay.framework.assembly.PipelineAssembler.components(c.validated()));
                    extra.put("wallSeconds", secs);
                    Path index = InfluenceReport.write(res, dir, extra);
                    for (int j = 0; j < res.ablations().size(); j++) {
                        err.printf(Locale.ROOT, "inspect: %-16s same-latents %8.3f  re-run map %8.3f  re-run "
                                + "change %8.3f%n", res.ablations().get(j).label(), kinds.sameLatents()
                                ? res.total(Influence.Maps.SAME_LATENTS, j) : Double.NaN, kinds.rerun()
                                ? res.total(Influence.Maps.RERUN, j) : Double.NaN, res.outcome(j));
                    }
                    err.printf(Locale.ROOT, "inspect: %d runs in lockstep, %d denoiser calls, %.1f s%n",
                            res.ablations().size() + 1, res.denoiserCalls(), secs);
                    spec.commandLine().getOut().println(index);
                    return ExitCodes.OK;
                }
            }
        }
    }

    /** {@code assay inspect vae IMAGE}. */
    @Command(name = "vae", mixinStandardHelpOptions = true,
            description = "Encode and decode IMAGE with the pipeline's autoencoder: PSNR, SSIM, a residual heat map, "
                    + "detail kept per scale and colour shifts.")
    static final class VaeCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        CommonOptions common = new CommonOptions();

        @Parameters(index = "0", paramLabel = "IMAGE")
        Path image;

        @Option(names = "--model", paramLabel = "DIR", description = "Model directory (model.dir).")
        Path model;

        @Option(names = "--out", paramLabel = "DIR", description = "Output directory (default: out/vae-audit/<image>).")
        Path out;

        @Override
        public Integer call() throws Exception {
            if (model != null) {
                common.set("model.dir", CommonOptions.quote(model.toAbsolutePath().toString()));
            }
            PrintWriter err = spec.commandLine().getErr();
            try (AssayRuntime runtime = common.open(err)) {
                RunConfig c = runtime.configure(List.of());
                RgbImage img = AssayRuntime.readInitImage(image, c.run().maxInitPixels());
                String name = image.getFileName().toString();
                Path dir = out != null ? out : Path.of("out", "vae-audit", Slugs.of(name, 40));
                try (Assembled a = runtime.assemble(c)) {
                    VaeAudit.Result r = VaeAudit.run(a.pipeline().autoencoder(), img);
                    Map<String, Object> extra = new LinkedHashMap<>();
                    extra.put("image", image.toString());
                    extra.put("autoencoder", io.assay.framework.assembly.PipelineAssembler.components(c.validated())
                            .get("autoencoder"));
                    if (r.original().width() != img.width() || r.original().height() != img.height()) {
                        extra.put("croppedFrom", img.width() + "x" + img.height());
                    }
                    Path index = VaeAudit.write(r, dir, extra);
                    err.printf(Locale.ROOT, "inspect: %s %dx%d PSNR %.2f dB SSIM %.4f%n", name, r.original().width(),
                            r.original().height(), r.psnr(), r.ssim());
                    spec.commandLine().getOut().println(index);
                    return ExitCodes.OK;
                }
            }
        }
    }
}
