package io.assay.framework.runtime;

import io.assay.framework.engine.GenerationRequest;
import io.assay.framework.engine.GenerationResult;
import io.assay.framework.settings.ValidatedConfig;
import java.util.Map;

/**
 * The AUTOMATIC1111-style {@code parameters} text ("infotext") that many tools read from PNGs:
 * <pre>
 * prompt
 * Negative prompt: …
 * Steps: 20, Sampler: Euler, CFG scale: 7.5, Seed: 42, Size: 512x512, …
 * </pre>
 */
public final class Infotext {

    /** Our scheduler names → A1111 sampler names. */
    public static final Map<String, String> SAMPLERS = Map.of(
            "ddim", "DDIM", "pndm", "PLMS", "lms", "LMS", "euler", "Euler", "euler-ancestral", "Euler a",
            "heun", "Heun", "dpmpp-2m", "DPM++ 2M", "dpmpp-2m-karras", "DPM++ 2M Karras", "lcm", "LCM");

    private Infotext() {
    }

    /** The infotext of image {@code index} of a run. */
    public static String of(ValidatedConfig v, GenerationRequest r, GenerationResult result, int index) {
        StringBuilder b = new StringBuilder(r.prompt());
        if (!r.negative().isEmpty()) {
            b.append("\nNegative prompt: ").append(r.negative());
        }
        String scheduler = v.stages().get("scheduler").canonicalName();
        b.append("\nSteps: ").append(r.steps());
        b.append(", Sampler: ").append(SAMPLERS.getOrDefault(scheduler, scheduler));
        if (v.config().hasPath("guidance.scale")) {
            b.append(", CFG scale: ").append(v.config().getValue("guidance.scale").unwrapped());
        }
        b.append(", Seed: ").append(r.seed());
        b.append(", Size: ").append(r.width()).append('x').append(r.height());
        if (r.batch() > 1) {
            b.append(", Batch size: ").append(r.batch()).append(", Batch pos: ").append(index);
        }
        if (r.initImage() != null) {
            b.append(", Denoising strength: ").append(r.strength());
        }
        if (v.config().hasPath("model.dir")) {
            b.append(", Model: ").append(java.nio.file.Paths.get(v.config().getString("model.dir")).getFileName());
        }
        b.append(", Guidance: ").append(v.stages().get("guidance").canonicalName());
        b.append(", Version: assay");
        return b.toString();
    }
}
