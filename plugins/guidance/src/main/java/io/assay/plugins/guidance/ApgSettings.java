package io.assay.plugins.guidance;

import io.assay.sdk.Setting;

/**
 * Settings of {@code apg}.
 *
 * @param scale the guidance scale
 * @param eta the weight of the update's component parallel to {@code cond}
 * @param momentum β of the running average {@code running = diff + β·running}
 * @param normThreshold the largest L2 norm (per batch item) of the update before projection; 0 turns it off
 * @param formulation which base and factor the update is applied with
 */
public record ApgSettings(
        @Setting(doc = "Guidance scale s (with eta = 1, momentum 0 and no threshold, APG equals CFG at this scale)",
                defaultValue = "7.5", min = 0)
        double scale,
        @Setting(doc = "Weight η of the update's component parallel to cond; 0 drops it (the paper's choice), "
                + "1 keeps it", defaultValue = "0")
        double eta,
        @Setting(doc = "Momentum β of the running average of cond − uncond over steps: running = diff + β·running; "
                + "0 turns it off, the paper uses negative values (reverse momentum)", defaultValue = "0",
                min = -1, max = 1)
        double momentum,
        @Setting(doc = "Norm threshold r: the update is scaled so its L2 norm per batch item is at most r; "
                + "0 turns it off (diffusers' adaptive_projected_guidance_rescale, default 15)",
                defaultValue = "15", min = 0)
        double normThreshold,
        @Setting(doc = "paper: cond + (s − 1)·update (Sadat et al., Algorithm 1); diffusers: uncond + s·update "
                + "(diffusers' AdaptiveProjectedGuidance default)", defaultValue = "paper")
        Formulation formulation) {

    /** Where the APG update is added. */
    public enum Formulation {
        /** {@code cond + (s − 1)·update}, as in the paper's algorithm. */
        PAPER,
        /** {@code uncond + s·update}, diffusers' guider with {@code use_original_formulation=False}. */
        DIFFUSERS
    }

    /** Validates ranges; messages name the key. */
    public ApgSettings {
        Checks.atLeast("scale", scale, 0);
        Checks.finite("eta", eta);
        Checks.finite("momentum", momentum);
        if (momentum < -1 || momentum > 1) {
            throw new IllegalArgumentException("'momentum' must be in [-1, 1], got " + GuidanceRun.num(momentum));
        }
        Checks.atLeast("norm-threshold", normThreshold, 0);
        if (formulation == null) {
            throw new IllegalArgumentException("'formulation' must be one of [paper, diffusers], got null");
        }
    }
}
