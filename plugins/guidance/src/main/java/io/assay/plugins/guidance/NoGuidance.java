package io.assay.plugins.guidance;

import io.assay.sdk.Component;
import io.assay.sdk.diffusion.Guidance;
import io.assay.sdk.tensor.Tensor;
import jakarta.inject.Inject;
import org.pf4j.Extension;

/**
 * No guidance: every step uses the conditional prediction alone, so each step costs one denoiser pass (what
 * diffusers does with {@code guidance_scale <= 1}).
 */
@Extension
@Component(name = "none", description = "No guidance: the conditional prediction, one denoiser pass per step")
public final class NoGuidance implements Guidance {

    private volatile boolean closed;
    /** Creates the component; it has no settings. */
    @Inject
    public NoGuidance() {
    }

    @Override
    public Run start(int iterations) {
        Checks.open(closed, "none");
        return new GuidanceRun("none", iterations) {
            @Override
            boolean guided(StepInfo step) {
                return false;
            }

            @Override
            Tensor guide(StepInfo step, Tensor uncond, Tensor cond) {
                throw new IllegalStateException("'none' never guides");
            }

            @Override
            String formula() {
                return "none: cond";
            }
        };
    }

    /** Releases nothing; a closed component refuses to start runs. */
    @Override
    public void close() {
        closed = true;
    }
}
