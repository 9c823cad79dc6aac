package io.assay.framework.serve;

import io.assay.framework.assembly.Assembled;
import io.assay.framework.assembly.PipelineAssembler;
import io.assay.framework.runtime.AssayRuntime;
import io.assay.framework.runtime.RunConfig;
import io.assay.framework.settings.ConfigLoader;
import io.assay.framework.trace.LatentPreview;
import io.assay.framework.engine.GenerationEngine;
import io.assay.framework.engine.GenerationRequest;
import io.assay.framework.engine.GenerationResult;
import io.assay.framework.engine.StepObserver;
import io.assay.framework.io.PngFiles;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import io.assay.sdk.curation.Images;
import io.assay.sdk.tensor.RgbImage;
import io.assay.sdk.tensor.Tensor;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs generation requests for the server on the shared {@link AssayRuntime}: each request gets its own validated
 * configuration and pipeline (no lock), on the runtime's model cache, so a second identical request creates no
 * session and several workers generate at once. Each run takes its own plugin lease: a plugin swapped while it runs
 * does not affect it, and the next request gets the new version.
 *
 * <p>What a request may change is decided by {@link RequestPolicy}: prompt, negative, seed, steps, size, batch,
 * guidance scale, scheduler, and non-file settings under {@code run.}, {@code scheduler.}, {@code guidance.} and
 * {@code noise.} (by the settings' declared types) — never a model, plugin, output or file setting, so no request
 * reads or writes outside the configured directories; the limits apply to the merged configuration.
 */
final class ServeGenerator {

    static final long MAX_INIT_PIXELS = 4096L * 4096;

    /**
     * A generation request, as the API receives it (null = the configuration's default).
     *
     * @param perImageSeeds whether image {@code i} of the batch is its own run with seed {@code seed + i}, as A1111
     *     does (each image reproducible alone from its reported seed), rather than one batched run from one seed
     */
    record Spec(String prompt, String negative, Long seed, Integer steps, Integer width, Integer height,
            Integer batch, Double guidance, String scheduler, Map<String, Object> overrides, String initImage,
            Double strength, boolean perImageSeeds) {

        /** A spec whose batch is one run from one seed. */
        Spec(String prompt, String negative, Long seed, Integer steps, Integer width, Integer height,
                Integer batch, Double guidance, String scheduler, Map<String, Object> overrides, String initImage,
                Double strength) {
            this(prompt, negative, seed, steps, width, height, batch, guidance, scheduler, overrides, initImage,
                    strength, false);
        }
    }

    private final AssayRuntime runtime;
    private final RequestPolicy policy;
    private volatile LatentPreview lastPreview;

    ServeGenerator(AssayRuntime runtime, RequestPolicy policy) {
        this.runtime = runtime;
        this.policy = policy;
    }

    /**
     * The overrides a spec asks for, checked: refuses what a request may not touch (naming the key), then merges
     * them over the server's configuration and checks the limits on the result (naming the setting). Runs before a
     * job is queued, so a refused request costs no worker.
     */
    List<String> prepare(Spec s) {
        // The dedicated fields against this server's limits first (clearer than the configuration's wider range) …
        policy.checkFields(s.steps(), s.batch(), s.width(), s.height());
        List<String> sets = overrides(s);
        // … then everything again on the merged configuration, where overrides have had their say.
        policy.checkRun(runtime.configure(sets).run());
        return sets;
    }

    /** The overrides a spec asks for; refuses what a request may not touch, naming the key. */
    List<String> overrides(Spec s) {
        List<String> sets = new ArrayList<>();
        if (s.prompt() != null) {
            sets.add("run.prompt=" + ConfigLoader.quote(s.prompt()));
        }
        if (s.negative() != null) {
            sets.add("run.negative=" + ConfigLoader.quote(s.negative()));
        }
        if (s.seed() != null) {
            sets.add("run.seed=" + s.seed());
        }
        if (s.steps() != null) {
            sets.add("run.steps=" + s.steps());
        }
        if (s.width() != null) {
            sets.add("run.width=" + s.width());
        }
        if (s.height() != null) {
            sets.add("run.height=" + s.height());
        }
        if (s.batch() != null) {
            sets.add("run.batch=" + s.batch());
        }
        if (s.guidance() != null) {
            sets.add("guidance.scale=" + s.guidance());
        }
        if (s.scheduler() != null) {
            sets.add("scheduler.name=" + ConfigLoader.quote(s.scheduler()));
        }
        if (s.strength() != null) {
            sets.add("run.strength=" + s.strength());
        }
        // Overrides last: they win over the dedicated fields, and the limits are checked after both are merged.
        sets.addAll(policy.overrides(s.overrides()));
        return sets;
    }

    /** Decodes a base64 image (with or without a data: prefix), refusing bombs and broken bytes. */
    static RgbImage decodeImage(String b64) {
        String s = b64.startsWith("data:") ? b64.substring(b64.indexOf(',') + 1) : b64;
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(s.trim());
        } catch (IllegalArgumentException e) {
            throw new StageException(ErrorCode.INVALID_INPUT, "init image is not valid base64");
        }
        try {
            return Images.decode(bytes, MAX_INIT_PIXELS);
        } catch (Images.UnreadableImageException e) {
            throw new StageException(ErrorCode.INVALID_INPUT, "init image: " + e.getMessage());
        }
    }

    /** Generates; reports steps and previews into the job; returns images (base64 PNG) and infotexts. */
    Map<String, Object> generate(Spec spec, Jobs.Job job) throws Exception {
        List<String> sets = overrides(spec);
        RgbImage init = spec.initImage() == null ? null : decodeImage(spec.initImage());
        RunConfig config = runtime.configure(sets);
        policy.checkRun(config.run());
        try (Assembled a = runtime.assemble(config)) {
            GenerationRequest r = runtime.request(config, a);
            Tensor initTensor = null;
            int w = r.width();
            int h = r.height();
            if (init != null) {
                if (spec.width() == null && spec.height() == null) {
                    w = init.width() / 8 * 8;
                    h = init.height() / 8 * 8;
                }
                initTensor = resize(init, w, h).toTensor();
            }
            policy.checkSize(w, h, r.batch(), r.steps());
            // A1111's batches: image i is a run of its own from seed + i; otherwise one batched run from one seed.
            int runs = spec.perImageSeeds() ? r.batch() : 1;
            int perRun = spec.perImageSeeds() ? 1 : r.batch();
            job.pluginVersions = PipelineAssembler.components(a.config()).toString();
            job.steps = r.steps() * runs;
            List<String> images = new ArrayList<>();
            List<String> infotexts = new ArrayList<>();
            List<Long> seeds = new ArrayList<>();
            GenerationRequest request = null;
            GenerationResult result = null;
            // What the CLI warns about (truncation, literal special tokens, a scheduler's ranges), in the answer.
            List<String> warnings = runtime.warnings(config, a, new GenerationRequest(r.prompt(), r.negative(),
                    r.seed(), r.steps(), w, h, perRun, initTensor, init == null ? 1.0 : config.run().strength(),
                    r.initSampling()));
            for (int run = 0; run < runs; run++) {
                request = new GenerationRequest(r.prompt(), r.negative(), r.seed() + run, r.steps(), w, h, perRun,
                        initTensor, init == null ? 1.0 : config.run().strength(), r.initSampling());
                result = run(a, request, job, run, runs);
                for (int i = 0; i < result.images().size(); i++) {
                    Map<String, String> meta = runtime.metadata(config, request, result, i, warnings);
                    images.add(Base64.getEncoder().encodeToString(PngFiles.encode(result.images().get(i), meta)));
                    infotexts.add(meta.get("parameters"));
                    seeds.add(request.seed());
                }
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("images", images);
            out.put("infotexts", infotexts);
            out.put("seed", r.seed());
            out.put("seeds", seeds);
            out.put("prompt", request.prompt());
            out.put("negative", request.negative());
            out.put("steps", request.steps());
            out.put("width", request.width());
            out.put("height", request.height());
            out.put("scheduler", a.config().stages().get("scheduler").canonicalName());
            out.put("guidanceScale", a.config().config().hasPath("guidance.scale")
                    ? a.config().config().getDouble("guidance.scale") : null);
            if (init != null) {
                out.put("strength", request.strength());
            }
            out.put("warnings", warnings);
            out.put("guidance", result.guidance());
            out.put("components", PipelineAssembler.components(a.config()));
            out.put("timingsMillis", result.timingsMillis());
            return out;
        }
    }

    /** One engine run of a job; its steps count from {@code run × steps} in the job's progress. */
    private GenerationResult run(Assembled a, GenerationRequest request, Jobs.Job job, int run, int runs)
            throws Exception {
        {
            LatentPreview preview = lastPreview;
            int offset = run * Math.max(1, job.steps / runs);
            GenerationResult result = new GenerationEngine().generate(a.pipeline(), request, null,
                    new StepObserver() {
                        @Override
                        public void started(int n) {
                            job.steps = n * runs;
                        }

                        @Override
                        public void stepped(StepRecord s) {
                            job.step = offset + s.index() + 1;
                            Tensor x0 = s.denoised() != null ? s.denoised() : s.latents();
                            try {
                                job.preview = PngFiles.dataUri(preview != null ? preview.render(x0, 0)
                                        : channels(x0));
                            } catch (java.io.IOException | RuntimeException e) {
                                job.preview = null; // a preview is a courtesy; never fail a run over it
                            }
                        }
                    }, job::shouldStop);
            lastPreview = LatentPreview.fit(result.finalLatents(), result.decoded(), 0);
            // The last preview through the map fitted on this very decode (the first run's live previews had no fit
            // yet and showed raw latent channels).
            job.preview = PngFiles.dataUri(lastPreview.render(result.finalLatents(), 0));
            return result;
        }
    }

    /** A crude preview before any run has been decoded: latent channels 0–2, each stretched to its range. */
    static RgbImage channels(Tensor x0) {
        int h = (int) x0.dim(2);
        int w = (int) x0.dim(3);
        int n = h * w;
        byte[] rgb = new byte[n * 3];
        float[] d = x0.data();
        for (int c = 0; c < 3 && c < x0.dim(1); c++) {
            float lo = Float.MAX_VALUE;
            float hi = -Float.MAX_VALUE;
            for (int p = 0; p < n; p++) {
                lo = Math.min(lo, d[c * n + p]);
                hi = Math.max(hi, d[c * n + p]);
            }
            for (int p = 0; p < n; p++) {
                rgb[p * 3 + c] = (byte) Math.round(255 * (d[c * n + p] - lo) / Math.max(1e-6f, hi - lo));
            }
        }
        return new RgbImage(w, h, rgb);
    }

    static RgbImage resize(RgbImage img, int w, int h) {
        if (img.width() == w && img.height() == h) {
            return img;
        }
        BufferedImage src = PngFiles.toBufferedImage(img);
        BufferedImage dst = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = dst.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
        g.drawImage(src, 0, 0, w, h, null);
        g.dispose();
        return PngFiles.fromBufferedImage(dst);
    }

    /** Keys of {@link Spec} the native API accepts (for unknown-field messages). */
    static final Set<String> SPEC_FIELDS = Set.of("prompt", "negative", "seed", "steps", "width", "height", "batch",
            "guidance", "scheduler", "overrides", "initImage", "strength");
}
