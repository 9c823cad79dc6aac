package io.assay.plugins.guidance;

import io.assay.sdk.Setting;

/**
 * Settings of {@code cfg-interval}.
 *
 * @param scale the guidance scale inside the interval
 * @param sigmaLow the interval's lower end (exclusive)
 * @param sigmaHigh the interval's upper end (inclusive)
 */
public record IntervalSettings(
        @Setting(doc = "Guidance scale s in uncond + s·(cond − uncond), applied inside the interval",
                defaultValue = "7.5", min = 0)
        double scale,
        @Setting(doc = "Lower end of the guidance interval in σ (exclusive): a step is guided when "
                + "sigma-low < σ <= sigma-high", defaultValue = "0.28", min = 0)
        double sigmaLow,
        @Setting(doc = "Upper end of the guidance interval in σ (inclusive); the paper's Stable Diffusion XL value "
                + "is 5.42", defaultValue = "5.42", min = 0)
        double sigmaHigh) {

    /** Validates ranges; messages name the key. */
    public IntervalSettings {
        Checks.atLeast("scale", scale, 0);
        Checks.atLeast("sigma-low", sigmaLow, 0);
        Checks.atLeast("sigma-high", sigmaHigh, 0);
        if (sigmaLow >= sigmaHigh) {
            throw new IllegalArgumentException("'sigma-low' (" + GuidanceRun.num(sigmaLow)
                    + ") must be less than 'sigma-high' (" + GuidanceRun.num(sigmaHigh) + ")");
        }
    }
}
