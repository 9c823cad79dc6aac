package io.assay.framework.engine;

import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import io.assay.sdk.diffusion.Autoencoder;
import io.assay.sdk.diffusion.Denoiser;
import io.assay.sdk.diffusion.Conditioning;
import io.assay.sdk.diffusion.ConditioningKey;
import io.assay.sdk.diffusion.ConditioningText;
import io.assay.sdk.diffusion.Guidance;
import io.assay.sdk.diffusion.NoiseStream;
import io.assay.sdk.diffusion.Scheduler;
import io.assay.sdk.diffusion.TextEncoder;
import io.assay.sdk.tensor.RgbImage;
import io.assay.sdk.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Drives one generation run: encode → noise → timesteps → loop { guidance needs → one batched denoiser call →
 * guidance combine → scheduler step } → decode.
 *
 * <p>The engine owns the loop, batching and buffer reuse; stages own their math. The guidance runs over named
 * conditionings ({@link Guidance#start(Guidance.Prompt, int)}, SDK 1.1; an SDK 1.0 guidance is adapted to
 * {@code uncond} = the negative prompt and {@code cond} = the prompt). The engine encodes only the conditionings the
 * guidance will ask for over the whole run (so "none" never runs the text encoder on the negative prompt), each
 * distinct text once, in one text-encoder call, and lays out each denoiser batch as one block of {@code B} rows per
 * needed conditioning, in the order the guidance lists them ({@code [uncond, cond]} for CFG, as diffusers does),
 * split into several calls when the rows exceed the denoiser's {@link Denoiser#maxBatch()}.
 *
 * <p>The three phases are also available one by one ({@link #plan}, {@link #encode}, {@link #denoise},
 * {@link #decode}), so an experiment can encode a prompt once, run a trajectory once and decode it with several
 * autoencoders; {@link #generate} is exactly their composition.
 *
 * <p>Stateless and thread-safe: all run state is local to a call.
 */
public final class GenerationEngine {

    /**
     * A planned run: the scheduler's sampling, where it starts, the guidance run and the texts it needs encoded.
     *
     * @param request what to generate
     * @param sampling the scheduler's plan
     * @param first the first iteration that runs (image-to-image skips the start)
     * @param guidance the guidance run (stateful: one per run)
     * @param texts the conditionings the run uses and their texts, in the order the guidance declared them
     *     ({@code [uncond, cond]} for an SDK 1.0 guidance)
     */
    public record Plan(GenerationRequest request, Scheduler.Sampling sampling, int first, Guidance.KeyedRun guidance,
            Map<ConditioningKey, String> texts) {
    }

    /**
     * A finished denoising loop, before decoding.
     *
     * @param initialLatents the latents the loop started from
     * @param initialNoise the unit-normal noise drawn for the start
     * @param finalLatents the latents for the decoder
     * @param iterations the loop iterations executed
     * @param denoiserCalls batched denoiser calls made
     * @param guidance what the guidance did
     * @param timingsMillis wall time per stage so far
     */
    public record Trajectory(Tensor initialLatents, Tensor initialNoise, Tensor finalLatents, int iterations,
            int denoiserCalls, String guidance, Map<String, Double> timingsMillis) {
    }

    /**
     * Runs one generation: {@link #plan}, {@link #encode}, {@link #denoise}, {@link #decode}.
     *
     * @param pipeline the stages
     * @param request what to generate
     * @param noiseOverride a stream to use instead of {@code pipeline.noise().open(seed)} (e.g. shared across the
     *     cells of an experiment), or null
     * @param observer receives every step
     * @param cancelled polled between steps; when true the run stops with {@link ErrorCode#CANCELLED}
     */
    public GenerationResult generate(Pipeline pipeline, GenerationRequest request, NoiseStream noiseOverride,
            StepObserver observer, BooleanSupplier cancelled) {
        long t0 = System.nanoTime();
        Plan plan = plan(pipeline, request);
        Map<String, Double> timings = new LinkedHashMap<>();
        Map<ConditioningKey, Tensor> embeddings = encode(pipeline.textEncoder(), plan, timings);
        Trajectory t = denoise(pipeline, plan, embeddings, noiseOverride, observer, cancelled, timings);
        return decode(pipeline.autoencoder(), t, t0);
    }

    /**
     * Plans a run: checks the size against the autoencoder, plans the scheduler and starts the guidance, and asks it
     * which conditionings the whole run will need ({@code needs} is a pure function of the step).
     */
    public Plan plan(Pipeline pipeline, GenerationRequest request) {
        int factor = pipeline.autoencoder().downsamplingFactor();
        if (request.width() % factor != 0 || request.height() % factor != 0) {
            throw new StageException(ErrorCode.INVALID_INPUT, "width and height must be multiples of " + factor
                    + " for autoencoder with factor " + factor + " but are " + request.width() + " and "
                    + request.height());
        }
        Scheduler.Sampling sampling = pipeline.scheduler().plan(request.steps());
        int iterations = sampling.iterations();
        int first = request.initImage() == null ? 0 : sampling.firstIteration(request.steps(), request.strength());
        if (first >= iterations) {
            throw new StageException(ErrorCode.INVALID_INPUT, "strength " + request.strength() + " with "
                    + request.steps() + " steps leaves no step to run");
        }
        Guidance.KeyedRun guidance = pipeline.guidance().start(new Guidance.Prompt(request.prompt(),
                request.negative()), iterations);
        if (guidance == null) {
            throw new StageException(ErrorCode.INTERNAL, "guidance returned no run from start(prompt, iterations)");
        }
        List<ConditioningText> declared = guidance.conditionings();
        if (declared == null || declared.isEmpty()) {
            throw new StageException(ErrorCode.INTERNAL, "guidance declared no conditioning for the run");
        }
        Map<ConditioningKey, String> all = new LinkedHashMap<>();
        for (ConditioningText t : declared) {
            if (t == null || all.put(t.key(), t.text()) != null) {
                throw new StageException(ErrorCode.INTERNAL, "guidance declared " + (t == null ? "a null conditioning"
                        : "the conditioning '" + t.key() + "' twice") + " in " + declared);
            }
        }
        Set<ConditioningKey> used = new HashSet<>();
        for (int i = first; i < iterations; i++) {
            used.addAll(needs(guidance, stepInfo(sampling, i, iterations), all.keySet()));
        }
        Map<ConditioningKey, String> texts = new LinkedHashMap<>();
        for (Map.Entry<ConditioningKey, String> e : all.entrySet()) {
            if (used.contains(e.getKey())) {
                texts.put(e.getKey(), e.getValue());
            }
        }
        return new Plan(request, sampling, first, guidance, Collections.unmodifiableMap(texts));
    }

    /** What the guidance needs at a step, checked: non-empty, no duplicates, every key declared. */
    private static List<ConditioningKey> needs(Guidance.KeyedRun guidance, Guidance.StepInfo info,
            Set<ConditioningKey> declared) {
        List<ConditioningKey> needs = guidance.needs(info);
        if (needs == null || needs.isEmpty()) {
            throw new StageException(ErrorCode.INTERNAL, "guidance asked for no conditioning at iteration "
                    + info.iteration());
        }
        if (needs.stream().anyMatch(java.util.Objects::isNull) || new HashSet<>(needs).size() != needs.size() || !declared.containsAll(needs)) {
            throw new StageException(ErrorCode.INTERNAL, "guidance needs " + needs + " at iteration "
                    + info.iteration() + "; expected distinct keys among the declared " + declared);
        }
        return needs;
    }

    /**
     * Encodes the texts the run needs in one text-encoder call: each distinct text once, in the order the guidance
     * declared them ({@code [uncond, cond]} for CFG, as diffusers does).
     *
     * @return each used conditioning's hidden states {@code [1, L, D]}, in {@link Plan#texts()} order
     */
    public Map<ConditioningKey, Tensor> encode(TextEncoder encoder, Plan plan, Map<String, Double> timings) {
        List<String> texts = new ArrayList<>(new LinkedHashSet<>(plan.texts().values()));
        long s = System.nanoTime();
        Conditioning c = encoder.encode(texts);
        add(timings, "text-encoder", s);
        Tensor hidden = c.hiddenStates();
        if (hidden.dim(0) != texts.size()) {
            throw new StageException(ErrorCode.INTERNAL, "text encoder returned " + hidden.dim(0)
                    + " rows for " + texts.size() + " texts");
        }
        List<Tensor> rows = texts.size() == 1 ? List.of(hidden) : hidden.splitBatch(texts.size());
        Map<ConditioningKey, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<ConditioningKey, String> e : plan.texts().entrySet()) {
            out.put(e.getKey(), rows.get(texts.indexOf(e.getValue())));
        }
        return Collections.unmodifiableMap(out);
    }

    /**
     * Runs the denoising loop of a planned run from its encoded texts.
     *
     * @param timings wall times so far (the loop adds its own)
     */
    public Trajectory denoise(Pipeline pipeline, Plan plan, Map<ConditioningKey, Tensor> embeddings,
            NoiseStream noiseOverride, StepObserver observer, BooleanSupplier cancelled, Map<String, Double> timings) {
        GenerationRequest request = plan.request();
        Scheduler.Sampling sampling = plan.sampling();
        Guidance.KeyedRun guidance = plan.guidance();
        int iterations = sampling.iterations();
        int first = plan.first();
        int b = request.batch();
        int factor = pipeline.autoencoder().downsamplingFactor();
        long[] latentShape = {b, pipeline.denoiser().latentChannels(), request.height() / factor,
                request.width() / factor};
        NoiseStream noise = noiseOverride != null ? noiseOverride : pipeline.noise().open(request.seed());
        Tensor latents;
        Tensor initialNoise;
        if (request.initImage() == null) {
            initialNoise = noise.draw(latentShape);
            latents = scale(initialNoise, (float) sampling.initNoiseSigma());
        } else {
            Tensor image = request.initImage();
            if (image.dim(2) != request.height() || image.dim(3) != request.width()) {
                throw new StageException(ErrorCode.INVALID_INPUT, "init image is " + image.dim(3) + "x"
                        + image.dim(2) + " but the request is " + request.width() + "x" + request.height());
            }
            long s = System.nanoTime();
            Tensor imageLatents = pipeline.autoencoder().encode(image, request.initSampling(), noise);
            add(timings, "autoencoder", s);
            if (b > 1) {
                imageLatents = Tensor.concatBatch(Collections.nCopies(b, imageLatents));
            }
            initialNoise = noise.draw(imageLatents.shape());
            latents = sampling.addNoise(imageLatents, initialNoise, first);
        }
        Tensor initialLatents = latents;
        noise.beginLoop(first, iterations);

        observer.conditionings(plan.texts());
        observer.started(iterations - first);
        int maxRows = maxBatch(pipeline.denoiser());
        // One hidden-state batch per distinct needs list, built once: the denoiser sees the same tensor every step.
        Map<List<ConditioningKey>, Tensor> hiddenCache = new LinkedHashMap<>();
        Tensor lastDenoised = null;
        int calls = 0;
        for (int i = first; i < iterations; i++) {
            if (cancelled.getAsBoolean()) {
                throw new StageException(ErrorCode.CANCELLED, "Run cancelled at iteration " + i + " of "
                        + iterations);
            }
            Guidance.StepInfo info = stepInfo(sampling, i, iterations);
            List<ConditioningKey> needs = needs(guidance, info, plan.texts().keySet());
            long s = System.nanoTime();
            Tensor modelInput = sampling.scaleModelInput(latents, i);
            add(timings, "scheduler", s);
            Tensor hidden = hiddenCache.computeIfAbsent(List.copyOf(needs), k -> batchHidden(k, embeddings, b));
            Tensor batchInput = needs.size() == 1 ? modelInput
                    : Tensor.concatBatch(Collections.nCopies(needs.size(), modelInput));
            s = System.nanoTime();
            Tensor out;
            if (batchInput.dim(0) <= maxRows) {
                out = predict(pipeline.denoiser(), batchInput, sampling.timestep(i), hidden);
                calls++;
            } else {
                int n = (int) batchInput.dim(0);
                List<Tensor> in = batchInput.splitBatch(n);
                List<Tensor> hs = hidden.splitBatch(n);
                List<Tensor> outs = new ArrayList<>();
                for (int from = 0; from < n; from += maxRows) {
                    int to = Math.min(n, from + maxRows);
                    Tensor chunk = to - from == 1 ? in.get(from) : Tensor.concatBatch(in.subList(from, to));
                    Tensor chunkHidden = to - from == 1 ? hs.get(from) : Tensor.concatBatch(hs.subList(from, to));
                    outs.add(predict(pipeline.denoiser(), chunk, sampling.timestep(i), chunkHidden));
                    calls++;
                }
                out = Tensor.concatBatch(outs);
            }
            add(timings, "denoiser", s);
            finite(out, "denoiser", ErrorCode.MODEL_INVALID, i - first, iterations - first);
            Map<ConditioningKey, Tensor> predictions = new LinkedHashMap<>();
            List<Tensor> parts = needs.size() == 1 ? List.of(out) : out.splitBatch(needs.size());
            for (int k = 0; k < needs.size(); k++) {
                predictions.put(needs.get(k), parts.get(k));
            }
            s = System.nanoTime();
            Tensor guided = guidance.combine(info, predictions, latents);
            add(timings, "guidance", s);
            finite(guided, "guidance", ErrorCode.INTERNAL, i - first, iterations - first);
            Tensor uncond = predictions.get(ConditioningKey.UNCOND);
            Tensor cond = predictions.get(ConditioningKey.COND);
            double delta = cond != null && uncond != null ? distance(cond, uncond) : Double.NaN;
            double applied = uncond != null ? distance(guided, uncond) : Double.NaN;
            s = System.nanoTime();
            Scheduler.Step step = sampling.step(guided, i, latents, noise);
            add(timings, "scheduler", s);
            latents = step.prevSample();
            lastDenoised = step.denoised();
            finite(latents, "scheduler", ErrorCode.INTERNAL, i - first, iterations - first);
            observer.stepped(new StepObserver.StepRecord(i - first, i, info.timestep(), info.sigma(), needs.size(),
                    delta, applied, latents, step.denoised()));
        }
        Tensor finalLatents = sampling.resultIsDenoised() && lastDenoised != null ? lastDenoised : latents;
        return new Trajectory(initialLatents, initialNoise, finalLatents, iterations - first, calls,
                guidance.describe(), timings);
    }

    /**
     * Decodes a trajectory's final latents into images.
     *
     * @param t0 when the run started ({@link System#nanoTime()}), for the total
     */
    public GenerationResult decode(Autoencoder autoencoder, Trajectory t, long t0) {
        Map<String, Double> timings = new LinkedHashMap<>(t.timingsMillis());
        long s = System.nanoTime();
        Tensor decoded = autoencoder.decode(t.finalLatents());
        add(timings, "autoencoder", s);
        finite(decoded, "autoencoder decode", ErrorCode.MODEL_INVALID, -1, 0);
        List<RgbImage> images = new ArrayList<>();
        for (int k = 0; k < decoded.dim(0); k++) {
            images.add(RgbImage.fromTensor(decoded, k));
        }
        add(timings, "total", t0);
        return new GenerationResult(images, decoded, t.initialLatents(), t.initialNoise(), t.finalLatents(),
                t.iterations(), t.denoiserCalls(), t.guidance(), timings);
    }

    private static Guidance.StepInfo stepInfo(Scheduler.Sampling sampling, int i, int iterations) {
        return new Guidance.StepInfo(i, iterations, sampling.timestep(i), sampling.sigma(i));
    }

    /** The most rows one denoiser call may take ({@link Denoiser#maxBatch()}, 0 or less = no limit). */
    private static int maxBatch(Denoiser denoiser) {
        int m = denoiser.maxBatch();
        return m <= 0 ? Integer.MAX_VALUE : m;
    }

    private static Tensor predict(Denoiser denoiser, Tensor input, double timestep, Tensor hidden) {
        Tensor out = denoiser.predict(input, timestep, hidden);
        if (out == null || !out.sameShape(input)) {
            throw new StageException(ErrorCode.INTERNAL, "denoiser returned " + (out == null ? "null"
                    : out.shapeString()) + " for input " + input.shapeString());
        }
        return out;
    }

    /**
     * Stops the run when a stage's output holds NaN or ±∞: every later step and the decoded image would be garbage
     * (an all-black PNG, reported as success), so the error names the stage and the step instead.
     *
     * @param step the 0-based step, or -1 after the loop
     */
    static void finite(Tensor t, String stage, ErrorCode code, int step, int steps) {
        float[] d = t.data();
        for (int k = 0; k < d.length; k++) {
            if (!Float.isFinite(d[k])) {
                throw new StageException(code, "the " + stage + " output holds non-finite values (" + d[k]
                        + " at element " + k + " of " + d.length + ")" + (step >= 0 ? " at step " + (step + 1)
                        + " of " + steps : "") + "; stopped, no image written");
            }
        }
    }

    /** [B rows of key 1, B rows of key 2, …]. */
    private static Tensor batchHidden(List<ConditioningKey> kinds, Map<ConditioningKey, Tensor> embeddings,
            int batch) {
        List<Tensor> parts = new ArrayList<>();
        for (ConditioningKey k : kinds) {
            Tensor e = embeddings.get(k);
            if (e == null) {
                throw new StageException(ErrorCode.INTERNAL, "guidance needs " + k + " which it did not declare"
                        + " when the run was planned");
            }
            for (int j = 0; j < batch; j++) {
                parts.add(e);
            }
        }
        return parts.size() == 1 ? parts.get(0) : Tensor.concatBatch(parts);
    }

    private static Tensor scale(Tensor t, float f) {
        float[] d = t.data();
        float[] o = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            o[i] = d[i] * f;
        }
        return new Tensor(t.shape(), o);
    }

    private static double distance(Tensor a, Tensor b) {
        float[] x = a.data();
        float[] y = b.data();
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            double d = (double) x[i] - y[i];
            s += d * d;
        }
        return Math.sqrt(s);
    }

    private static void add(Map<String, Double> timings, String stage, long startNanos) {
        timings.merge(stage, (System.nanoTime() - startNanos) / 1e6, Double::sum);
    }
}
