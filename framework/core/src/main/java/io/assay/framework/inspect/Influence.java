package io.assay.framework.inspect;

import io.assay.framework.engine.GenerationEngine;
import io.assay.framework.engine.GenerationRequest;
import io.assay.framework.engine.Pipeline;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import io.assay.sdk.diffusion.ConditioningKey;
import io.assay.sdk.diffusion.ConditioningText;
import io.assay.sdk.diffusion.Guidance;
import io.assay.sdk.diffusion.NoiseStream;
import io.assay.sdk.diffusion.Scheduler;
import io.assay.sdk.diffusion.TextEncoder;
import io.assay.sdk.diffusion.TokenReport;
import io.assay.sdk.tensor.RgbImage;
import io.assay.sdk.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Token influence by leave-one-out, for any pipeline: for each word (or token) of the prompt, the run is repeated with
 * that word's rows of the prompt's hidden states replaced by the same rows of the unconditional (empty-prompt)
 * encoding, and the change is measured against the unablated run.
 *
 * <p>The words come from the conditionings the guidance declares (SDK 1.1 {@link Guidance.KeyedRun}): CFG's prompt,
 * each {@code AND} term of a composable prompt, Perp-Neg's prompt terms — those it also declares for the prompt with
 * an empty negative prompt; a word is removed from the one conditioning it was written in. Conditionings of the
 * negative prompt and the empty prompt keep all their words.
 *
 * <p>Two kinds of map ({@link Maps}): {@code SAME_LATENTS} — at each step, the ablated conditioning is fed the
 * <em>base</em> run's noisy latents and the change of the predicted clean image is measured (where the word acts on
 * the current image); {@code RERUN} — each ablated run follows its own trajectory and the distance of its predicted
 * clean image from the base run's is measured at each step (where the run without the word diverged).
 *
 * <p>All runs advance in lockstep: each step is one batched denoiser call (or a few, when the rows exceed
 * {@link Options#maxRows}) carrying, for the base run and every re-run, the rows its guidance needs, and for the
 * same-latents maps one row per ablation whose conditioning the step needs. Each run keeps its own scheduler
 * sampling, guidance run and noise stream opened at the request's seed, so every re-run is the run
 * {@link GenerationEngine#generate} makes from the same stages with the ablated encoding; nothing hooks into the
 * model (no attention maps), only the stage contracts are used.
 */
public final class Influence {

    /** What one leave-one-out removes. */
    public enum Unit {
        /** Every token of a word at once (a split word is removed whole). */
        WORD,
        /** One token at a time. */
        TOKEN
    }

    /** Which kind of map to measure ({@code --maps}). */
    public enum Maps {
        /** Each ablated run on its own trajectory: the distance of its predicted clean image from the base run's. */
        RERUN,
        /** The ablated conditioning on the base run's latents: the change of the predicted clean image. */
        SAME_LATENTS,
        /** Both. */
        BOTH;

        /** Whether the re-run maps are measured. */
        public boolean rerun() {
            return this != SAME_LATENTS;
        }

        /** Whether the same-latents maps are measured. */
        public boolean sameLatents() {
            return this != RERUN;
        }

        /** The CLI spelling: {@code rerun}, {@code same-latents}, {@code both}. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }

        /** Parses the CLI spelling; the error names the accepted values. */
        public static Maps parse(String s) {
            for (Maps m : values()) {
                if (m.label().equals(s)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("maps must be rerun, same-latents or both, not '" + s + "'");
        }
    }

    /**
     * How to run.
     *
     * @param unit words or tokens
     * @param maxRows the most denoiser rows per call (memory); 0 = every row of a step in one call
     * @param rerun also run every ablation to the end on its own trajectory (the image without the word)
     * @param decodeStride decode the predicted clean images every this many steps, counted back from the last step,
     *     and measure the change in pixels there (0 = never: the latent maps, upsampled, are the heat maps)
     * @param maps which maps to measure; {@link Maps#RERUN} and {@link Maps#BOTH} need {@code rerun}
     * @param words the words (or tokens, as the tokenizer writes them) to leave out; empty = every one. Each left out
     *     costs its own rows per step, so naming the few of interest makes the run that much cheaper
     */
    public record Options(Unit unit, int maxRows, boolean rerun, int decodeStride, Maps maps, Set<String> words) {

        /** Options that leave out every word. */
        public Options(Unit unit, int maxRows, boolean rerun, int decodeStride, Maps maps) {
            this(unit, maxRows, rerun, decodeStride, maps, Set.of());
        }

        /** Options that measure in latent space only, same-latents maps. */
        public Options(Unit unit, int maxRows, boolean rerun) {
            this(unit, maxRows, rerun, 0);
        }

        /** Options with the same-latents maps. */
        public Options(Unit unit, int maxRows, boolean rerun, int decodeStride) {
            this(unit, maxRows, rerun, decodeStride, Maps.SAME_LATENTS);
        }

        /** Validates. */
        public Options {
            java.util.Objects.requireNonNull(unit, "unit is null");
            java.util.Objects.requireNonNull(maps, "maps is null");
            words = Set.copyOf(java.util.Objects.requireNonNull(words, "words is null"));
            if (maxRows < 0) {
                throw new IllegalArgumentException("maxRows must be 0 (all) or positive: " + maxRows);
            }
            if (decodeStride < 0) {
                throw new IllegalArgumentException("decodeStride must be 0 (never) or positive: " + decodeStride);
            }
            if (maps.rerun() && !rerun) {
                throw new IllegalArgumentException("the " + maps.label() + " maps need the re-runs; they cannot be "
                        + "measured without them (no-rerun)");
            }
        }
    }

    /**
     * One ablation.
     *
     * @param label the word or token as the tokenizer produced it
     * @param key the conditioning whose encoding loses it ({@link ConditioningKey#COND} for a plain prompt)
     * @param term the text of that conditioning (the prompt, or one {@code AND} term of it)
     * @param positions the rows of the hidden states it replaces
     */
    public record Ablation(String label, ConditioningKey key, String term, int[] positions) {

        /** An ablation of the plain prompt ({@link ConditioningKey#COND}). */
        public Ablation(String label, int[] positions) {
            this(label, ConditioningKey.COND, "", positions);
        }
    }

    /**
     * What the runs produced.
     *
     * @param request the request
     * @param ablations one per word (or token) of each prompt conditioning
     * @param base the unablated image
     * @param images the image of each ablated re-run (empty without {@link Options#rerun})
     * @param sameLatentMaps per ablation, per pixel (row-major): the same-latents change of the predicted clean latents
     *     summed over the steps ({@link #sameLatentSteps}), bilinearly upsampled from latent positions to pixels; with
     *     {@link Options#decodeStride} the RGB distance (0–441) of the decoded predicted clean images instead,
     *     summed over {@code decodedSteps} (null when not measured)
     * @param rerunMaps the same for the re-runs ({@link #rerunSteps}; null when not measured)
     * @param outcomeMaps per ablation, per pixel: the Euclidean RGB distance (0–441) of its re-run's image from the
     *     base image (null without {@link Options#rerun})
     * @param sameLatentSteps per ablation, per step, per latent position (row-major): how far leaving the word out
     *     moves the predicted clean latents from the same noisy latents of the base run — the Euclidean distance over
     *     channels of {@code x̂0(ablated) − x̂0(base)}, in latent units (null when not measured)
     * @param rerunSteps per ablation, per step, per latent position: the distance over channels of the re-run's
     *     predicted clean latents from the base run's, each on its own trajectory (null when not measured)
     * @param baseFinalLatents the base run's final latents
     * @param finalLatents each ablated re-run's final latents (empty without {@link Options#rerun})
     * @param denoiserCalls denoiser calls made (all runs together)
     * @param rowsPerStep denoiser rows per step (all runs together)
     * @param latentWidth latent width
     * @param latentHeight latent height
     * @param decodedSteps the steps whose predicted clean images were decoded for the pixel maps (empty: the maps
     *     are the latent maps upsampled)
     * @param guidance what the base run's guidance did ({@link Guidance.KeyedRun#describe()})
     */
    public record Result(GenerationRequest request, List<Ablation> ablations, RgbImage base, List<RgbImage> images,
            float[][] sameLatentMaps, float[][] rerunMaps, float[][] outcomeMaps, float[][][] sameLatentSteps,
            float[][][] rerunSteps, Tensor baseFinalLatents, List<Tensor> finalLatents, int denoiserCalls,
            int rowsPerStep, int latentWidth, int latentHeight, List<Integer> decodedSteps, String guidance) {

        /**
         * The same result drawn over another image of the same size: for a cell that shares this run's trajectory
         * but decodes its final latents with another autoencoder (the maps, measured on the latents, are the same).
         */
        public Result onImage(RgbImage image) {
            if (image.width() != base.width() || image.height() != base.height()) {
                throw new IllegalArgumentException("the image is " + image.width() + "x" + image.height()
                        + " but the influence maps are " + base.width() + "x" + base.height());
            }
            return new Result(request, ablations, image, images, sameLatentMaps, rerunMaps, outcomeMaps,
                    sameLatentSteps, rerunSteps, baseFinalLatents, finalLatents, denoiserCalls, rowsPerStep,
                    latentWidth, latentHeight, decodedSteps, guidance);
        }

        /** The kind the plain accessors read: same-latents when measured, else re-run. */
        public Maps primary() {
            return sameLatentMaps != null ? Maps.SAME_LATENTS : Maps.RERUN;
        }

        /** The kinds measured, same-latents first. */
        public List<Maps> kinds() {
            List<Maps> out = new ArrayList<>();
            if (sameLatentMaps != null) {
                out.add(Maps.SAME_LATENTS);
            }
            if (rerunMaps != null) {
                out.add(Maps.RERUN);
            }
            return out;
        }

        /** The heat maps of the {@link #primary()} kind. */
        public float[][] influenceMaps() {
            return maps(primary());
        }

        /** The per-step maps of the {@link #primary()} kind. */
        public float[][][] stepMaps() {
            return steps(primary());
        }

        /** The heat maps of one kind ({@code RERUN} or {@code SAME_LATENTS}); null when not measured. */
        public float[][] maps(Maps kind) {
            return switch (kind) {
                case RERUN -> rerunMaps;
                case SAME_LATENTS -> sameLatentMaps;
                case BOTH -> throw new IllegalArgumentException("name one kind of map, rerun or same-latents");
            };
        }

        /** The per-step maps of one kind; null when not measured. */
        public float[][][] steps(Maps kind) {
            return switch (kind) {
                case RERUN -> rerunSteps;
                case SAME_LATENTS -> sameLatentSteps;
                case BOTH -> throw new IllegalArgumentException("name one kind of map, rerun or same-latents");
            };
        }

        /** Ablation {@code j}'s total influence ({@link #primary()} kind). */
        public double total(int j) {
            return total(primary(), j);
        }

        /** Ablation {@code j}'s total of one kind: its per-step means summed over the steps. */
        public double total(Maps kind, int j) {
            double s = 0;
            for (double v : perStep(kind, j)) {
                s += v;
            }
            return s;
        }

        /** Ablation {@code j}'s re-run outcome: the mean per-pixel RGB distance of its image (NaN without it). */
        public double outcome(int j) {
            return outcomeMaps == null ? Double.NaN : HeatMaps.mean(outcomeMaps[j]);
        }

        /** Ablation {@code j}'s influence per step ({@link #primary()} kind). */
        public double[] perStep(int j) {
            return perStep(primary(), j);
        }

        /** Ablation {@code j}'s influence per step of one kind: the mean over latent positions of its step map. */
        public double[] perStep(Maps kind, int j) {
            float[][] steps = steps(kind)[j];
            double[] out = new double[steps.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = HeatMaps.mean(steps[i]);
            }
            return out;
        }

        /** The share of ablation {@code j}'s map mass ({@link #primary()} kind) on the pixels {@code mask} marks. */
        public double massShare(int j, boolean[] mask) {
            return massShare(primary(), j, mask);
        }

        /** The share of ablation {@code j}'s map mass of one kind on the pixels where {@code mask} is true. */
        public double massShare(Maps kind, int j, boolean[] mask) {
            float[] map = maps(kind)[j];
            double in = 0;
            double all = 0;
            for (int p = 0; p < mask.length; p++) {
                all += map[p];
                if (mask[p]) {
                    in += map[p];
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
     * The ablations of a run: for each conditioning the guidance declared that holds the prompt's words, its words (or
     * tokens), each with the rows it occupies in that conditioning's encoding.
     *
     * @param promptOnes the conditionings that hold the prompt's words ({@link #promptConditionings}); null = judge by
     *     the texts alone (a text of the prompt that is not a text of the negative prompt)
     */
    static List<Ablation> ablations(TextEncoder encoder, List<ConditioningText> declared,
            Set<ConditioningText> promptOnes, GenerationRequest request, Unit unit) {
        List<Ablation> out = new ArrayList<>();
        for (ConditioningText c : declared) {
            boolean prompt = promptOnes != null ? promptOnes.contains(c) : byText(c, request);
            if (!prompt) {
                continue;
            }
            for (Ablation a : ablations(encoder.tokenize(c.text()), encoder.windowLength(), unit)) {
                out.add(new Ablation(a.label(), c.key(), c.text(), a.positions()));
            }
        }
        return out;
    }

    /**
     * The conditionings that carry the prompt's words: those the guidance declares for the prompt with an empty
     * negative prompt (the negative's terms drop out; the unconditional and empty texts are left out too), or null
     * when the guidance cannot run without a negative prompt.
     */
    static Set<ConditioningText> promptConditionings(Guidance guidance, GenerationRequest request, int iterations) {
        List<ConditioningText> probe;
        try {
            probe = guidance.start(new Guidance.Prompt(request.prompt(), ""), iterations).conditionings();
        } catch (StageException e) {
            return null;
        }
        Set<ConditioningText> out = new java.util.HashSet<>();
        for (ConditioningText c : probe) {
            if (!c.key().equals(ConditioningKey.UNCOND) && !c.text().isBlank()) {
                out.add(c);
            }
        }
        return out;
    }

    /** Whether a conditioning is the prompt's judged by its text: in the prompt and not in the negative prompt. */
    static boolean byText(ConditioningText c, GenerationRequest request) {
        String t = c.text().strip();
        if (c.key().equals(ConditioningKey.UNCOND) || t.isEmpty() || !request.prompt().contains(t)) {
            return false;
        }
        return request.negative().isBlank() || !request.negative().contains(t);
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
        GenerationEngine engine = new GenerationEngine();
        boolean same = options.maps().sameLatents();
        boolean rerunMaps = options.maps().rerun();
        // The base run is planned and encoded exactly as the engine does it (one text-encoder call).
        GenerationEngine.Plan basePlan = engine.plan(pipeline, request);
        Map<ConditioningKey, Tensor> baseEmb = engine.encode(pipeline.textEncoder(), basePlan, new HashMap<>());
        List<Ablation> all = ablations(pipeline.textEncoder(), basePlan.guidance().conditionings(),
                promptConditionings(pipeline.guidance(), request, basePlan.sampling().iterations()), request,
                options.unit());
        List<Ablation> ablations = all.stream().filter(a -> options.words().isEmpty()
                || options.words().contains(a.label())).toList();
        if (ablations.isEmpty() && !options.words().isEmpty()) {
            throw new StageException(ErrorCode.INVALID_INPUT, "none of the words " + new java.util.TreeSet<>(
                    options.words()) + " is in the prompt '" + request.prompt() + "'; its " + (options.unit()
                    == Unit.TOKEN ? "tokens" : "words") + " are " + all.stream().map(Ablation::label).toList());
        }
        int k = ablations.size();
        int n = options.rerun() ? k + 1 : 1;
        GenerationEngine.Plan[] plans = new GenerationEngine.Plan[n];
        plans[0] = basePlan;
        for (int j = 1; j < n; j++) {
            plans[j] = engine.plan(pipeline, request);
        }
        GenerationEngine.Plan[] shared = new GenerationEngine.Plan[same ? k : 0];
        for (int j = 0; j < shared.length; j++) {
            shared[j] = engine.plan(pipeline, request);
        }
        Scheduler.Sampling sampling = basePlan.sampling();
        int iterations = sampling.iterations();
        // Each ablation's encoding of its conditioning: the word's rows taken from the empty prompt's encoding. A
        // conditioning the guidance never runs (CFG at scale 0 skips the prompt) leaves its words without influence:
        // the runs still go, so the maps are measured (all zero), not assumed.
        Tensor empty = null;
        for (Map.Entry<ConditioningKey, String> e : basePlan.texts().entrySet()) {
            if (e.getValue().isEmpty()) {
                empty = baseEmb.get(e.getKey());
            }
        }
        Tensor[] ablated = new Tensor[k];
        for (int j = 0; j < k; j++) {
            Tensor cond = baseEmb.get(ablations.get(j).key());
            if (cond != null) {
                if (empty == null) {
                    empty = pipeline.textEncoder().encode(List.of("")).hiddenStates();
                }
                ablated[j] = ablate(cond, empty, ablations.get(j).positions());
            }
        }
        List<Map<ConditioningKey, Tensor>> embeddings = new ArrayList<>();
        embeddings.add(baseEmb);
        for (int j = 1; j < n; j++) {
            Map<ConditioningKey, Tensor> m = new LinkedHashMap<>(baseEmb);
            if (ablated[j - 1] != null) {
                m.put(ablations.get(j - 1).key(), ablated[j - 1]);
            }
            embeddings.add(m);
        }

        int factor = pipeline.autoencoder().downsamplingFactor();
        long[] shape = {1, pipeline.denoiser().latentChannels(), request.height() / factor, request.width() / factor};
        NoiseStream[] noises = new NoiseStream[n];
        Tensor[] latents = new Tensor[n];
        Tensor[] denoised = new Tensor[n];
        for (int j = 0; j < n; j++) {
            noises[j] = pipeline.noise().open(request.seed());
            Tensor initial = noises[j].draw(shape);
            latents[j] = scale(initial, (float) plans[j].sampling().initNoiseSigma());
            noises[j].beginLoop(0, iterations);
        }
        int lh = (int) shape[2];
        int lw = (int) shape[3];
        float[][][] sameSteps = same ? new float[k][iterations][] : null;
        float[][][] rerunSteps = rerunMaps ? new float[k][iterations][] : null;
        float[][] samePixels = same && options.decodeStride() > 0 ? new float[k][] : null;
        float[][] rerunPixels = rerunMaps && options.decodeStride() > 0 ? new float[k][] : null;
        List<Integer> decodedSteps = new ArrayList<>();
        int calls = 0;
        int rowsPerStep = 0;
        for (int i = 0; i < iterations; i++) {
            if (cancelled.getAsBoolean()) {
                throw new StageException(ErrorCode.CANCELLED, "influence run cancelled at iteration " + i + " of "
                        + iterations);
            }
            Guidance.StepInfo info = info(sampling, i, iterations);
            List<ConditioningKey> needs = List.copyOf(plans[0].guidance().needs(info));
            List<Tensor> inputs = new ArrayList<>();
            List<Tensor> hiddens = new ArrayList<>();
            Tensor[] modelInputs = new Tensor[n];
            for (int j = 0; j < n; j++) {
                if (j > 0 && !plans[j].guidance().needs(info).equals(needs)) {
                    throw new StageException(ErrorCode.INTERNAL, "the guidance asks for different conditionings "
                            + "in runs of the same steps");
                }
                modelInputs[j] = plans[j].sampling().scaleModelInput(latents[j], i);
                for (ConditioningKey c : needs) {
                    Tensor h = embeddings.get(j).get(c);
                    if (h == null) {
                        throw new StageException(ErrorCode.INTERNAL, "the guidance needs '" + c + "' at iteration "
                                + i + " but did not declare it for the run");
                    }
                    inputs.add(modelInputs[j]);
                    hiddens.add(h);
                }
            }
            // Same-latents: each ablation whose conditioning runs this step gets one row on the base run's latents,
            // sharing the base's other rows.
            int[] sameRow = new int[k];
            java.util.Arrays.fill(sameRow, -1);
            for (int j = 0; j < k && same; j++) {
                if (needs.contains(ablations.get(j).key())) {
                    sameRow[j] = inputs.size();
                    inputs.add(modelInputs[0]);
                    hiddens.add(ablated[j]);
                }
            }
            rowsPerStep = Math.max(rowsPerStep, inputs.size());
            int chunk = options.maxRows() == 0 ? inputs.size() : options.maxRows();
            List<Tensor> outs = new ArrayList<>();
            for (int s = 0; s < inputs.size(); s += chunk) {
                int e = Math.min(inputs.size(), s + chunk);
                Tensor batchIn = Tensor.concatBatch(inputs.subList(s, e));
                Tensor out = pipeline.denoiser().predict(batchIn, sampling.timestep(i),
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
            Map<ConditioningKey, Tensor> basePredictions = predictions(outs, needs, 0);
            for (int j = 0; j < n; j++) {
                Tensor guided = plans[j].guidance().combine(info, predictions(outs, needs, j * needs.size()),
                        latents[j]);
                if (j == 0) {
                    baseGuided = guided;
                }
                Scheduler.Step step = plans[j].sampling().step(guided, i, latents[j], noises[j]);
                latents[j] = step.prevSample();
                denoised[j] = step.denoised() != null ? step.denoised() : step.prevSample();
                finite(latents[j], i);
            }
            boolean promptRuns = false;
            for (Ablation a : ablations) {
                promptRuns |= needs.contains(a.key());
            }
            double toX0 = x0Factor(pipeline.denoiser().predictionType(), info.sigma());
            boolean decodeHere = options.decodeStride() > 0 && (iterations - 1 - i) % options.decodeStride() == 0
                    && promptRuns;
            RgbImage baseX0 = decodeHere ? decode(pipeline, denoised[0]) : null;
            if (decodeHere) {
                decodedSteps.add(i + 1);
            }
            for (int j = 0; j < k; j++) {
                if (rerunMaps) {
                    rerunSteps[j][i] = distanceMap(denoised[j + 1], denoised[0], lw, lh);
                    if (decodeHere) {
                        rerunPixels[j] = add(rerunPixels[j], pixelDistance(decode(pipeline, denoised[j + 1]),
                                baseX0));
                    }
                }
                if (!same) {
                    continue;
                }
                Map<ConditioningKey, Tensor> predictions = new LinkedHashMap<>(basePredictions);
                if (sameRow[j] >= 0) {
                    predictions.put(ablations.get(j).key(), outs.get(sameRow[j]));
                }
                Tensor guided = shared[j].guidance().combine(info, predictions, baseLatents);
                if (sameRow[j] < 0) {
                    sameSteps[j][i] = new float[lw * lh];
                    continue;
                }
                float[] map = distanceMap(guided, baseGuided, lw, lh);
                for (int p = 0; p < map.length; p++) {
                    map[p] *= (float) toX0;
                }
                sameSteps[j][i] = map;
                if (decodeHere) {
                    // x̂0 of the ablation from the same latents: the base's x̂0 moved by the change of the output.
                    float[] x0 = denoised[0].data().clone();
                    float[] g = guided.data();
                    float[] g0 = baseGuided.data();
                    for (int q = 0; q < x0.length; q++) {
                        x0[q] -= (float) (toX0 * (g[q] - g0[q]));
                    }
                    samePixels[j] = add(samePixels[j], pixelDistance(decode(pipeline,
                            new Tensor(denoised[0].shape(), x0)), baseX0));
                }
            }
        }
        Tensor[] finals = new Tensor[n];
        for (int j = 0; j < n; j++) {
            finals[j] = plans[j].sampling().resultIsDenoised() ? denoised[j] : latents[j];
        }
        // Decoded one at a time: each image is exactly what a separate run decodes.
        RgbImage base = decode(pipeline, finals[0]);
        int w = base.width();
        int h = base.height();
        List<RgbImage> images = new ArrayList<>();
        float[][] outcome = options.rerun() ? new float[k][] : null;
        for (int j = 0; j < k && options.rerun(); j++) {
            RgbImage img = decode(pipeline, finals[j + 1]);
            images.add(img);
            outcome[j] = pixelDistance(img, base);
        }
        float[][] sameMaps = same ? heat(sameSteps, samePixels, lw, lh, w, h) : null;
        float[][] rerunHeat = rerunMaps ? heat(rerunSteps, rerunPixels, lw, lh, w, h) : null;
        return new Result(request, List.copyOf(ablations), base, List.copyOf(images), sameMaps, rerunHeat, outcome,
                sameSteps, rerunSteps, finals[0], List.of(finals).subList(1, n), calls, rowsPerStep, lw, lh,
                List.copyOf(decodedSteps), plans[0].guidance().describe());
    }

    /** Per ablation, the decoded pixel sums when there are any, else the step maps summed and upsampled. */
    private static float[][] heat(float[][][] steps, float[][] pixels, int lw, int lh, int w, int h) {
        float[][] out = new float[steps.length][];
        for (int j = 0; j < steps.length; j++) {
            if (pixels != null && pixels[j] != null) {
                out[j] = pixels[j];
                continue;
            }
            float[] sum = new float[lw * lh];
            for (float[] m : steps[j]) {
                for (int p = 0; p < sum.length; p++) {
                    sum[p] += m[p];
                }
            }
            out[j] = upsample(sum, lw, lh, w, h);
        }
        return out;
    }

    private static float[] add(float[] sum, float[] more) {
        if (sum == null) {
            return more;
        }
        for (int q = 0; q < more.length; q++) {
            sum[q] += more[q];
        }
        return sum;
    }

    /** One run's predictions of a step: its rows start at {@code from}, one per needed key. */
    private static Map<ConditioningKey, Tensor> predictions(List<Tensor> outs, List<ConditioningKey> needs, int from) {
        Map<ConditioningKey, Tensor> p = new LinkedHashMap<>();
        for (int c = 0; c < needs.size(); c++) {
            p.put(needs.get(c), outs.get(from + c));
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

    /**
     * The foreground of a picture on a plain background: the pixels whose colour is farther than 60 (RGB distance)
     * from the median colour of the border, per channel (the embedded world's judge's rule). The concentration of a
     * map is its mass share on these pixels ({@link Result#massShare(Maps, int, boolean[])}).
     */
    public static boolean[] foreground(RgbImage img) {
        int w = img.width();
        int h = img.height();
        int[] bg = new int[3];
        for (int c = 0; c < 3; c++) {
            List<Integer> border = new ArrayList<>();
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    if (x == 0 || y == 0 || x == w - 1 || y == h - 1) {
                        border.add(img.get(x, y, c));
                    }
                }
            }
            border.sort(null);
            bg[c] = border.get(border.size() / 2);
        }
        boolean[] mask = new boolean[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double d = 0;
                for (int c = 0; c < 3; c++) {
                    double e = img.get(x, y, c) - bg[c];
                    d += e * e;
                }
                mask[y * w + x] = d > 60 * 60;
            }
        }
        return mask;
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
