package io.assay.sdk.diffusion;

import static java.util.Objects.requireNonNull;

/**
 * One conditioning a guidance run declares (since SDK 1.1): its key and the text the engine encodes for it.
 *
 * @param key the conditioning's key
 * @param text the text the text encoder encodes for it (the empty string is the unconditional prompt)
 */
public record ConditioningText(ConditioningKey key, String text) {

    /** Validates. */
    public ConditioningText {
        requireNonNull(key, "key is null");
        requireNonNull(text, "text is null");
    }
}
