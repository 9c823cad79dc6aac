package io.assay.plugins.guidance;

import io.assay.sdk.Component;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import io.assay.sdk.diffusion.Guidance;
import io.assay.sdk.tensor.Tensor;
import jakarta.inject.Inject;
import org.pf4j.Extension;

/**
 * Adaptive projected guidance (Sadat, Hilliges and Weber 2024, "Eliminating Oversaturation and Artifacts of High
 * Guidance Scales in Diffusion Models", Algorithm 1; the same steps as diffusers' {@code normalized_guidance}).
 * Per step, with {@code s} the scale, η {@code eta}, β {@code momentum}, r {@code norm-threshold}:
 * <pre>
 *   diff     = cond − uncond
 *   running  = diff + β·running          (running starts at 0, so the first step's running = diff)
 *   diff     = running
 *   diff     = diff · min(1, r / ‖diff‖)  per batch item, when r &gt; 0
 *   parallel = (diff · ĉ) ĉ,  ĉ = cond / ‖cond‖   per batch item, all non-batch dimensions flattened
 *   orth     = diff − parallel
 *   update   = orth + η·parallel
 *   out      = cond + (s − 1)·update      formulation = paper (default)
 *   out      = uncond + s·update          formulation = diffusers
 * </pre>
 * With η = 1, β = 0 and r = 0 both formulations equal CFG {@code uncond + s·(cond − uncond)}. The momentum
 * buffer is per run (it lives in the {@link Guidance.Run}). At {@code s = 1} the unconditional pass is skipped and
 * {@code cond} returned: the paper's update vanishes, and diffusers' guider also disables itself at scale 1.
 *
 * <p>Arithmetic: differences, momentum and the final sums in float32; norms accumulate in float64; the
 * projection is computed in float64 and rounded to float32, as diffusers does ({@code .double()} then
 * {@code type_as}).
 */
@Extension
@Component(name = "apg", description = "Adaptive projected guidance (Sadat et al. 2024): projection, norm threshold, momentum",
        settings = ApgSettings.class)
public final class AdaptiveProjectedGuidance implements Guidance {

    private volatile boolean closed;
    private final ApgSettings settings;

    /** Creates the component from its settings. */
    @Inject
    public AdaptiveProjectedGuidance(ApgSettings settings) {
        this.settings = settings;
    }

    @Override
    public Run start(int iterations) {
        Checks.open(closed, "apg");
        boolean paper = settings.formulation() == ApgSettings.Formulation.PAPER;
        float factor = (float) (paper ? settings.scale() - 1.0 : settings.scale());
        float eta = (float) settings.eta();
        float beta = (float) settings.momentum();
        double threshold = settings.normThreshold();
        return new GuidanceRun("apg", iterations) {
            private float[] running;

            @Override
            boolean guided(StepInfo step) {
                return settings.scale() != 1.0;
            }

            @Override
            Tensor guide(StepInfo step, Tensor uncond, Tensor cond) {
                float[] c = cond.data();
                float[] u = uncond.data();
                int n = c.length;
                if (running != null && running.length != n) {
                    throw new StageException(ErrorCode.INVALID_INPUT, "Guidance 'apg' got predictions of shape "
                            + cond.shapeString() + " at iteration " + step.iteration() + " but its momentum "
                            + "buffer holds " + running.length + " elements from an earlier step of this run");
                }
                float[] diff = new float[n];
                for (int i = 0; i < n; i++) {
                    diff[i] = c[i] - u[i];
                }
                if (running == null) {
                    running = diff.clone();
                } else {
                    for (int i = 0; i < n; i++) {
                        running[i] = diff[i] + beta * running[i];
                    }
                    System.arraycopy(running, 0, diff, 0, n);
                }
                float[] out = new float[n];
                int per = perItem(cond);
                for (int from = 0; from < n; from += per) {
                    if (threshold > 0) {
                        float scaleDown = (float) Math.min(1.0, threshold / GuidanceMath.norm(diff, from, per));
                        for (int i = from; i < from + per; i++) {
                            diff[i] *= scaleDown;
                        }
                    }
                    double condNorm = Math.max(GuidanceMath.norm(c, from, per), 1e-12);
                    double dot = 0;
                    for (int i = from; i < from + per; i++) {
                        dot += diff[i] * (c[i] / condNorm);
                    }
                    for (int i = from; i < from + per; i++) {
                        double parallel = dot * (c[i] / condNorm);
                        float par = (float) parallel;
                        float orth = (float) (diff[i] - parallel);
                        float update = orth + eta * par;
                        out[i] = (paper ? c[i] : u[i]) + factor * update;
                    }
                }
                return new Tensor(cond.shape(), out);
            }

            @Override
            String formula() {
                if (settings.scale() == 1.0) {
                    return "apg: cond (scale 1)";
                }
                String update = "update = orth + " + num(settings.eta()) + "·parallel of diff"
                        + (settings.momentum() != 0 ? " (momentum " + num(settings.momentum()) + ")" : "")
                        + (threshold > 0 ? " (norm <= " + num(threshold) + ")" : "")
                        + " along cond, diff = cond − uncond";
                return paper
                        ? "apg: cond + " + num(settings.scale() - 1.0) + "·update, " + update
                        : "apg: uncond + " + num(settings.scale()) + "·update, " + update;
            }
        };
    }

    /** Releases nothing; a closed component refuses to start runs. */
    @Override
    public void close() {
        closed = true;
    }
}
