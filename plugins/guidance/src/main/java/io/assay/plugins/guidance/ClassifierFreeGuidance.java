package io.assay.plugins.guidance;

import io.assay.sdk.Component;
import io.assay.sdk.diffusion.Guidance;
import io.assay.sdk.tensor.Tensor;
import jakarta.inject.Inject;
import org.pf4j.Extension;

/**
 * Classifier-free guidance (Ho and Salimans 2022) in the form diffusers, ComfyUI and A1111 use:
 * {@code out = uncond + s·(cond − uncond)} at every scale, so {@code s = 0} gives the unconditional prediction
 * and {@code s = 1} the conditional one.
 *
 * <ul>
 *   <li>{@code s = 1} exactly: the result is {@code cond} whatever {@code uncond} is, so the unconditional pass
 *       is skipped and {@code cond} returned bit for bit (one denoiser pass).</li>
 *   <li>{@code s = 0} exactly: the result is {@code uncond} whatever {@code cond} is, so only the unconditional
 *       pass runs on guided steps and {@code uncond} is returned bit for bit (one denoiser pass).</li>
 *   <li>{@code skip-uncond-at-or-below-one = true} (the diffusers/sd4j shortcut; diffusers enables CFG only when
 *       {@code guidance_scale > 1}): any {@code s <= 1} skips the unconditional pass and returns {@code cond}.
 *       Off by default, so a sweep over {@code s = 0, 0.5, 1, 3, …} means what the formula says.</li>
 *   <li>{@code start}/{@code stop}: iteration {@code i} of {@code N} is guided when
 *       {@code floor(start·N) <= i < floor(stop·N)} (diffusers' guider convention); other iterations need only
 *       {@code COND} and return it.</li>
 * </ul>
 *
 * <p>Arithmetic: float32, {@code d = cond − uncond; out = uncond + (float) s · d}, as torch evaluates diffusers'
 * {@code noise_pred_uncond + guidance_scale * (noise_pred_text - noise_pred_uncond)}.
 */
@Extension
@Component(name = "cfg", description = "Classifier-free guidance: uncond + s·(cond − uncond)", settings = CfgSettings.class)
public final class ClassifierFreeGuidance implements Guidance {

    private volatile boolean closed;
    private final CfgSettings settings;

    /** Creates the component from its settings. */
    @Inject
    public ClassifierFreeGuidance(CfgSettings settings) {
        this.settings = settings;
    }

    /** Whether the unconditional pass is skipped at every step because of the scale alone. */
    private boolean scaleSkipsUncond() {
        return settings.scale() == 1.0 || (settings.skipUncondAtOrBelowOne() && settings.scale() <= 1.0);
    }

    @Override
    public Run start(int iterations) {
        Checks.open(closed, "cfg");
        int first = (int) Math.floor(settings.start() * iterations);
        int end = (int) Math.floor(settings.stop() * iterations);
        float scale = (float) settings.scale();
        return new GuidanceRun("cfg", iterations) {
            @Override
            boolean guided(StepInfo step) {
                return !scaleSkipsUncond() && step.iteration() >= first && step.iteration() < end;
            }

            @Override
            boolean uncondOnly() {
                return settings.scale() == 0.0;
            }

            @Override
            Tensor guide(StepInfo step, Tensor uncond, Tensor cond) {
                return new Tensor(cond.shape(), GuidanceMath.cfg(uncond.data(), cond.data(), scale));
            }

            @Override
            String formula() {
                String s = num(settings.scale());
                if (settings.scale() == 1.0) {
                    return "cfg: cond (scale 1: uncond + 1·(cond − uncond) = cond)";
                }
                if (scaleSkipsUncond()) {
                    return "cfg: cond (scale " + s + " <= 1 with skip-uncond-at-or-below-one)";
                }
                String f = settings.scale() == 0.0 ? "cfg: uncond (scale 0: uncond + 0·(cond − uncond) = uncond)"
                        : "cfg: uncond + " + s + "·(cond − uncond)";
                if (settings.start() > 0 || settings.stop() < 1) {
                    f += " for iterations " + first + " <= i < " + end + " of " + iterations + ", cond elsewhere";
                }
                return f;
            }
        };
    }

    /** Releases nothing; a closed component refuses to start runs. */
    @Override
    public void close() {
        closed = true;
    }
}
