package io.assay.plugins.guidance;

import io.assay.sdk.Setting;

/**
 * Settings of {@code cfg-rescale}.
 *
 * @param scale the guidance scale {@code s}
 * @param rescale the rescale factor φ (diffusers' {@code guidance_rescale})
 */
public record RescaleSettings(
        @Setting(doc = "Guidance scale s in uncond + s·(cond − uncond)", defaultValue = "7.5", min = 0)
        double scale,
        @Setting(doc = "Rescale factor φ (diffusers' guidance_rescale): out = φ·cfg·(std(cond)/std(cfg)) + "
                + "(1 − φ)·cfg; 0 is plain CFG, Lin et al. recommend 0.7", defaultValue = "0.7", min = 0, max = 1)
        double rescale) {

    /** Validates ranges; messages name the key. */
    public RescaleSettings {
        Checks.atLeast("scale", scale, 0);
        Checks.fraction("rescale", rescale);
    }
}
