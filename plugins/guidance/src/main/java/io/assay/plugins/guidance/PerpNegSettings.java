package io.assay.plugins.guidance;

import io.assay.sdk.Setting;

/**
 * Settings of {@code perp-neg}.
 *
 * @param scale the guidance scale {@code s}
 * @param negativeWeight the weight of a negative term written without {@code :: weight}
 * @param maxTerms the most AND terms the prompt and the negative prompt may have together
 */
public record PerpNegSettings(
        @Setting(doc = "Guidance scale s in ∅ + s·(w₀·Δ₀ + Σ wⱼ·⊥Δⱼ − Σ vᵢ·⊥Δnegᵢ)", defaultValue = "7.5", min = 0)
        double scale,
        @Setting(doc = "Weight v of a negative term written without ':: weight' (Perp-Neg's negative scale)",
                defaultValue = "1") double negativeWeight,
        @Setting(doc = "The most AND terms the prompt and the negative prompt may have together; each costs one "
                + "denoiser pass per step", defaultValue = "8", min = 1, max = 64) int maxTerms) {

    /** Validates. */
    public PerpNegSettings {
        Checks.atLeast("scale", scale, 0);
        Checks.finite("negative-weight", negativeWeight);
    }
}
