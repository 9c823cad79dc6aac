package io.assay.framework.trace;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.assay.framework.engine.GenerationResult;
import io.assay.framework.io.PngFiles;
import io.assay.framework.engine.StepObserver;
import io.assay.framework.io.AtomicFiles;
import io.assay.sdk.TraceSink;
import io.assay.sdk.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects one run's trace: what each stage reported through its {@link TraceSink} (token reports, embedding
 * statistics …) and, per loop iteration, the timestep, σ, the number of conditionings, the guidance delta norm and
 * statistics of the latents and of the predicted clean latents. Written as {@code trace.json}
 * (schema: {@code docs/trace-schema.md}).
 */
public final class RunTraceRecorder implements StepObserver {

    /** The trace format version. */
    public static final int SCHEMA_VERSION = 1;

    private final Map<String, Object> run = new LinkedHashMap<>();
    private final List<Map<String, Object>> events = new ArrayList<>();
    private final List<Map<String, Object>> steps = new ArrayList<>();
    private final List<Tensor> denoised = new ArrayList<>();
    private final long startNanos = System.nanoTime();

    /** Run-level facts (components, request) added by the caller. */
    public void put(String key, Object value) {
        run.put(key, value);
    }

    /** A sink for one stage: its events are kept with the stage and component names. */
    public TraceSink sink(String stage, String component) {
        return new TraceSink() {
            @Override
            public boolean enabled() {
                return true;
            }

            @Override
            public void record(String event, Map<String, ?> fields) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("stage", stage);
                e.put("component", component);
                e.put("event", event);
                e.put("millis", (System.nanoTime() - startNanos) / 1e6);
                e.put("fields", new LinkedHashMap<>(fields));
                synchronized (events) {
                    events.add(e);
                }
            }
        };
    }

    /** The events one stage has recorded so far (copies), e.g. to carry a shared encoding's report to another run. */
    public List<Map<String, Object>> events(String stage) {
        synchronized (events) {
            return events.stream().filter(e -> stage.equals(e.get("stage"))).map(LinkedHashMap::new)
                    .map(m -> (Map<String, Object>) m).toList();
        }
    }

    /**
     * Adds events another run recorded (a text encoding computed once and shared), each marked
     * {@code "reused": true} so a reader knows the stage did not run again for this trace.
     */
    public void replay(List<Map<String, Object>> recorded) {
        synchronized (events) {
            for (Map<String, Object> e : recorded) {
                Map<String, Object> copy = new LinkedHashMap<>(e);
                copy.put("millis", (System.nanoTime() - startNanos) / 1e6);
                copy.put("reused", true);
                events.add(copy);
            }
        }
    }

    /** Records each conditioning the run encoded ({@code key}, {@code text}) under {@code conditionings}. */
    @Override
    public void conditionings(Map<io.assay.sdk.diffusion.ConditioningKey, String> texts) {
        List<Map<String, Object>> out = new ArrayList<>();
        texts.forEach((k, t) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("key", k.name());
            m.put("text", t);
            out.add(m);
        });
        run.put("conditionings", out);
    }

    @Override
    public void stepped(StepRecord s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("index", s.index());
        m.put("iteration", s.iteration());
        m.put("timestep", s.timestep());
        m.put("sigma", s.sigma());
        m.put("conditionings", s.conditionings());
        m.put("guidanceDeltaNorm", Double.isNaN(s.guidanceDeltaNorm()) ? null : s.guidanceDeltaNorm());
        m.put("appliedGuidanceNorm", Double.isNaN(s.appliedGuidanceNorm()) ? null : s.appliedGuidanceNorm());
        m.put("latents", stats(s.latents()));
        m.put("denoised", s.denoised() == null ? null : stats(s.denoised()));
        steps.add(m);
        denoised.add(s.denoised() != null ? s.denoised() : s.latents());
    }

    /** Mean, standard deviation and L2 norm of a tensor. */
    public static Map<String, Object> stats(Tensor t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("shape", t.shape());
        m.put("mean", t.mean());
        m.put("std", t.std());
        m.put("l2", t.l2Norm());
        return m;
    }

    /**
     * Writes {@code <name>.trace.json} and the page {@code <name>.trace.html} beside it, both atomically. Each step
     * carries a small preview of the predicted clean image (first image of the batch): the latents through an affine
     * latent→RGB map fitted on this run's final decode ({@link LatentPreview}), as a PNG data URI.
     *
     * @param file the JSON file (ends with {@code .trace.json})
     * @param result the run's result
     * @param image the image file the page shows as the final result (relative to the trace), or null
     */
    public void write(Path file, GenerationResult result, String image) throws IOException {
        LatentPreview preview = LatentPreview.fit(result.finalLatents(), result.decoded(), 0);
        for (int i = 0; i < steps.size() && i < denoised.size(); i++) {
            steps.get(i).put("preview", PngFiles.dataUri(preview.render(denoised.get(i), 0)));
        }
        run.put("previewOf", "predicted clean latents (x0) per step, through a latent→RGB map fitted on the final "
                + "decode; first image of the batch");
        if (image != null) {
            run.put("image", image);
        }
        byte[] json = json(result);
        AtomicFiles.write(file, json);
        String name = file.getFileName().toString().replaceFirst("\\.json$", "") + ".html";
        AtomicFiles.writeString(file.resolveSibling(name), TracePage.html(new String(json,
                java.nio.charset.StandardCharsets.UTF_8)));
    }

    private byte[] json(GenerationResult result) throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("schema", "assay-trace");
        root.put("version", SCHEMA_VERSION);
        root.put("run", run);
        Map<String, Object> res = new LinkedHashMap<>();
        res.put("iterations", result.iterations());
        res.put("denoiserCalls", result.denoiserCalls());
        res.put("guidance", result.guidance());
        res.put("initialNoise", stats(result.initialNoise()));
        res.put("finalLatents", stats(result.finalLatents()));
        res.put("decoded", stats(result.decoded()));
        res.put("timingsMillis", result.timingsMillis());
        root.put("result", res);
        root.put("events", events);
        root.put("steps", steps);
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        return mapper.writeValueAsBytes(root);
    }
}
