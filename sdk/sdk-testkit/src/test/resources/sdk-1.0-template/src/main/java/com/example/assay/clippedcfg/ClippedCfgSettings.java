package com.example.assay.clippedcfg;

import io.assay.sdk.Setting;

/**
 * Settings of {@code clipped-cfg}. Keys are the kebab-case of the component names ({@code scale}, {@code limit});
 * every one is documented and has a default, so an empty config block is valid.
 *
 * @param scale the guidance scale s
 * @param limit the largest magnitude of s·(cond − uncond) per element
 */
public record ClippedCfgSettings(
        @Setting(doc = "Guidance scale s in uncond + clip(s·(cond − uncond)).", defaultValue = "7.5", min = 0)
        double scale,
        @Setting(doc = "Largest magnitude of the guidance term per element; large values give plain CFG.",
                defaultValue = "4", min = 0) double limit) {

    /** Validates: the host shows the message with the config file and line. */
    public ClippedCfgSettings {
        if (!(scale >= 0)) {
            throw new IllegalArgumentException("'scale' must be at least 0, got " + scale);
        }
        if (!(limit > 0)) {
            throw new IllegalArgumentException("'limit' must be positive, got " + limit);
        }
    }
}
