package io.assay.lib.forge;

import io.assay.lib.clip.ClipTokenizer;
import io.assay.lib.onnxgraph.ExternalData;
import io.assay.lib.onnxgraph.OnnxGraph;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Writes a Stable Diffusion model directory in Hugging Face optimum's ONNX layout — {@code model_index.json},
 * {@code scheduler/}, {@code tokenizer/}, {@code text_encoder/}, {@code unet/}, {@code vae_encoder/},
 * {@code vae_decoder/}, each model with its {@code config.json} — with the real architectures and deterministic
 * random weights: the same (preset, seed, dtype) gives byte-identical files.
 *
 * <p>The directory is written beside {@code out} under a temporary name and renamed into place when complete, so a
 * failed or interrupted forge leaves nothing half-written, and an existing non-empty {@code out} is refused rather
 * than overwritten. A model whose inline serialization would reach protobuf's 2 GiB limit (SD 1.5's fp32 U-Net) gets
 * its weights in {@code model.onnx_data} (optimum's layout), as optimum does; {@link Options#externalData()} forces
 * that for every model. Weights are generated while they are written, on all cores, never all in memory.
 */
public final class Forge {

    /** Told how far the forge has come. */
    @FunctionalInterface
    public interface Progress {

        /** Ignores every update. */
        Progress NONE = (step, done, total) -> { };

        /**
         * @param step  what is being written: {@code tokenizer}, or a model folder such as {@code unet}
         * @param done  bytes of weights written for that model so far (0 for files without weights)
         * @param total bytes of weights that model has
         */
        void update(String step, long done, long total);
    }

    /**
     * Choices beyond (preset, seed, dtype).
     *
     * @param tokenizer    a tokenizer folder to copy instead of generating one (vocab.json + merges.txt of 49408
     *                     entries, e.g. a real CLIP tokenizer), or {@code null}
     * @param externalData whether every model keeps its weights in {@code model.onnx_data}, not only those over 2 GiB
     * @param decoders     how many VAE decoders to write (at least 1): the first in {@code vae_decoder/}, decoder
     *                     {@code i ≥ 2} in {@code vae_decoders/i/vae_decoder/} — a directory in the SD layout that
     *                     {@code autoencoder.model-dir} can name — each with weights of its own seed stream
     * @param attentionSlices in how many head groups each U-Net self-attention computes its scores (1 to the
     *                     U-Net's largest head count; 1 = one MatMul–Softmax–MatMul for all heads, the graph as it
     *                     was before the option): bounds the score matrices ONNX Runtime holds at once to 1/N, for
     *                     less peak memory at large latents; recorded as {@code _assay_forge.attention_slices} in
     *                     model_index.json when above 1
     */
    public record Options(Path tokenizer, boolean externalData, int decoders, int attentionSlices) {

        /** Generated tokenizer; external data only where needed; one decoder; unsliced attention. */
        public static final Options DEFAULTS = new Options(null, false, 1, 1);

        /** Checks the decoder and slice counts. */
        public Options {
            if (decoders < 1) {
                throw new IllegalArgumentException("decoders must be at least 1, not " + decoders);
            }
            if (attentionSlices < 1) {
                throw new IllegalArgumentException("attention slices must be at least 1, not " + attentionSlices);
            }
        }

        /** Unsliced attention. */
        public Options(Path tokenizer, boolean externalData, int decoders) {
            this(tokenizer, externalData, decoders, 1);
        }

        /** One decoder, unsliced attention. */
        public Options(Path tokenizer, boolean externalData) {
            this(tokenizer, externalData, 1, 1);
        }
    }

    /** The folder, relative to the model directory, that holds extra decoder {@code i} (2, 3, …) in the SD layout. */
    public static String extraDecoderDir(int i) {
        return EXTRA_DECODERS + "/" + i;
    }

    /** Where {@link Options#decoders()} beyond the first go. */
    public static final String EXTRA_DECODERS = "vae_decoders";

    /**
     * What was written for one model.
     *
     * @param folder       the model's folder, e.g. {@code unet}
     * @param parameters   its parameter count
     * @param bytes        bytes on disk (model.onnx plus model.onnx_data, if any)
     * @param externalData whether its weights are in {@code model.onnx_data}
     */
    public record Written(String folder, long parameters, long bytes, boolean externalData) {
    }

    /**
     * The result of a forge.
     *
     * @param dir    the model directory
     * @param models what was written per model, in pipeline order
     */
    public record Result(Path dir, List<Written> models) {
    }

    private Forge() {
    }

    /**
     * Forges {@code preset} into {@code out} with a generated tokenizer; see
     * {@link #write(Preset, Path, long, Dtype, Options, Progress)}.
     */
    public static Result write(Preset preset, Path out, long seed, Dtype dtype, Progress progress) throws IOException {
        return write(preset, out, seed, dtype, Options.DEFAULTS, progress);
    }

    /**
     * Forges {@code preset} into the new directory {@code out} (absent or empty).
     *
     * @throws IOException naming {@code out} if it exists and is not an empty directory, or naming the tokenizer
     *                     folder if a supplied tokenizer does not load or has the wrong size; nothing is left behind
     * @throws IllegalArgumentException if {@link Options#attentionSlices()} exceeds the preset's largest head count
     *                     (checked before anything is written)
     */
    public static Result write(Preset preset, Path out, long seed, Dtype dtype, Options options, Progress progress)
            throws IOException {
        Objects.requireNonNull(preset, "preset is null");
        Objects.requireNonNull(dtype, "dtype is null");
        UnetModel.checkSlices(preset.unet(), options.attentionSlices());
        Path target = out.toAbsolutePath().normalize();
        checkTarget(target);
        if (options.tokenizer() != null) {
            checkTokenizer(options.tokenizer());
        }
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".forging-");
        try {
            List<Written> written = new ArrayList<>();
            progress.update("tokenizer", 0, 0);
            Path tokenizer = Files.createDirectories(tmp.resolve("tokenizer"));
            if (options.tokenizer() != null) {
                ModelFiles.copyTokenizer(options.tokenizer(), tokenizer);
            } else {
                ModelFiles.writeTokenizer(ClipVocabulary.get(), preset.text().padToken(), tokenizer);
            }
            ModelFiles.writePipeline(preset, seed, dtype, options.attentionSlices(), tmp);
            for (Component c : components(preset, dtype, seed, options.attentionSlices())) {
                written.add(writeModel(c, tmp, options.externalData(), progress));
                ModelFiles.writeConfig(preset, dtype, c.folder(), tmp.resolve(c.folder()));
            }
            for (int i = 2; i <= options.decoders(); i++) {
                Path dir = Files.createDirectories(tmp.resolve(extraDecoderDir(i)));
                Component d = extraDecoder(preset, dtype, seed, i);
                Written w = writeModel(d, dir, options.externalData(), progress);
                written.add(new Written(extraDecoderDir(i) + "/" + w.folder(), w.parameters(), w.bytes(),
                        w.externalData()));
                ModelFiles.writeConfig(preset, dtype, d.folder(), dir.resolve(d.folder()));
            }
            if (Files.isDirectory(target)) {
                Files.delete(target); // checked empty above
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            return new Result(target, List.copyOf(written));
        } finally {
            deleteTree(tmp);
        }
    }

    /**
     * The four models of {@code preset}, built but not written (weights are generated only when a graph is written):
     * for parameter counts and inspection. Each model draws its weights from its own stream of {@code seed}.
     */
    public static List<Component> components(Preset preset, Dtype dtype, long seed) {
        return components(preset, dtype, seed, 1);
    }

    /**
     * {@link #components(Preset, Dtype, long)} with the U-Net's self-attention scores computed in
     * {@code attentionSlices} head groups (see {@link Options#attentionSlices()}); same weights and parameters.
     */
    public static List<Component> components(Preset preset, Dtype dtype, long seed, int attentionSlices) {
        return List.of(
                ClipTextModel.build(preset.text(), dtype, Weights.key(seed, "text_encoder")),
                UnetModel.build(preset.unet(), dtype, Weights.key(seed, "unet"), attentionSlices),
                VaeModel.encoder(preset.vae(), dtype, Weights.key(seed, "vae_encoder")),
                VaeModel.decoder(preset.vae(), dtype, Weights.key(seed, "vae_decoder")));
    }

    /**
     * Extra VAE decoder {@code i} (2, 3, …) of {@code preset}: the decoder's architecture with weights from the
     * stream {@code vae_decoder_i} of {@code seed}, so every decoder differs and the first keeps its usual weights.
     */
    public static Component extraDecoder(Preset preset, Dtype dtype, long seed, int i) {
        return VaeModel.decoder(preset.vae(), dtype, Weights.key(seed, "vae_decoder_" + i));
    }

    private static Written writeModel(Component c, Path dir, boolean forceExternal, Progress progress)
            throws IOException {
        OnnxGraph g = c.graph();
        boolean external = forceExternal || g.inlineSize() >= Integer.MAX_VALUE;
        Path folder = Files.createDirectories(dir.resolve(c.folder()));
        Path model = folder.resolve("model.onnx");
        progress.update(c.folder(), 0, g.initializerBytes());
        g.write(model, external ? ExternalData.OPTIMUM : null,
                (done, total) -> progress.update(c.folder(), done, total));
        long bytes = Files.size(model);
        Path data = folder.resolve(ExternalData.OPTIMUM.location());
        if (external && Files.exists(data)) {
            bytes += Files.size(data);
        }
        return new Written(c.folder(), c.parameters(), bytes, external);
    }

    private static void checkTarget(Path target) throws IOException {
        if (target.getParent() == null) {
            throw new IOException("cannot forge into the file-system root '" + target + "'");
        }
        if (Files.isDirectory(target)) {
            try (Stream<Path> s = Files.list(target)) {
                if (s.findAny().isPresent()) {
                    throw new IOException("'" + target + "' exists and is not empty; choose a new directory or "
                            + "delete it first");
                }
            }
        } else if (Files.exists(target)) {
            throw new IOException("'" + target + "' exists and is not a directory");
        }
    }

    private static void checkTokenizer(Path dir) throws IOException {
        ClipTokenizer t;
        try {
            t = ClipTokenizer.load(dir);
        } catch (IOException | RuntimeException e) {
            throw new IOException("tokenizer folder '" + dir + "' does not load: " + e.getMessage(), e);
        }
        if (t.vocabSize() != TextSpec.VOCAB) {
            throw new IOException("tokenizer folder '" + dir + "': vocab.json has " + t.vocabSize()
                    + " entries; the text encoder's embedding has " + TextSpec.VOCAB);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
