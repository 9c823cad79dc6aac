package io.assay.plugins.guidance;

import io.assay.sdk.Setting;

/**
 * Settings of {@code cfg}.
 *
 * @param scale the guidance scale {@code s} in {@code uncond + s·(cond − uncond)}
 * @param start where guidance starts, as a fraction of the run
 * @param stop where guidance stops, as a fraction of the run
 * @param skipUncondAtOrBelowOne whether a scale of at most 1 skips the unconditional pass and returns cond
 */
public record CfgSettings(
        @Setting(doc = "Guidance scale s in uncond + s·(cond − uncond); 0 gives the unconditional prediction, "
                + "1 the conditional one", defaultValue = "7.5", min = 0)
        double scale,
        @Setting(doc = "Fraction of the run where guidance starts: iteration i is guided when "
                + "floor(start·N) <= i < floor(stop·N) (diffusers' guider convention)", defaultValue = "0",
                min = 0, max = 1)
        double start,
        @Setting(doc = "Fraction of the run where guidance stops (exclusive); see start", defaultValue = "1",
                min = 0, max = 1)
        double stop,
        @Setting(doc = "The diffusers/sd4j shortcut: when scale <= 1, skip the unconditional pass and return cond "
                + "(diffusers turns CFG off unless guidance_scale > 1)", defaultValue = "false")
        boolean skipUncondAtOrBelowOne) {

    /** Validates ranges; messages name the key. */
    public CfgSettings {
        Checks.atLeast("scale", scale, 0);
        Checks.fraction("start", start);
        Checks.fraction("stop", stop);
        if (start > stop) {
            throw new IllegalArgumentException("'start' (" + GuidanceRun.num(start) + ") must not exceed 'stop' ("
                    + GuidanceRun.num(stop) + ")");
        }
    }
}
