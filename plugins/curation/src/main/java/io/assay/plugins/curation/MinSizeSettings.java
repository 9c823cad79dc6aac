package io.assay.plugins.curation;

import io.assay.sdk.Setting;

/**
 * Settings of {@code min-size}.
 *
 * @param minWidth smallest width kept
 * @param minHeight smallest height kept
 * @param maxAspectRatio largest long side / short side kept
 */
public record MinSizeSettings(
        @Setting(doc = "Smallest image width kept, in pixels.", defaultValue = "64", min = 1) int minWidth,
        @Setting(doc = "Smallest image height kept, in pixels.", defaultValue = "64", min = 1) int minHeight,
        @Setting(doc = "Largest aspect ratio kept (long side / short side; 1 = square only).", defaultValue = "3",
                min = 1) double maxAspectRatio) {

    /** Validates. */
    public MinSizeSettings {
        if (minWidth < 1 || minHeight < 1) {
            throw new IllegalArgumentException("'min-width' and 'min-height' must be at least 1");
        }
        if (!(maxAspectRatio >= 1)) {
            throw new IllegalArgumentException("'max-aspect-ratio' must be at least 1, got " + maxAspectRatio);
        }
    }
}
