package io.assay.plugins.guidance;

import io.assay.sdk.Setting;

/**
 * Settings of {@code composable}.
 *
 * @param scale the guidance scale {@code s}
 * @param maxTerms the most AND terms a prompt may have
 */
public record ComposableSettings(
        @Setting(doc = "Guidance scale s in uncond + s·Σ wᵢ·(condᵢ − uncond)", defaultValue = "7.5", min = 0)
        double scale,
        @Setting(doc = "The most AND terms a prompt may have; each costs one denoiser pass per step",
                defaultValue = "8", min = 1, max = 64) int maxTerms) {

    /** Validates. */
    public ComposableSettings {
        Checks.atLeast("scale", scale, 0);
    }
}
