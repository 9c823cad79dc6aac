package io.assay.plugins.curation;

import io.assay.sdk.Setting;

/**
 * Settings of {@code near-duplicate}.
 *
 * @param maxDistance largest Hamming distance between two 64-bit difference hashes that counts as a duplicate
 * @param maxColourDistance largest quadrant mean-colour difference that still counts as a duplicate
 * @param maxPixels the decoder's pixel budget
 */
public record NearDuplicateSettings(
        @Setting(doc = "Largest Hamming distance (of 64 bits) between two images' difference hashes that makes the "
                + "later one a duplicate; 0 = identical hashes only.", defaultValue = "4", min = 0, max = 16)
        int maxDistance,
        @Setting(doc = "Largest difference, in levels (0-255), between two images' quadrant mean colours for them "
                + "to count as duplicates; 0 = compare structure only.", defaultValue = "24", min = 0, max = 255)
        int maxColourDistance,
        @Setting(doc = "Images declaring more pixels than this are unreadable (decompression bombs).",
                defaultValue = "40000000", min = 1) long maxPixels) {

    /** Validates. */
    public NearDuplicateSettings {
        if (maxDistance < 0 || maxDistance > 16) {
            throw new IllegalArgumentException("'max-distance' must be in [0, 16], got " + maxDistance);
        }
    }
}
