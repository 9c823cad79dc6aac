package io.assay.framework.inspect;

import io.assay.framework.engine.GenerationRequest;
import io.assay.framework.engine.Pipeline;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import io.assay.sdk.diffusion.ConditioningKind;
import io.assay.sdk.diffusion.Guidance;
import io.assay.sdk.diffusion.NoiseStream;
import io.assay.sdk.diffusion.Scheduler;
import io.assay.sdk.diffusion.TokenReport;
import io.assay.sdk.tensor.RgbImage;
import io.assay.sdk.tensor.Tensor;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Token influence by leave-one-out, for any pipeline: for each word (or token) of the prompt, the run is repeated with
 * that word's rows of the prompt's hidden states replaced by the same rows of the unconditional (empty-prompt)
 * encoding, and the change is measured against the unablated run — per latent position and step on the predicted
 * clean latents, and per pixel on the decoded image.
 *
 * <p>All runs advance in lockstep: each step is one batched denoiser call (or a few, when the rows exceed
 * {@link Options#maxRows}) carrying, for the base run and every ablation, the rows its guidance needs. Each run keeps
 * its own scheduler sampling, guidance run and noise stream opened at the request's seed, so every ablated run is the
 * run {@link io.assay.framework.engine.GenerationEngine#generate} makes from the same stages with the ablated
 * encoding; nothing hooks into the model (no attention maps), only the stage contracts are used.
 */
public final class Influence {

    /** What one leave-one-out removes. */
    public enum Unit {
        /** Every token of a word at once (a split word is removed whole). */
        WORD,
        /** One token at a time. */
        TOKEN
    }

    /**
     * How to run.
     *
     * @param unit words or tokens
     * @param maxRows the most denoiser rows per call (memory); 0 = every row of a step in one call
     * @param rerun also run every ablation to the end on its own trajectory (the image without the word)
     * @param decodeStride decode the predicted clean images every this many steps, counted back from the last step,
     *     and measure the change in pixels there (0 = never: the latent maps, upsampled, are the heat maps)
     */
    public record Options(Unit unit, int maxRows, boolean rerun, int decodeStride) {

        /** Options that measure in latent space only. */
        public Options(Unit unit, int maxRows, boolean rerun) {
            this(unit, maxRows, rerun, 0);
        }

        /** Validates. */
        public Options {
            java.util.Objects.requireNonNull(unit, "unit is null");
            if (maxRows < 0) {
                throw new IllegalArgumentException("maxRows must be 0 (all) or positive: " + maxRows);
            }
            if (decodeStride < 0) {
                throw new IllegalArgumentException("decodeStride must be 0 (never) or positive: " + decodeStride);
            }
        }
    }

    /**
     * One ablation.
     *
     * @param label the word or token as the tokenizer produced it
     * @param positions the rows of the hidden states it replaces
     */
    public record Ablation(String label, int[] positions) {
    }

    /**
     * What the runs produced.
     *
     * @param request the request
     * @param ablations one per word (or token)
     * @param base the unablated image
     * @param images the image of each ablated re-run (empty without {@link Options#rerun})
     * @param influenceMaps per ablation, per pixel (row-major): the change of the predicted clean latents summed over
     *     the steps ({@link #stepMaps}), bilinearly upsampled from latent positions to pixels; with
     *     {@link Options#decodeStride} the RGB distance (0–441) of the decoded predicted clean images instead,
     *     summed over {@code decodedSteps}
     * @param outcomeMaps per ablation, per pixel: the Euclidean RGB distance (0–441) of its re-run's image from the base
     *     image (null without {@link Options#rerun})
     * @param stepMaps per ablation, per step, per latent position (row-major): how far leaving the word out moves the
     *     predicted clean latents from the same noisy latents of the base run — the Euclidean distance over channels
     *     of {@code x̂0(ablated) − x̂0(base)}, in latent units
     * @param baseFinalLatents the base run's final latents
     * @param finalLatents each ablated re-run's final latents (empty without {@link Options#rerun})
     * @param denoiserCalls denoiser calls made (all runs together)
     * @param rowsPerStep denoiser rows per step (all runs together)
     * @param latentWidth latent width
     * @param latentHeight latent height
     * @param decodedSteps the steps whose predicted clean images were decoded for the pixel maps (empty: the maps
     *     are the latent maps upsampled)
     */
    public record Result(GenerationRequest request, List<Ablation> ablations, RgbImage base, List<RgbImage> images,
            float[][] influenceMaps, float[][] outcomeMaps, float[][][] stepMaps, Tensor baseFinalLatents,
            List<Tensor> finalLatents, int denoiserCalls, int rowsPerStep, int latentWidth, int latentHeight,
            List<Integer> decodedSteps) {

        /**
         * Ablation {@code j}'s total influence: the change of the predicted clean latents per latent position,
         * summed over the steps.
         */
        public double total(int j) {
            double s = 0;
            for (double v : perStep(j)) {
                s += v;
            }
            return s;
        }

        /** Ablation {@code j}'s re-run outcome: the mean per-pixel RGB distance of its image (NaN without it). */
        public double outcome(int j) {
            return outcomeMaps == null ? Double.NaN : HeatMaps.mean(outcomeMaps[j]);
        }

        /** Ablation {@code j}'s influence per step: the mean over latent positions of its step map. */
        public double[] perStep(int j) {
            double[] out = new double[stepMaps[j].length];
            for (int i = 0; i < out.length; i++) {
                out[i] = HeatMaps.mean(stepMaps[j][i]);
            }
            return out;
        }

        /** The share of ablation {@code j}'s influence-map mass on the pixels where {@code mask} is true. */
        public double massShare(int j, boolean[] mask) {
            double in = 0;
            double all = 0;
            for (int p = 0; p < mask.length; p++) {
                all += influenceMaps[j][p];
                if (mask[p]) {
                    in += influenceMaps[j][p];
                }
            }
            return all == 0 ? Double.NaN : in / all;
        }
    }

    private Influence() {
    }

    /**
     * The ablations of a prompt: its words (or tokens) that reach the encoder, with the hidden-state rows each
     * occupies (BOS first, so token {@code k} of a single window is row {@code k + 1}; a chunking encoder's window
     * {@code w} starts at row {@code w · windowLength}).
     */
    public static List<Ablation> ablations(TokenReport report, int windowLength, Unit unit) {
        int kept = report.tokens().size() - report.dropped().size();
        int perWindow = report.windows() > 1 ? windowLength - 2 : windowLength;
        List<Ablation> out = new ArrayList<>();
        if (unit == Unit.TOKEN) {
            for (int k = 0; k < kept; k++) {
                out.add(new Ablation(report.tokens().get(k), new int[] {row(k, perWindow, windowLength)}));
            }
            return out;
        }
        int k = 0;
        for (TokenReport.Word w : report.words()) {
            List<Integer> rows = new ArrayList<>();
            for (int p = 0; p < w.pieces().size(); p++, k++) {
                if (k < kept) {
                    rows.add(row(k, perWindow, windowLength));
                }
            }
            if (!rows.isEmpty()) {
                out.add(new Ablation(w.text(), rows.stream().mapToInt(Integer::intValue).toArray()));
            }
        }
        return out;
    }

    private static int row(int k, int perWindow, int windowLength) {
        return k / perWindow * windowLength + 1 + k % perWindow;
    }

    /** {@code cond} with the rows {@code positions} taken from {@code empty}; both {@code [1, L, D]}. */
    public static Tensor ablate(Tensor cond, Tensor empty, int[] positions) {
        if (!cond.sameShape(empty)) {
            throw new StageException(ErrorCode.INTERNAL, "the prompt's encoding " + cond.shapeString()
                    + " and the empty prompt's " + empty.shapeString() + " differ in shape");
        }
        int l = cond.intDim(1);
        int d = cond.intDim(2);
        float[] out = cond.data().clone();
        for (int p : positions) {
            if (p < 0 || p >= l) {
                throw new StageException(ErrorCode.INTERNAL, "token row " + p + " is outside the encoding's " + l
                        + " rows");
            }
            System.arraycopy(empty.data(), p * d, out, p * d, d);
        }
        return new Tensor(cond.shape(), out);
    }

    /**
     * Runs the base and every ablation in lockstep and measures the influence.
     *
     * @param request a text-to-image request of batch 1
     * @param cancelled polled between steps
     */
    public static Result run(Pipeline pipeline, GenerationRequest request, Options options,
            BooleanSupplier cancelled) {
        if (request.initImage() != null || request.batch() != 1) {
            throw new StageException(ErrorCode.INVALID_INPUT, "influence maps take a text-to-image request of batch "
                    + "1 (this one has batch " + request.batch() + (request.initImage() != null ? " and an init "
                    + "image" : "") + ")");
        }
        int factor = pipeline.autoencoder().downsamplingFactor();
        if (request.width() % factor != 0 || request.height() % factor != 0) {
            throw new StageException(ErrorCode.INVALID_INPUT, "width and height must be multiples of " + factor
                    + " but are " + request.width() + " and " + request.height());
        }
        TokenReport tokens = pipeline.textEncoder().tokenize(request.prompt());
        List<Ablation> ablations = ablations(tokens, pipeline.textEncoder().windowLength(), options.unit());
        int k = ablations.size();
        int n = options.rerun() ? k + 1 : 1;
        Scheduler.Sampling[] samplings = new Scheduler.Sampling[n];
        Guidance.Run[] runs = new Guidance.Run[n];
        Guidance.Run[] shared = new Guidance.Run[k];
        NoiseStream[] noises = new NoiseStream[n];
        Tensor[] latents = new Tensor[n];
        Tensor[] denoised = new Tensor[n];
        for (int j = 0; j < n; j++) {
            samplings[j] = pipeline.scheduler().plan(request.steps());
            runs[j] = pipeline.guidance().start(samplings[j].iterations());
        }
        int iterations = samplings[0].iterations();
        for (int j = 0; j < k; j++) {
            shared[j] = pipeline.guidance().start(iterations);
        }
        // The texts the guidance needs over the run, encoded as the engine does: [uncond, cond] in one call.
        java.util.Set<ConditioningKind> used = java.util.EnumSet.noneOf(ConditioningKind.class);
        for (int i = 0; i < iterations; i++) {
            used.addAll(runs[0].needs(info(samplings[0], i, iterations)));
        }
        // A guidance that never runs the prompt (CFG at scale 0 skips it) leaves every word without influence: the
        // runs still go, so the maps are measured (all zero), not assumed.
        boolean promptRuns = used.contains(ConditioningKind.COND);
        List<String> texts = new ArrayList<>();
        if (used.contains(ConditioningKind.UNCOND)) {
            texts.add(request.negative());
        }
        if (promptRuns) {
            texts.add(request.prompt());
        }
        // Exactly the engine's encoder call, so the base run is the engine's run; the empty prompt separately.
        Tensor hidden = pipeline.textEncoder().encode(texts).hiddenStates();
        List<Tensor> rows = texts.size() == 1 ? List.of(hidden) : hidden.splitBatch(texts.size());
        Tensor uncond = used.contains(ConditioningKind.UNCOND) ? rows.get(0) : null;
        Tensor[] conds = new Tensor[k + 1];
        if (promptRuns) {
            Tensor cond = rows.get(rows.size() - 1);
            Tensor empty = uncond != null && request.negative().isEmpty() ? uncond
                    : pipeline.textEncoder().encode(List.of("")).hiddenStates();
            conds[0] = cond;
            for (int j = 1; j <= k; j++) {
                conds[j] = ablate(cond, empty, ablations.get(j - 1).positions());
            }
        }

        long[] shape = {1, pipeline.denoiser().latentChannels(), request.height() / factor, request.width() / factor};
        for (int j = 0; j < n; j++) {
            noises[j] = pipeline.noise().open(request.seed());
            Tensor initial = noises[j].draw(shape);
            latents[j] = scale(initial, (float) samplings[j].initNoiseSigma());
            noises[j].beginLoop(0, iterations);
        }
        int lh = (int) shape[2];
        int lw = (int) shape[3];
        float[][][] stepMaps = new float[k][iterations][];
        float[][] pixelSums = options.decodeStride() > 0 ? new float[k][] : null;
        List<Integer> decodedSteps = new ArrayList<>();
        int calls = 0;
        int rowsPerStep = 0;
        for (int i = 0; i < iterations; i++) {
            if (cancelled.getAsBoolean()) {
                throw new StageException(ErrorCode.CANCELLED, "influence run cancelled at iteration " + i + " of "
                        + iterations);
            }
            Guidance.StepInfo info = info(samplings[0], i, iterations);
            List<ConditioningKind> needs = runs[0].needs(info);
            List<Tensor> inputs = new ArrayList<>();
            List<Tensor> hiddens = new ArrayList<>();
            Tensor[] modelInputs = new Tensor[n];
            for (int j = 0; j < n; j++) {
                if (!runs[j].needs(info).equals(needs)) {
                    throw new StageException(ErrorCode.INTERNAL, "the guidance asks for different conditionings "
                            + "in runs of the same steps");
                }
                modelInputs[j] = samplings[j].scaleModelInput(latents[j], i);
                for (ConditioningKind c : needs) {
                    inputs.add(modelInputs[j]);
                    hiddens.add(c == ConditioningKind.COND ? conds[j] : uncond);
                }
            }
            // The ablations on the base run's own latents: one COND row each, sharing the base's other rows.
            boolean condRuns = needs.contains(ConditioningKind.COND);
            if (condRuns) {
                for (int j = 1; j <= k; j++) {
                    inputs.add(modelInputs[0]);
                    hiddens.add(conds[j]);
                }
            }
            rowsPerStep = Math.max(rowsPerStep, inputs.size());
            int chunk = options.maxRows() == 0 ? inputs.size() : options.maxRows();
            List<Tensor> outs = new ArrayList<>();
            for (int s = 0; s < inputs.size(); s += chunk) {
                int e = Math.min(inputs.size(), s + chunk);
                Tensor batchIn = Tensor.concatBatch(inputs.subList(s, e));
                Tensor out = pipeline.denoiser().predict(batchIn, samplings[0].timestep(i),
                        Tensor.concatBatch(hiddens.subList(s, e)));
                calls++;
                if (!out.sameShape(batchIn)) {
                    throw new StageException(ErrorCode.INTERNAL, "denoiser returned " + out.shapeString()
                            + " for input " + batchIn.shapeString());
                }
                outs.addAll(e - s == 1 ? List.of(out) : out.splitBatch(e - s));
            }
            Tensor baseGuided = null;
            Tensor baseLatents = latents[0];
            for (int j = 0; j < n; j++) {
                Map<ConditioningKind, Tensor> predictions = new EnumMap<>(ConditioningKind.class);
                for (int c = 0; c < needs.size(); c++) {
                    predictions.put(needs.get(c), outs.get(j * needs.size() + c));
                }
                Tensor guided = runs[j].combine(info, predictions, latents[j]);
                if (j == 0) {
                    baseGuided = guided;
                }
                Scheduler.Step step = samplings[j].step(guided, i, latents[j], noises[j]);
                latents[j] = step.prevSample();
                denoised[j] = step.denoised() != null ? step.denoised() : step.prevSample();
                finite(latents[j], i);
            }
            double toX0 = x0Factor(pipeline.denoiser().predictionType(), info.sigma());
            boolean decodeHere = options.decodeStride() > 0 && (iterations - 1 - i) % options.decodeStride() == 0
                    && condRuns;
            RgbImage baseX0 = decodeHere ? decode(pipeline, denoised[0]) : null;
            if (decodeHere) {
                decodedSteps.add(i + 1);
            }
            for (int j = 1; j <= k; j++) {
                if (!condRuns) {
                    shared[j - 1].combine(info, basePredictions(outs, needs), baseLatents);
                    stepMaps[j - 1][i] = new float[lw * lh];
                    continue;
                }
                Map<ConditioningKind, Tensor> predictions = basePredictions(outs, needs);
                predictions.put(ConditioningKind.COND, outs.get(n * needs.size() + j - 1));
                Tensor guided = shared[j - 1].combine(info, predictions, baseLatents);
                float[] map = distanceMap(guided, baseGuided, lw, lh);
                for (int p = 0; p < map.length; p++) {
                    map[p] *= (float) toX0;
                }
                stepMaps[j - 1][i] = map;
                if (decodeHere) {
                    // x̂0 of the ablation from the same latents: the base's x̂0 moved by the change of the output.
                    float[] x0 = denoised[0].data().clone();
                    float[] g = guided.data();
                    float[] g0 = baseGuided.data();
                    for (int q = 0; q < x0.length; q++) {
                        x0[q] -= (float) (toX0 * (g[q] - g0[q]));
                    }
                    float[] px = pixelDistance(decode(pipeline, new Tensor(denoised[0].shape(), x0)), baseX0);
                    if (pixelSums[j - 1] == null) {
                        pixelSums[j - 1] = px;
                    } else {
                        for (int q = 0; q < px.length; q++) {
                            pixelSums[j - 1][q] += px[q];
                        }
                    }
                }
            }
        }
        Tensor[] finals = new Tensor[n];
        for (int j = 0; j < n; j++) {
            finals[j] = samplings[j].resultIsDenoised() ? denoised[j] : latents[j];
        }
        // Decoded one at a time: each image is exactly what a separate run decodes.
        RgbImage base = decode(pipeline, finals[0]);
        int w = base.width();
        int h = base.height();
        List<RgbImage> images = new ArrayList<>();
        float[][] influence = new float[k][];
        float[][] outcome = options.rerun() ? new float[k][] : null;
        for (int j = 0; j < k; j++) {
            float[] sum = new float[lw * lh];
            for (float[] m : stepMaps[j]) {
                for (int p = 0; p < sum.length; p++) {
                    sum[p] += m[p];
                }
            }
            influence[j] = pixelSums != null && pixelSums[j] != null ? pixelSums[j] : upsample(sum, lw, lh, w, h);
            if (options.rerun()) {
                RgbImage img = decode(pipeline, finals[j + 1]);
                images.add(img);
                outcome[j] = pixelDistance(img, base);
            }
        }
        return new Result(request, List.copyOf(ablations), base, List.copyOf(images), influence, outcome, stepMaps,
                finals[0], List.of(finals).subList(1, n), calls, rowsPerStep, lw, lh, List.copyOf(decodedSteps));
    }

    /** The base run's predictions of a step (its rows come first). */
    private static Map<ConditioningKind, Tensor> basePredictions(List<Tensor> outs, List<ConditioningKind> needs) {
        Map<ConditioningKind, Tensor> p = new EnumMap<>(ConditioningKind.class);
        for (int c = 0; c < needs.size(); c++) {
            p.put(needs.get(c), outs.get(c));
        }
        return p;
    }

    /**
     * How a change of the (guided) model output moves the predicted clean sample at noise level σ, from the same
     * noisy latents: σ for ε-prediction (x̂0 = x − σ·ε in σ form; (x − √(1−ᾱ)·ε)/√ᾱ in ᾱ form, the same factor),
     * σ/√(1+σ²) = √(1−ᾱ) for v-prediction (x̂0 = √ᾱ·x − √(1−ᾱ)·v), 1 for sample prediction.
     */
    static double x0Factor(io.assay.sdk.diffusion.PredictionType type, double sigma) {
        return switch (type) {
            case EPSILON -> sigma;
            case V_PREDICTION -> sigma / Math.sqrt(1 + sigma * sigma);
            default -> 1.0;
        };
    }

    /** Bilinear resize of a row-major map (half-pixel centres, edges clamped). */
    static float[] upsample(float[] map, int w, int h, int ow, int oh) {
        float[] out = new float[ow * oh];
        for (int y = 0; y < oh; y++) {
            double sy = Math.max(0, Math.min(h - 1, (y + 0.5) * h / oh - 0.5));
            int y0 = (int) Math.floor(sy);
            int y1 = Math.min(h - 1, y0 + 1);
            double fy = sy - y0;
            for (int x = 0; x < ow; x++) {
                double sx = Math.max(0, Math.min(w - 1, (x + 0.5) * w / ow - 0.5));
                int x0 = (int) Math.floor(sx);
                int x1 = Math.min(w - 1, x0 + 1);
                double fx = sx - x0;
                double top = map[y0 * w + x0] * (1 - fx) + map[y0 * w + x1] * fx;
                double bot = map[y1 * w + x0] * (1 - fx) + map[y1 * w + x1] * fx;
                out[y * ow + x] = (float) (top * (1 - fy) + bot * fy);
            }
        }
        return out;
    }

    private static RgbImage decode(Pipeline pipeline, Tensor latents) {
        Tensor decoded = pipeline.autoencoder().decode(latents);
        for (float v : decoded.data()) {
            if (!Float.isFinite(v)) {
                throw new StageException(ErrorCode.MODEL_INVALID, "the autoencoder decode output holds non-finite "
                        + "values; no influence map written");
            }
        }
        return RgbImage.fromTensor(decoded, 0);
    }

    private static void finite(Tensor t, int step) {
        for (float v : t.data()) {
            if (!Float.isFinite(v)) {
                throw new StageException(ErrorCode.MODEL_INVALID, "the latents hold non-finite values after step "
                        + (step + 1) + "; stopped, no influence map written");
            }
        }
    }

    private static Guidance.StepInfo info(Scheduler.Sampling s, int i, int iterations) {
        return new Guidance.StepInfo(i, iterations, s.timestep(i), s.sigma(i));
    }

    /** Per latent position, the distance over channels of two {@code [1, C, h, w]} tensors. */
    static float[] distanceMap(Tensor a, Tensor b, int w, int h) {
        int c = a.intDim(1);
        float[] out = new float[w * h];
        float[] x = a.data();
        float[] y = b.data();
        for (int p = 0; p < w * h; p++) {
            double s = 0;
            for (int k = 0; k < c; k++) {
                double d = (double) x[k * w * h + p] - y[k * w * h + p];
                s += d * d;
            }
            out[p] = (float) Math.sqrt(s);
        }
        return out;
    }

    /** Per pixel, the Euclidean RGB distance of two images of one size. */
    public static float[] pixelDistance(RgbImage a, RgbImage b) {
        float[] out = new float[a.width() * a.height()];
        byte[] x = a.rgb();
        byte[] y = b.rgb();
        for (int p = 0; p < out.length; p++) {
            double s = 0;
            for (int c = 0; c < 3; c++) {
                double d = (x[p * 3 + c] & 0xff) - (y[p * 3 + c] & 0xff);
                s += d * d;
            }
            out[p] = (float) Math.sqrt(s);
        }
        return out;
    }

    private static Tensor scale(Tensor t, float f) {
        float[] d = t.data();
        float[] o = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            o[i] = d[i] * f;
        }
        return new Tensor(t.shape(), o);
    }
}
