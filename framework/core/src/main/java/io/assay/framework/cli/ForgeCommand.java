package io.assay.framework.cli;

import io.assay.lib.forge.Dtype;
import io.assay.lib.forge.Forge;
import io.assay.lib.forge.Preset;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code assay forge PRESET --out DIR}: writes a Stable Diffusion model directory in the optimum ONNX layout with the
 * real architecture of the preset and deterministic random weights (libs/sd-forge), so speed, memory and loading can
 * be measured at real sizes without downloading weights. Written beside {@code DIR} under a temporary name and moved
 * into place when complete.
 */
@Command(name = "forge", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write an SD model directory with a real architecture and random weights (no downloads).",
            "The optimum ONNX layout; the same preset, seed and dtype give byte-identical files. Presets: "
                + "tiny (the reference tiny-sd's shapes), mid (≈230 M parameters), sd15 (SD 1.5's shapes, ≈1.07 B parameters, 4.3 GB fp32), sd21 (SD 2.1's, v-prediction). The "
                + "images are noise; the shapes, sizes and speeds are real."})
public final class ForgeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PRESET", description = "tiny, mid, sd15 or sd21.")
    String preset;

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "The new model directory (must not exist, or be empty).")
    Path out;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42",
            description = "Weight seed: the same preset, seed and dtype give byte-identical files (default: 42).")
    long seed;

    @Option(names = "--dtype", paramLabel = "fp32|fp16", defaultValue = "fp32",
            description = "Weight and I/O precision: fp32, or fp16 (half the bytes; float16 inputs and outputs as "
                    + "an fp16 export has; computes in float32) (default: fp32).")
    String dtype;

    @Option(names = "--decoders", paramLabel = "N", defaultValue = "1",
            description = "VAE decoders to write, each with its own weights: the first in vae_decoder/, decoder i "
                    + "≥ 2 in vae_decoders/i/vae_decoder/ (name it with autoencoder.model-dir) (default: 1).")
    int decoders;

    @Option(names = "--attention-slices", paramLabel = "N", defaultValue = "1",
            description = "Compute each U-Net self-attention's scores in N head groups, one after the other (1 to "
                    + "the largest head count, 8 for tiny/mid/sd15, 20 for sd21): the score matrices held at once "
                    + "shrink to 1/N, for a lower peak memory at large images; same outputs, recorded in "
                    + "model_index.json (default: 1, unsliced).")
    int attentionSlices;

    @Option(names = "--quiet", description = "No progress lines.")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();
        Preset p;
        try {
            p = Preset.of(preset);
        } catch (IllegalArgumentException e) {
            err.println("assay forge: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        Dtype d = switch (dtype.toLowerCase(Locale.ROOT)) {
            case "fp32", "float32" -> Dtype.FP32;
            case "fp16", "float16" -> Dtype.FP16;
            default -> null;
        };
        if (d == null) {
            err.println("assay forge: unknown --dtype '" + dtype + "'; expected fp32 or fp16");
            return ExitCodes.USAGE;
        }
        if (decoders < 1 || decoders > 16) {
            err.println("assay forge: --decoders must be between 1 and 16, not " + decoders);
            return ExitCodes.USAGE;
        }
        int most = java.util.Arrays.stream(p.unet().heads()).max().orElse(1);
        if (attentionSlices < 1 || attentionSlices > most) {
            err.println("assay forge: --attention-slices must be between 1 and " + most + " (" + p.label()
                    + "'s largest head count), not " + attentionSlices);
            return ExitCodes.USAGE;
        }
        Path target = out.toAbsolutePath().normalize();
        String problem = checkTarget(target);
        if (problem != null) {
            err.println("assay forge: " + problem);
            return ExitCodes.IO;
        }
        long t0 = System.nanoTime();
        Forge.Result r = Forge.write(p, target, seed, d, new Forge.Options(null, false, decoders, attentionSlices),
                quiet ? Forge.Progress.NONE : new Progress(err));
        usualPermissions(r.dir());
        double seconds = (System.nanoTime() - t0) / 1e9;
        long params = 0;
        long bytes = 0;
        int width = Math.max(12, r.models().stream().mapToInt(w -> w.folder().length()).max().orElse(0));
        stdout.printf(Locale.ROOT, "%-" + width + "s %15s %12s  %s%n", "model", "parameters", "MB", "weights");
        for (Forge.Written w : r.models()) {
            stdout.printf(Locale.ROOT, "%-" + width + "s %,15d %12.1f  %s%n", w.folder(), w.parameters(),
                    w.bytes() / 1e6,
                    w.externalData() ? "model.onnx_data (external)" : "inline");
            params += w.parameters();
            bytes += w.bytes();
        }
        stdout.printf(Locale.ROOT, "%-" + width + "s %,15d %12.1f%n", "total", params, bytes / 1e6);
        stdout.printf(Locale.ROOT, "forged %s (%s, seed %d%s) in %.1f s: %s%n", p.label(), d.label(), seed,
                attentionSlices > 1 ? ", attention in " + attentionSlices + " slices" : "", seconds, r.dir());
        stdout.flush();
        return ExitCodes.OK;
    }

    /**
     * Gives the model directory the permissions a plain {@code mkdir}/{@code cp} would under the user's umask: it was
     * built under a private temporary directory (0700, some files 0600), which would keep other users — a server
     * account, a colleague — from reading it. The umask is read off a probe file created beside the directory.
     */
    static void usualPermissions(Path dir) throws java.io.IOException {
        if (!dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return;
        }
        Path probe = Files.createTempFile(dir.getParent(), ".forge-umask-", ".probe");
        java.util.Set<java.nio.file.attribute.PosixFilePermission> file;
        try {
            // createTempFile is 0600 by design; a file created plainly gets 0666 minus the umask.
            Files.delete(probe);
            Files.createFile(probe);
            file = Files.getPosixFilePermissions(probe);
        } finally {
            Files.deleteIfExists(probe);
        }
        java.util.Set<java.nio.file.attribute.PosixFilePermission> folder = java.util.EnumSet.noneOf(
                java.nio.file.attribute.PosixFilePermission.class);
        folder.addAll(file);
        for (java.nio.file.attribute.PosixFilePermission x : file) {
            switch (x) {
                case OWNER_READ -> folder.add(java.nio.file.attribute.PosixFilePermission.OWNER_EXECUTE);
                case GROUP_READ -> folder.add(java.nio.file.attribute.PosixFilePermission.GROUP_EXECUTE);
                case OTHERS_READ -> folder.add(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE);
                default -> { }
            }
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path q : (Iterable<Path>) all::iterator) {
                Files.setPosixFilePermissions(q, Files.isDirectory(q) ? folder : file);
            }
        }
    }

    /** Why {@code target} cannot be forged into, or null. */
    static String checkTarget(Path target) throws java.io.IOException {
        if (Files.isDirectory(target)) {
            try (Stream<Path> s = Files.list(target)) {
                if (s.findAny().isPresent()) {
                    return "--out '" + target + "' exists and is not empty; choose a new directory or delete it "
                            + "first";
                }
            }
        } else if (Files.exists(target)) {
            return "--out '" + target + "' exists and is not a directory";
        }
        Path parent = target.getParent();
        if (parent == null) {
            return "--out '" + target + "' is the file-system root";
        }
        Path existing = parent;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null || !Files.isDirectory(existing)) {
            return "--out '" + target + "': '" + existing + "' is not a directory";
        }
        if (!Files.isWritable(existing)) {
            return "--out '" + target + "': '" + existing + "' is not writable";
        }
        return null;
    }

    /** One stderr line per model started and, for large models, per 25 % of its weights written. */
    private static final class Progress implements Forge.Progress {
        private static final long BIG = 64L << 20;
        private final PrintWriter err;
        private final long start = System.nanoTime();
        private String step;
        private int quarter;

        Progress(PrintWriter err) {
            this.err = err;
        }

        @Override
        public void update(String step, long done, long total) {
            if (!step.equals(this.step)) {
                this.step = step;
                quarter = 0;
                err.println(total > 0 ? String.format(Locale.ROOT, "forge: %-12s %.1f MB of weights", step,
                        total / 1e6) : "forge: " + step);
                err.flush();
                return;
            }
            if (total >= BIG) {
                int q = (int) (done * 4 / total);
                if (q > quarter) {
                    quarter = q;
                    err.printf(Locale.ROOT, "forge: %-12s %3d%% (%.1f s)%n", step, q * 25,
                            (System.nanoTime() - start) / 1e9);
                    err.flush();
                }
            }
        }
    }
}
