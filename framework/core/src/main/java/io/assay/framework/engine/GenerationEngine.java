package io.assay.framework.engine;

import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import io.assay.sdk.diffusion.Conditioning;
import io.assay.sdk.diffusion.ConditioningKind;
import io.assay.sdk.diffusion.Guidance;
import io.assay.sdk.diffusion.NoiseStream;
import io.assay.sdk.diffusion.Scheduler;
import io.assay.sdk.tensor.RgbImage;
import io.assay.sdk.tensor.Tensor;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Drives one generation run: encode → noise → timesteps → loop { guidance needs → one batched denoiser call →
 * guidance combine → scheduler step } → decode.
 *
 * <p>The engine owns the loop, batching and buffer reuse; stages own their math. It encodes only the conditionings
 * the guidance will ask for over the whole run (so "none" never runs the text encoder on the negative prompt), and
 * lays out each denoiser batch as one block of {@code B} rows per needed conditioning, in the order the guidance
 * lists them ({@code [uncond, cond]} for CFG, as diffusers does).
 *
 * <p>Stateless and thread-safe: all run state is local to {@link #generate}.
 */
public final class GenerationEngine {

    /**
     * Runs one generation.
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
        Timer timer = new Timer();
        int factor = pipeline.autoencoder().downsamplingFactor();
        if (request.width() % factor != 0 || request.height() % factor != 0) {
            throw new StageException(ErrorCode.INVALID_INPUT, "width and height must be multiples of " + factor
                    + " for autoencoder with factor " + factor + " but are " + request.width() + " and "
                    + request.height());
        }
        int b = request.batch();
        long[] latentShape = {b, pipeline.denoiser().latentChannels(), request.height() / factor,
                request.width() / factor};

        Scheduler.Sampling sampling = pipeline.scheduler().plan(request.steps());
        int iterations = sampling.iterations();
        int first = request.initImage() == null ? 0 : sampling.firstIteration(request.steps(), request.strength());
        if (first >= iterations) {
            throw new StageException(ErrorCode.INVALID_INPUT, "strength " + request.strength() + " with "
                    + request.steps() + " steps leaves no step to run");
        }
        Guidance.Run guidance = pipeline.guidance().start(iterations);

        // Which conditionings will the run need at all? needs() is a pure function of the step.
        Set<ConditioningKind> used = EnumSet.noneOf(ConditioningKind.class);
        for (int i = first; i < iterations; i++) {
            used.addAll(guidance.needs(stepInfo(sampling, i, iterations)));
        }
        Map<ConditioningKind, Tensor> embeddings = encode(pipeline, request, used, timer);

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
            timer.add("autoencoder", s);
            if (b > 1) {
                imageLatents = Tensor.concatBatch(java.util.Collections.nCopies(b, imageLatents));
            }
            initialNoise = noise.draw(imageLatents.shape());
            latents = sampling.addNoise(imageLatents, initialNoise, first);
        }
        Tensor initialLatents = latents;
        noise.beginLoop(first, iterations);

        observer.started(iterations - first);
        Map<List<ConditioningKind>, Tensor> hiddenCache = new LinkedHashMap<>();
        Tensor lastDenoised = null;
        int calls = 0;
        for (int i = first; i < iterations; i++) {
            if (cancelled.getAsBoolean()) {
                throw new StageException(ErrorCode.CANCELLED, "Run cancelled at iteration " + i + " of "
                        + iterations);
            }
            Guidance.StepInfo info = stepInfo(sampling, i, iterations);
            List<ConditioningKind> needs = guidance.needs(info);
            if (needs.isEmpty()) {
                throw new StageException(ErrorCode.INTERNAL, "guidance asked for no conditioning at iteration " + i);
            }
            long s = System.nanoTime();
            Tensor modelInput = sampling.scaleModelInput(latents, i);
            timer.add("scheduler", s);
            Tensor hidden = hiddenCache.computeIfAbsent(List.copyOf(needs), k -> batchHidden(k, embeddings, b));
            Tensor batchInput = needs.size() == 1 ? modelInput
                    : Tensor.concatBatch(java.util.Collections.nCopies(needs.size(), modelInput));
            s = System.nanoTime();
            Tensor out = pipeline.denoiser().predict(batchInput, sampling.timestep(i), hidden);
            timer.add("denoiser", s);
            calls++;
            if (!out.sameShape(batchInput)) {
                throw new StageException(ErrorCode.INTERNAL, "denoiser returned " + out.shapeString()
                        + " for input " + batchInput.shapeString());
            }
            Map<ConditioningKind, Tensor> predictions = new EnumMap<>(ConditioningKind.class);
            List<Tensor> parts = needs.size() == 1 ? List.of(out) : out.splitBatch(needs.size());
            for (int k = 0; k < needs.size(); k++) {
                predictions.put(needs.get(k), parts.get(k));
            }
            s = System.nanoTime();
            Tensor guided = guidance.combine(info, predictions, latents);
            timer.add("guidance", s);
            double delta = Double.NaN;
            double applied = Double.NaN;
            if (predictions.containsKey(ConditioningKind.COND) && predictions.containsKey(ConditioningKind.UNCOND)) {
                delta = distance(predictions.get(ConditioningKind.COND), predictions.get(ConditioningKind.UNCOND));
                applied = distance(guided, predictions.get(ConditioningKind.UNCOND));
            }
            s = System.nanoTime();
            Scheduler.Step step = sampling.step(guided, i, latents, noise);
            timer.add("scheduler", s);
            latents = step.prevSample();
            lastDenoised = step.denoised();
            observer.stepped(new StepObserver.StepRecord(i - first, i, info.timestep(), info.sigma(), needs.size(),
                    delta, applied, latents, step.denoised()));
        }
        Tensor finalLatents = sampling.resultIsDenoised() && lastDenoised != null ? lastDenoised : latents;

        long s = System.nanoTime();
        Tensor decoded = pipeline.autoencoder().decode(finalLatents);
        timer.add("autoencoder", s);
        List<RgbImage> images = new ArrayList<>(b);
        for (int k = 0; k < decoded.dim(0); k++) {
            images.add(RgbImage.fromTensor(decoded, k));
        }
        timer.add("total", t0);
        return new GenerationResult(images, decoded, initialLatents, initialNoise, finalLatents, iterations - first,
                calls, guidance.describe(), timer.millis);
    }

    private static Guidance.StepInfo stepInfo(Scheduler.Sampling sampling, int i, int iterations) {
        return new Guidance.StepInfo(i, iterations, sampling.timestep(i), sampling.sigma(i));
    }

    /** Encodes the texts the run needs in one text-encoder call: [uncond, cond] order, as diffusers does. */
    private static Map<ConditioningKind, Tensor> encode(Pipeline pipeline, GenerationRequest request,
            Set<ConditioningKind> used, Timer timer) {
        List<ConditioningKind> kinds = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        for (ConditioningKind k : ConditioningKind.values()) {
            if (used.contains(k)) {
                kinds.add(k);
                texts.add(k == ConditioningKind.COND ? request.prompt() : request.negative());
            }
        }
        long s = System.nanoTime();
        Conditioning c = pipeline.textEncoder().encode(texts);
        timer.add("text-encoder", s);
        Tensor hidden = c.hiddenStates();
        if (hidden.dim(0) != texts.size()) {
            throw new StageException(ErrorCode.INTERNAL, "text encoder returned " + hidden.dim(0)
                    + " rows for " + texts.size() + " texts");
        }
        Map<ConditioningKind, Tensor> out = new EnumMap<>(ConditioningKind.class);
        List<Tensor> rows = texts.size() == 1 ? List.of(hidden) : hidden.splitBatch(texts.size());
        for (int k = 0; k < kinds.size(); k++) {
            out.put(kinds.get(k), rows.get(k));
        }
        return out;
    }

    /** [B rows of kind 1, B rows of kind 2, …]. */
    private static Tensor batchHidden(List<ConditioningKind> kinds, Map<ConditioningKind, Tensor> embeddings,
            int batch) {
        List<Tensor> parts = new ArrayList<>();
        for (ConditioningKind k : kinds) {
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

    private static final class Timer {
        final Map<String, Double> millis = new LinkedHashMap<>();

        void add(String stage, long startNanos) {
            millis.merge(stage, (System.nanoTime() - startNanos) / 1e6, Double::sum);
        }
    }
}
