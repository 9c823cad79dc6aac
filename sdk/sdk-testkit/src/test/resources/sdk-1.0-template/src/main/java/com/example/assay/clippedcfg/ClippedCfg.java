package com.example.assay.clippedcfg;

import io.assay.sdk.Component;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import io.assay.sdk.diffusion.ConditioningKind;
import io.assay.sdk.diffusion.Guidance;
import io.assay.sdk.tensor.Tensor;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import org.pf4j.Extension;

/**
 * Classifier-free guidance with the guidance term clipped per element above scale 1: {@code uncond +
 * clip(s·(cond − uncond), ±limit)}. High scales then sharpen the prompt's pull without the saturated colours plain
 * CFG gives. At {@code s ≤ 1} it is plain CFG ({@code cond} at 1); with {@code uncond == cond} it returns
 * {@code cond}.
 *
 * <p>Select it in a pipeline with {@code guidance { name = clipped-cfg, scale = 12, limit = 2 }}.
 */
@Extension
@Component(name = "clipped-cfg", description = "CFG with the guidance term clipped per element",
        settings = ClippedCfgSettings.class)
public final class ClippedCfg implements Guidance {

    private final ClippedCfgSettings settings;
    private volatile boolean closed;

    /** The host injects the settings bound from the config block. */
    @Inject
    public ClippedCfg(ClippedCfgSettings settings) {
        this.settings = settings;
    }

    @Override
    public Run start(int iterations) {
        if (closed) {
            throw new StageException(ErrorCode.CLOSED, "Component 'clipped-cfg' was closed");
        }
        float s = (float) settings.scale();
        float limit = (float) settings.limit();
        return new Run() {
            @Override
            public List<ConditioningKind> needs(StepInfo step) {
                return List.of(ConditioningKind.UNCOND, ConditioningKind.COND);
            }

            @Override
            public Tensor combine(StepInfo step, Map<ConditioningKind, Tensor> predictions, Tensor sample) {
                if (closed) {
                    throw new StageException(ErrorCode.CLOSED, "Component 'clipped-cfg' was closed");
                }
                Tensor cond = predictions.get(ConditioningKind.COND);
                float[] c = cond.data();
                float[] u = predictions.get(ConditioningKind.UNCOND).data();
                float[] out = new float[c.length];
                for (int i = 0; i < c.length; i++) {
                    if (s == 1f) {
                        out[i] = c[i]; // exactly cond at scale 1, bit for bit
                    } else {
                        float g = s * (c[i] - u[i]);
                        // Only scales above 1 are clipped: they are what over-saturates.
                        out[i] = u[i] + (s > 1f ? Math.max(-limit, Math.min(limit, g)) : g);
                    }
                }
                return new Tensor(cond.shape(), out);
            }

            @Override
            public String describe() {
                return "clipped-cfg: uncond + clip(" + settings.scale() + "·(cond − uncond), ±" + settings.limit()
                        + ")";
            }
        };
    }

    @Override
    public void close() {
        closed = true;
    }
}
