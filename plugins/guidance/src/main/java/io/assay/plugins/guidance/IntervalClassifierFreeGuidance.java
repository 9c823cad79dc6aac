package io.assay.plugins.guidance;

import io.assay.sdk.Component;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import io.assay.sdk.diffusion.Guidance;
import io.assay.sdk.tensor.Tensor;
import jakarta.inject.Inject;
import org.pf4j.Extension;

/**
 * Guidance in a limited interval (Kynkäänniemi et al. 2024, "Applying Guidance in a Limited Interval Improves
 * Sample and Distribution Quality in Diffusion Models"): CFG {@code uncond + s·(cond − uncond)} on steps whose
 * noise level {@link Guidance.StepInfo#sigma() σ} satisfies {@code sigma-low < σ <= sigma-high} (the paper's
 * half-open interval), the conditional prediction alone (one denoiser pass) elsewhere.
 *
 * <p>Defaults {@code (0.28, 5.42]} are the interval the paper reports for Stable Diffusion XL; the paper gives no
 * SD 1.x interval, and SD 1.x uses the same σ range (about 0.03 to 14.6), so they are a reasonable start, not a
 * tuned value. σ is the scheduler's {@code sqrt((1 − ᾱ)/ᾱ)} of the step, so the interval means the same for every
 * scheduler.
 */
@Extension
@Component(name = "cfg-interval", description = "CFG only while sigma-low < σ <= sigma-high (Kynkäänniemi et al. 2024)",
        settings = IntervalSettings.class)
public final class IntervalClassifierFreeGuidance implements Guidance {

    private volatile boolean closed;
    private final IntervalSettings settings;

    /** Creates the component from its settings. */
    @Inject
    public IntervalClassifierFreeGuidance(IntervalSettings settings) {
        this.settings = settings;
    }

    @Override
    public Run start(int iterations) {
        Checks.open(closed, "cfg-interval");
        float scale = (float) settings.scale();
        return new GuidanceRun("cfg-interval", iterations) {
            @Override
            boolean guided(StepInfo step) {
                double sigma = step.sigma();
                if (Double.isNaN(sigma)) {
                    throw new StageException(ErrorCode.INVALID_INPUT, "Guidance 'cfg-interval' got σ = NaN at "
                            + "iteration " + step.iteration() + "; it needs the scheduler's noise level");
                }
                return settings.scale() != 1.0 && sigma > settings.sigmaLow() && sigma <= settings.sigmaHigh();
            }

            @Override
            Tensor guide(StepInfo step, Tensor uncond, Tensor cond) {
                return new Tensor(cond.shape(), GuidanceMath.cfg(uncond.data(), cond.data(), scale));
            }

            @Override
            String formula() {
                if (settings.scale() == 1.0) {
                    return "cfg-interval: cond (scale 1)";
                }
                return "cfg-interval: uncond + " + num(settings.scale()) + "·(cond − uncond) while "
                        + num(settings.sigmaLow()) + " < σ <= " + num(settings.sigmaHigh()) + ", cond elsewhere";
            }
        };
    }

    /** Releases nothing; a closed component refuses to start runs. */
    @Override
    public void close() {
        closed = true;
    }
}
