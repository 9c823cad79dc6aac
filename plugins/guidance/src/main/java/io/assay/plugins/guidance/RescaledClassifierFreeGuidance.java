package io.assay.plugins.guidance;

import io.assay.sdk.Component;
import io.assay.sdk.diffusion.Guidance;
import io.assay.sdk.tensor.Tensor;
import jakarta.inject.Inject;
import org.pf4j.Extension;

/**
 * CFG with the rescale of Lin et al. 2023 ("Common Diffusion Noise Schedules and Sample Steps are Flawed",
 * §3.4), as diffusers' {@code rescale_noise_cfg} computes it:
 * <pre>
 *   cfg      = uncond + s·(cond − uncond)
 *   rescaled = cfg · (std(cond) / std(cfg))          std over all dimensions but the batch, per batch item
 *   out      = φ·rescaled + (1 − φ)·cfg
 * </pre>
 * {@code std} is Bessel-corrected like {@code torch.std} (the ratio does not depend on the correction). φ = 0 is
 * plain CFG. At {@code s = 1} the result is {@code cond} exactly and only the conditional pass runs. A batch item
 * whose {@code cfg} is constant ({@code std = 0}) is left as {@code cfg} rather than divided by zero.
 *
 * <p>Arithmetic: CFG as in {@link ClassifierFreeGuidance}; the two standard deviations accumulate in float64 and
 * are rounded to float32, the ratio and the blend are float32 (as torch computes diffusers' expression).
 */
@Extension
@Component(name = "cfg-rescale", description = "CFG with guidance rescale φ (Lin et al. 2023, diffusers' guidance_rescale)",
        settings = RescaleSettings.class)
public final class RescaledClassifierFreeGuidance implements Guidance {

    private volatile boolean closed;
    private final RescaleSettings settings;

    /** Creates the component from its settings. */
    @Inject
    public RescaledClassifierFreeGuidance(RescaleSettings settings) {
        this.settings = settings;
    }

    @Override
    public Run start(int iterations) {
        Checks.open(closed, "cfg-rescale");
        float scale = (float) settings.scale();
        float phi = (float) settings.rescale();
        float oneMinusPhi = (float) (1.0 - settings.rescale());
        return new GuidanceRun("cfg-rescale", iterations) {
            @Override
            boolean guided(StepInfo step) {
                return settings.scale() != 1.0;
            }

            @Override
            Tensor guide(StepInfo step, Tensor uncond, Tensor cond) {
                float[] c = cond.data();
                float[] out = GuidanceMath.cfg(uncond.data(), c, scale);
                int per = perItem(cond);
                for (int b = 0, from = 0; b < cond.intDim(0); b++, from += per) {
                    float stdCond = (float) GuidanceMath.std(c, from, per);
                    float stdCfg = (float) GuidanceMath.std(out, from, per);
                    if (stdCfg == 0f || !Float.isFinite(stdCond / stdCfg)) {
                        continue;
                    }
                    float ratio = stdCond / stdCfg;
                    for (int i = from; i < from + per; i++) {
                        float cfg = out[i];
                        out[i] = phi * (cfg * ratio) + oneMinusPhi * cfg;
                    }
                }
                return new Tensor(cond.shape(), out);
            }

            @Override
            String formula() {
                if (settings.scale() == 1.0) {
                    return "cfg-rescale: cond (scale 1: cfg = cond, so the rescale is the identity)";
                }
                String s = num(settings.scale());
                String p = num(settings.rescale());
                return "cfg-rescale: " + p + "·cfg·(std(cond)/std(cfg)) + (1 − " + p + ")·cfg, cfg = uncond + "
                        + s + "·(cond − uncond)";
            }
        };
    }

    /** Releases nothing; a closed component refuses to start runs. */
    @Override
    public void close() {
        closed = true;
    }
}
