package io.assay.plugins.curation;

import io.assay.sdk.Setting;
import java.util.List;

/**
 * Settings of {@code junk-caption}.
 *
 * @param minWords fewest words a caption needs
 * @param boilerplate captions rejected outright (compared case-insensitively after trimming)
 */
public record JunkCaptionSettings(
        @Setting(doc = "Fewest words (runs of letters) a caption needs.", defaultValue = "2", min = 0) int minWords,
        @Setting(doc = "Captions rejected as boilerplate (case-insensitive, whole caption).",
                defaultValue = "[\"click here\", \"image\", \"thumbnail\", \"photo\", \"picture\", \"logo\", "
                        + "\"untitled\", \"placeholder\", \"read more\", \"banner\"]") List<String> boilerplate) {

    /** Validates. */
    public JunkCaptionSettings {
        if (minWords < 0) {
            throw new IllegalArgumentException("'min-words' must not be negative");
        }
        boilerplate = List.copyOf(boilerplate);
    }
}
