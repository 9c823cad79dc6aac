package io.assay.framework.world;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.assay.lib.clip.ClipTokenizer;
import io.assay.lib.clip.LongPromptPolicy;
import io.assay.lib.clip.TextCleaner;
import io.assay.sdk.tensor.RgbImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Compiles a dataset of captioned images into a model directory in the standard Stable Diffusion ONNX layout, so the
 * plugins that run SD (CLIP tokenizer, ONNX text encoder, U-Net, VAE) run it unchanged. Every part is fitted in closed
 * form:
 * <ul>
 *   <li>{@code tokenizer/}: a CLIP-format byte-level BPE trained until every corpus word is one token;</li>
 *   <li>{@code text_encoder}: hidden[t] = U[id_t] + P[id_{t−1}] ⊙ Q[id_t] with seeded random rows (zero for BOS,
 *       EOS and padding), so word order is visible through adjacent pairs; pooled output = the sum over tokens;</li>
 *   <li>{@code vae_encoder}/{@code vae_decoder}: PCA over 8×8 RGB patches, 4 components (the optimal linear
 *       autoencoder under squared error), as Conv / ConvTranspose with stride 8; the scaling factor gives unit
 *       variance;</li>
 *   <li>{@code unet}: the exact posterior-mean denoiser of the dataset's scaled latents under SD 1.5's noise schedule,
 *       each latent weighted by exp(β·cos(prompt, caption)), so an empty prompt gives the unconditional distribution
 *       and classifier-free guidance behaves as on a trained model; epsilon prediction;</li>
 *   <li>{@code image_encoder}: soft palette membership of each 8×8 cell's mean colour, then ridge regression to
 *       the caption embeddings (CLIP-like scoring: prompt–image similarity, curation's image–text filter).</li>
 * </ul>
 * Deterministic: the same dataset and spec give byte-identical files.
 */
public final class WorldCompiler {

    /** The latent grid side for 64-pixel images. */
    static final int FACTOR = 8;

    /**
     * What to build.
     *
     * @param seed the corpus and weights seed
     * @param records corpus size
     * @param size native image size in pixels (a multiple of 8)
     * @param hidden text embedding width D
     * @param beta sharpness of the prompt–caption weighting (memorizing denoiser)
     * @param denoiser which denoiser the world's U-Net is
     */
    public record Spec(long seed, int records, int size, int hidden, double beta, Denoiser denoiser) {
        /** The embedded default. */
        public static Spec defaults() {
            return new Spec(20261123L, 2400, 64, 128, 200.0, Denoiser.LOCAL);
        }

        /** This spec with another denoiser. */
        public Spec withDenoiser(Denoiser d) {
            return new Spec(seed, records, size, hidden, beta, d);
        }

        /** A short hash of the spec and the compiler version, naming the cache directory. */
        public String hash() {
            return sha256((VERSION + "|" + this).getBytes(StandardCharsets.UTF_8)).substring(0, 12);
        }
    }

    /** Bumped whenever the compiler's output changes. */
    static final String VERSION = "world-17";

    /** The world's U-Net. */
    public enum Denoiser {
        /** The local, equivariant window posterior with local conditioning: composes new images (the default). */
        LOCAL,
        /** The exact posterior mean over whole training latents: reproduces its training images. */
        MEMORIZE
    }

    /**
     * One training example.
     *
     * @param image the picture, at the spec's native size
     * @param caption its alt text
     */
    public record Example(RgbImage image, String caption) {
    }

    private WorldCompiler() {
    }

    /** Compiles the procedural corpus of {@code spec} into {@code out}. */
    public static void compile(Spec spec, Path out) throws IOException {
        List<Example> data = new ArrayList<>();
        for (ProceduralWeb.Scene s : ProceduralWeb.scenes(spec.seed(), spec.records())) {
            data.add(new Example(ProceduralWeb.render(s, spec.size(), spec.size()), s.caption()));
        }
        compile(data, spec, out);
    }

    /**
     * Compiles any dataset of captioned images (each image {@code spec.size()} pixels square) into {@code out}; the
     * spec's seed draws the text encoder's rows.
     */
    public static void compile(List<Example> data, Spec spec, Path out) throws IOException {
        int n = data.size();
        int size = spec.size();
        if (size % FACTOR != 0) {
            throw new IllegalArgumentException("world size must be a multiple of " + FACTOR + ", got " + size);
        }
        for (int i = 0; i < n; i++) {
            RgbImage img = data.get(i).image();
            if (img.width() != size || img.height() != size) {
                throw new IllegalArgumentException("example " + i + " is " + img.width() + "x" + img.height()
                        + " but the world's images must be " + size + "x" + size);
            }
        }
        int grid = size / FACTOR;
        int m = 4 * grid * grid;
        int d = spec.hidden();
        Files.createDirectories(out);

        // 1. Tokenizer: BPE over the corpus words.
        Map<String, Integer> counts = new TreeMap<>();
        for (Example e : data) {
            for (String word : ClipTokenizer.words(TextCleaner.clean(e.caption()))) {
                counts.merge(word, 1, Integer::sum);
            }
        }
        Bpe.Vocabulary v = Bpe.train(counts);
        Path tok = out.resolve("tokenizer");
        Files.createDirectories(tok);
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode vocab = json.createObjectNode();
        v.vocab().forEach(vocab::put);
        Files.write(tok.resolve("vocab.json"), json.writeValueAsBytes(vocab));
        Files.writeString(tok.resolve("merges.txt"), "#version: 0.2\n" + String.join("\n", v.merges()) + "\n");
        Files.writeString(tok.resolve("special_tokens_map.json"), "{\n  \"bos_token\": \"<|startoftext|>\",\n"
                + "  \"eos_token\": \"<|endoftext|>\",\n  \"pad_token\": \"<|endoftext|>\",\n"
                + "  \"unk_token\": \"<|endoftext|>\"\n}\n");
        Files.writeString(tok.resolve("tokenizer_config.json"), "{\n  \"model_max_length\": 77,\n"
                + "  \"do_lower_case\": true,\n  \"tokenizer_class\": \"CLIPTokenizer\"\n}\n");
        ClipTokenizer tokenizer = ClipTokenizer.load(tok);
        int vs = v.vocab().size();

        // 2. Text encoder tables: seeded Gaussian rows; BOS/EOS/padding rows are zero.
        SplittableRandom rnd = new SplittableRandom(spec.seed() ^ 0x5eedL);
        float[] u = gaussian(rnd, vs * d);
        float[] p = gaussian(rnd, vs * d);
        float[] q = gaussian(rnd, vs * d);
        for (int special : new int[] {tokenizer.bosId(), tokenizer.eosId(), tokenizer.padId()}) {
            java.util.Arrays.fill(u, special * d, (special + 1) * d, 0f);
            java.util.Arrays.fill(p, special * d, (special + 1) * d, 0f);
            java.util.Arrays.fill(q, special * d, (special + 1) * d, 0f);
        }
        float[] captions = new float[n * d];
        for (int i = 0; i < n; i++) {
            float[] pooled = TextModel.pooled(tokenizer.report(data.get(i).caption(), LongPromptPolicy.TRUNCATE, 77)
                    .ids(), u, p, q, d);
            normalize(pooled);
            System.arraycopy(pooled, 0, captions, i * d, d);
        }
        float[][] withoutColour = withoutForegroundColour(data, tokenizer, u, p, q, d);

        // 3. PCA over 8×8 RGB patches of the images in [-1, 1].
        int pd = 3 * FACTOR * FACTOR;
        double[] mean = new double[pd];
        double[][] cov = new double[pd][pd];
        long patches = 0;
        float[][] images = new float[n][];
        for (int i = 0; i < n; i++) {
            images[i] = data.get(i).image().toTensor().data();
        }
        double[] patch = new double[pd];
        for (int pass = 0; pass < 2; pass++) {
            for (int i = 0; i < n; i++) {
                for (int gy = 0; gy < grid; gy++) {
                    for (int gx = 0; gx < grid; gx++) {
                        readPatch(images[i], size, gx, gy, patch);
                        if (pass == 0) {
                            for (int k = 0; k < pd; k++) {
                                mean[k] += patch[k];
                            }
                            patches++;
                        } else {
                            for (int a = 0; a < pd; a++) {
                                double da = patch[a] - mean[a];
                                for (int b = a; b < pd; b++) {
                                    cov[a][b] += da * (patch[b] - mean[b]);
                                }
                            }
                        }
                    }
                }
            }
            if (pass == 0) {
                for (int k = 0; k < pd; k++) {
                    mean[k] /= patches;
                }
            }
        }
        for (int a = 0; a < pd; a++) {
            for (int b = a; b < pd; b++) {
                cov[a][b] /= patches;
                cov[b][a] = cov[a][b];
            }
        }
        double[][][] eig = Linalg.symmetricEigen(cov);
        float[] enc = new float[4 * pd];
        float[] encBias = new float[4];
        for (int k = 0; k < 4; k++) {
            double bias = 0;
            for (int j = 0; j < pd; j++) {
                enc[k * pd + j] = (float) eig[1][j][k];
                bias -= eig[1][j][k] * mean[j];
            }
            encBias[k] = (float) bias;
        }
        // Latents of every image (unscaled PCA coefficients, layout [4, grid, grid]) and the scaling factor.
        float[] raw = new float[n * m];
        double sq = 0;
        for (int i = 0; i < n; i++) {
            for (int gy = 0; gy < grid; gy++) {
                for (int gx = 0; gx < grid; gx++) {
                    readPatch(images[i], size, gx, gy, patch);
                    for (int k = 0; k < 4; k++) {
                        double c = encBias[k];
                        for (int j = 0; j < pd; j++) {
                            c += enc[k * pd + j] * patch[j];
                        }
                        raw[i * m + (k * grid + gy) * grid + gx] = (float) c;
                        sq += c * c;
                    }
                }
            }
        }
        float scaling = (float) (1 / Math.sqrt(sq / ((double) n * m)));
        float[] x = new float[n * m];
        for (int i = 0; i < x.length; i++) {
            x[i] = raw[i] * scaling;
        }

        // 4. Image encoder: soft palette membership of each latent cell's mean colour (a fixed non-linearity; colour
        //    names are not linear in RGB), then ridge regression (+ bias) to the caption embeddings.
        int cells = grid * grid;
        int fdim = PALETTE_SIZE * cells;
        float[][] palette = paletteLayer();
        RidgeFit imageFit = new RidgeFit(fdim + 1, d);
        double[] row = new double[fdim + 1];
        double[] target = new double[d];
        for (int i = 0; i < n; i++) {
            float[] f = paletteFeatures(images[i], size, grid, palette);
            for (int j = 0; j < fdim; j++) {
                row[j] = f[j];
            }
            row[fdim] = 1;
            for (int c = 0; c < d; c++) {
                target[c] = captions[i * d + c];
            }
            imageFit.add(row, target);
        }
        double[][] w = imageFit.solve(1e-3);

        // 5. Decoder: each cell's pixels from its 5×5 latent neighbourhood (a quarter of the pictures suffice).
        float[][] rawLatents = new float[(n + 3) / 4][];
        float[][] someImages = new float[rawLatents.length][];
        for (int i = 0; i < rawLatents.length; i++) {
            rawLatents[i] = java.util.Arrays.copyOfRange(raw, 4 * i * m, (4 * i + 1) * m);
            someImages[i] = images[4 * i];
        }
        double[][] decoder = VaeModel.fitDecoder(rawLatents, someImages, grid, size);

        // 6. The denoiser.
        float[] alphasCumprod = alphasCumprod();
        byte[] unet;
        if (spec.denoiser() == Denoiser.MEMORIZE) {
            unet = MemorizingDenoiserModel.graph(x, captions, alphasCumprod, n, m, d, grid, (float) spec.beta());
        } else {
            unet = localDenoiser(data, x, captions, withoutColour, alphasCumprod, n, grid, d, enc, scaling);
        }

        // 7. Write the models and their configs.
        write(out.resolve("text_encoder/model.onnx"), TextModel.graph(u, p, q, vs, d));
        write(out.resolve("vae_encoder/model.onnx"), VaeModel.encoder(enc, encBias));
        write(out.resolve("vae_decoder/model.onnx"), VaeModel.decoder(decoder));
        write(out.resolve("unet/model.onnx"), unet);
        write(out.resolve("image_encoder/model.onnx"), VaeModel.imageEncoder(palette[0], palette[1], FACTOR, w, fdim,
                d, size));
        writeConfigs(out, json, spec, scaling, d, grid, vs);
        // Every caption shares the template ("a … on a … background"), which dominates raw cosines; scorers subtract
        // the corpus mean embedding from both sides so similarity measures what differs (colours, shapes).
        ObjectNode ie = json.createObjectNode();
        ie.put("space", "text_encoder pooler_output, L2-normalised");
        com.fasterxml.jackson.databind.node.ArrayNode em = ie.putArray("embedding_mean");
        for (int c = 0; c < d; c++) {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += captions[i * d + c];
            }
            em.add((float) (sum / n));
        }
        Files.write(out.resolve("image_encoder/config.json"), json.writeValueAsBytes(ie));
    }

    /**
     * The composing denoiser: each picture read into regions, its attributes (foreground and background palette
     * membership, fill ratio), a ridge map from the prompt embedding to those attributes, and the window banks.
     */
    /**
     * Each caption's normalised pooled embedding without its foreground colour word — the hidden-state row of an
     * English colour word followed by a shape word removed, as a leave-one-out audit removes it — or null for a
     * caption without one (other languages, junk, a vocabulary that splits the word).
     */
    static float[][] withoutForegroundColour(List<Example> data, ClipTokenizer tokenizer, float[] u, float[] p,
            float[] q, int d) {
        java.util.Set<Integer> colours = singleTokens(tokenizer, ProceduralWeb.COLOURS);
        java.util.Set<Integer> shapes = singleTokens(tokenizer, ProceduralWeb.SHAPES);
        float[][] out = new float[data.size()][];
        for (int i = 0; i < data.size(); i++) {
            int[] ids = tokenizer.report(data.get(i).caption(), LongPromptPolicy.TRUNCATE, 77).ids();
            for (int t = 1; t + 1 < ids.length; t++) {
                if (colours.contains(ids[t]) && shapes.contains(ids[t + 1])) {
                    float[] pooled = TextModel.pooled(ids, u, p, q, d);
                    for (int k = 0; k < d; k++) {
                        pooled[k] -= u[ids[t] * d + k] + p[ids[t - 1] * d + k] * q[ids[t] * d + k];
                    }
                    normalize(pooled);
                    out[i] = pooled;
                    break;
                }
            }
        }
        return out;
    }

    /** The token ids of the words the tokenizer keeps whole. */
    private static java.util.Set<Integer> singleTokens(ClipTokenizer tokenizer, List<String> words) {
        java.util.Set<Integer> out = new java.util.HashSet<>();
        for (String w : words) {
            int[] ids = tokenizer.report(w, LongPromptPolicy.TRUNCATE, 77).ids();
            if (ids[2] == tokenizer.eosId()) {
                out.add(ids[1]);
            }
        }
        return out;
    }

    private static byte[] localDenoiser(List<Example> data, float[] x, float[] captions, float[][] withoutColour,
            float[] alphasCumprod, int n, int grid, int d, float[] enc, float scaling) {
        List<Regions> regions = new ArrayList<>(n);
        List<float[]> recolour = new ArrayList<>(n);
        double[][] attributes = new double[n][];
        RidgeFit promptFit = new RidgeFit(d + 1, LocalDenoiserModel.ATTRIBUTES);
        RidgeFit layoutFit = new RidgeFit(d + 1, LocalDenoiserModel.ATTRIBUTES);
        double[] row = new double[d + 1];
        for (int i = 0; i < n; i++) {
            Regions r = Regions.of(data.get(i).image(), FACTOR);
            regions.add(r);
            recolour.add(recolourJacobian(data.get(i).image(), enc, scaling, grid));
            double[] a = new double[LocalDenoiserModel.ATTRIBUTES];
            System.arraycopy(Regions.palette(r.foreground()), 0, a, 0, PALETTE_SIZE);
            System.arraycopy(Regions.palette(r.background()), 0, a, PALETTE_SIZE, PALETTE_SIZE);
            a[2 * PALETTE_SIZE] = r.fill();
            attributes[i] = a;
            for (int c = 0; c < d; c++) {
                row[c] = captions[i * d + c];
            }
            row[d] = 1;
            promptFit.add(row, a);
            layoutFit.add(row, a);
            if (withoutColour[i] != null) {
                double[] without = new double[d + 1];
                for (int c = 0; c < d; c++) {
                    without[c] = withoutColour[i][c];
                }
                without[d] = 1;
                layoutFit.add(without, a);
            }
        }
        // The foreground colour is read by a fit on the captions as written. The background and fill are read by a
        // fit on each caption both as written and without its foreground colour word, so that leaving that word out
        // (a prompt that names no colour, or an influence audit's leave-one-out) does not move what the layout
        // stages are asked for. With one fit for all, the colour-blind stage (t > 800) still moved when the colour
        // word was left out (see LocalDenoiserModel).
        double[][] promptWeights = promptFit.solve(1e-3);
        double[][] layoutWeights = layoutFit.solve(1e-3);
        for (int r = 0; r < promptWeights.length; r++) {
            System.arraycopy(layoutWeights[r], PALETTE_SIZE, promptWeights[r], PALETTE_SIZE,
                    LocalDenoiserModel.ATTRIBUTES - PALETTE_SIZE);
        }
        List<LocalDenoiserModel.Bank> banks = new ArrayList<>();
        for (LocalDenoiserModel.Stage stage : LocalDenoiserModel.STAGES) {
            banks.add(LocalDenoiserModel.bank(stage, x, regions, recolour, attributes, n, grid));
        }
        return LocalDenoiserModel.graph(banks, promptWeights, alphasCumprod, d);
    }

    /**
     * How each latent cell of a picture moves when its foreground is repainted: per cell the 4×3 Jacobian of the scaled
     * latent with respect to the foreground's RGB (0–255), [grid, grid, 4, 3] flattened. The encoder is linear and a
     * foreground pixel's value is the foreground colour, so the Jacobian is the encoder's weights summed over the
     * cell's foreground pixels (sample = pixel / 127.5 − 1). Edge pixels blended by anti-aliasing count as wholly
     * foreground or background, by the same rule as {@link Regions}.
     */
    static float[] recolourJacobian(RgbImage img, float[] enc, float scaling, int grid) {
        boolean[] fg = Regions.foregroundPixels(img);
        int size = img.width();
        int pd = 3 * FACTOR * FACTOR;
        float[] out = new float[grid * grid * 12];
        for (int gy = 0; gy < grid; gy++) {
            for (int gx = 0; gx < grid; gx++) {
                int base = (gy * grid + gx) * 12;
                for (int dy = 0; dy < FACTOR; dy++) {
                    for (int dx = 0; dx < FACTOR; dx++) {
                        if (!fg[(gy * FACTOR + dy) * size + gx * FACTOR + dx]) {
                            continue;
                        }
                        for (int k = 0; k < 4; k++) {
                            for (int c = 0; c < 3; c++) {
                                out[base + k * 3 + c] += enc[k * pd + (c * FACTOR + dy) * FACTOR + dx] * scaling
                                        / 127.5f;
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    private static String unetClass(Spec spec) {
        return spec.denoiser() == Denoiser.MEMORIZE ? "IdealDenoiser" : "LocalWindowDenoiser";
    }

    /** Palette colours in the image encoder's first layer. */
    static final int PALETTE_SIZE = ProceduralWeb.RGB.length;
    /** Softmax temperature of the palette layer (squared distance in [-1, 1] RGB units). */
    static final float PALETTE_TEMPERATURE = 0.05f;

    /**
     * The palette layer as a 1×1 convolution: logits_k = (2·c·p_k − ‖p_k‖²)/τ, whose softmax over k equals the
     * softmax of −‖c − p_k‖²/τ (the ‖c‖² term is the same for every k). Returns {weights [K·3], bias [K]}.
     */
    static float[][] paletteLayer() {
        float[] w = new float[PALETTE_SIZE * 3];
        float[] b = new float[PALETTE_SIZE];
        for (int k = 0; k < PALETTE_SIZE; k++) {
            double norm = 0;
            for (int c = 0; c < 3; c++) {
                double p = ProceduralWeb.RGB[k][c] / 127.5 - 1;
                w[k * 3 + c] = (float) (2 * p / PALETTE_TEMPERATURE);
                norm += p * p;
            }
            b[k] = (float) (-norm / PALETTE_TEMPERATURE);
        }
        return new float[][] {w, b};
    }

    /** The image encoder's features, as its ONNX graph computes them: [K, grid, grid] flattened. */
    static float[] paletteFeatures(float[] img, int size, int grid, float[][] layer) {
        int cells = grid * grid;
        int plane = size * size;
        float[] out = new float[PALETTE_SIZE * cells];
        double[] logits = new double[PALETTE_SIZE];
        for (int gy = 0; gy < grid; gy++) {
            for (int gx = 0; gx < grid; gx++) {
                double[] c = new double[3];
                for (int ch = 0; ch < 3; ch++) {
                    double sum = 0;
                    for (int y = 0; y < FACTOR; y++) {
                        for (int x = 0; x < FACTOR; x++) {
                            sum += img[ch * plane + (gy * FACTOR + y) * size + gx * FACTOR + x];
                        }
                    }
                    c[ch] = sum / (FACTOR * FACTOR);
                }
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < PALETTE_SIZE; k++) {
                    logits[k] = layer[1][k] + layer[0][k * 3] * c[0] + layer[0][k * 3 + 1] * c[1]
                            + layer[0][k * 3 + 2] * c[2];
                    max = Math.max(max, logits[k]);
                }
                double z = 0;
                for (int k = 0; k < PALETTE_SIZE; k++) {
                    logits[k] = Math.exp(logits[k] - max);
                    z += logits[k];
                }
                for (int k = 0; k < PALETTE_SIZE; k++) {
                    out[k * cells + gy * grid + gx] = (float) (logits[k] / z);
                }
            }
        }
        return out;
    }

    static void readPatch(float[] img, int size, int gx, int gy, double[] patch) {
        int plane = size * size;
        for (int c = 0; c < 3; c++) {
            for (int dy = 0; dy < FACTOR; dy++) {
                for (int dx = 0; dx < FACTOR; dx++) {
                    patch[(c * FACTOR + dy) * FACTOR + dx] = img[c * plane + (gy * FACTOR + dy) * size + gx * FACTOR
                            + dx];
                }
            }
        }
    }

    /** SD 1.5's schedule: scaled_linear betas 0.00085–0.012 over 1000 steps, as float32 like diffusers. */
    static float[] alphasCumprod() {
        float[] out = new float[1000];
        double start = Math.sqrt(0.00085);
        double end = Math.sqrt(0.012);
        double prod = 1;
        for (int i = 0; i < 1000; i++) {
            double b = start + (end - start) * i / 999.0;
            prod *= 1 - (float) (b * b);
            out[i] = (float) prod;
        }
        return out;
    }

    private static void writeConfigs(Path out, ObjectMapper json, Spec spec, float scaling, int d, int grid, int vs)
            throws IOException {
        ObjectNode index = json.createObjectNode();
        index.put("_class_name", "StableDiffusionPipeline");
        index.put("_assay_world", VERSION);
        for (String[] c : new String[][] {{"scheduler", "diffusers", "PNDMScheduler"},
            {"text_encoder", "assay", "ProceduralTextEncoder"}, {"tokenizer", "transformers", "CLIPTokenizer"},
            {"unet", "assay", unetClass(spec)}, {"vae", "assay", "PcaAutoencoder"}}) {
            index.putArray(c[0]).add(c[1]).add(c[2]);
        }
        Files.write(out.resolve("model_index.json"), json.writeValueAsBytes(index));
        Files.createDirectories(out.resolve("scheduler"));
        Files.writeString(out.resolve("scheduler/scheduler_config.json"), """
                {
                  "_class_name": "PNDMScheduler",
                  "beta_end": 0.012,
                  "beta_schedule": "scaled_linear",
                  "beta_start": 0.00085,
                  "clip_sample": false,
                  "num_train_timesteps": 1000,
                  "prediction_type": "epsilon",
                  "set_alpha_to_one": false,
                  "skip_prk_steps": true,
                  "steps_offset": 1
                }
                """);
        ObjectNode unet = json.createObjectNode();
        unet.put("_class_name", unetClass(spec));
        unet.put("world_denoiser", spec.denoiser().name().toLowerCase(java.util.Locale.ROOT));
        unet.put("in_channels", 4);
        unet.put("out_channels", 4);
        unet.put("sample_size", grid);
        unet.put("cross_attention_dim", d);
        if (spec.denoiser() == Denoiser.MEMORIZE) {
            unet.put("beta", spec.beta());
        } else {
            ArrayNode stages = unet.putArray("stages");
            for (LocalDenoiserModel.Stage st : LocalDenoiserModel.STAGES) {
                ObjectNode o = stages.addObject();
                o.put("above_timestep", Double.isInfinite(st.above()) ? -1 : st.above());
                o.put("window", st.window());
                o.put("pool", st.pool());
                o.put("image_stride", st.imageStride());
            }
            unet.put("lambda", LocalDenoiserModel.LAMBDA);
            // Every stage holds [rows, windows, h, w] scores: bound the positions per call before ONNX Runtime
            // allocates them (one 512×512 image with guidance's two rows peaks near 10 GB).
            unet.put("max_latent_positions", LocalDenoiserModel.MAX_LATENT_POSITIONS);
        }
        Files.write(out.resolve("unet/config.json"), json.writeValueAsBytes(unet));
        for (String part : new String[] {"vae_encoder", "vae_decoder"}) {
            ObjectNode vae = json.createObjectNode();
            vae.put("_class_name", "PcaAutoencoder");
            vae.put("latent_channels", 4);
            ArrayNode blocks = vae.putArray("block_out_channels");
            for (int i = 0; i < 4; i++) {
                blocks.add(4);
            }
            vae.put("sample_size", spec.size());
            vae.put("scaling_factor", scaling);
            Files.write(out.resolve(part + "/config.json"), json.writeValueAsBytes(vae));
        }
        ObjectNode te = json.createObjectNode();
        te.put("_class_name", "ProceduralTextEncoder");
        te.put("hidden_size", d);
        te.put("vocab_size", vs);
        te.put("max_position_embeddings", 77);
        Files.write(out.resolve("text_encoder/config.json"), json.writeValueAsBytes(te));
    }

    private static void write(Path file, byte[] bytes) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, bytes);
    }

    static float[] gaussian(SplittableRandom r, int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i += 2) {
            double u1 = 1.0 - r.nextDouble();
            double u2 = r.nextDouble();
            double rad = StrictMath.sqrt(-2 * StrictMath.log(u1));
            out[i] = (float) (rad * StrictMath.cos(2 * Math.PI * u2));
            if (i + 1 < n) {
                out[i + 1] = (float) (rad * StrictMath.sin(2 * Math.PI * u2));
            }
        }
        return out;
    }

    static void normalize(float[] v) {
        double s = 0;
        for (float f : v) {
            s += (double) f * f;
        }
        double norm = Math.sqrt(s) + 1e-6;
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (v[i] / norm);
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
