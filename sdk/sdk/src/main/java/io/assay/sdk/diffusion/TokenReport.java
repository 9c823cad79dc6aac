package io.assay.sdk.diffusion;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * How a text encoder's tokenizer received one prompt: what normalization changed, how words were split, which ids
 * the model sees and what fell outside the window.
 *
 * @param prompt the text as given
 * @param normalized the text after the tokenizer's cleaning (what is split into words)
 * @param ids the ids the model receives, every window laid out in full (e.g. 77 per window for CLIP, with BOS, EOS
 *     and padding)
 * @param tokens the token strings of all produced tokens before truncation, without BOS/EOS/padding
 * @param words each word of the normalized text with the tokens it became; a word with more than one piece was
 *     split into sub-words
 * @param dropped the token strings cut off at the window (empty when nothing was dropped)
 * @param windows how many windows {@code ids} holds (1 unless the long-prompt policy chunks)
 */
public record TokenReport(String prompt, String normalized, int[] ids, List<String> tokens, List<Word> words,
        List<String> dropped, int windows) {

    /** Validates and copies the lists. */
    public TokenReport {
        requireNonNull(prompt, "prompt is null");
        requireNonNull(normalized, "normalized is null");
        requireNonNull(ids, "ids is null");
        tokens = List.copyOf(tokens);
        words = List.copyOf(words);
        dropped = List.copyOf(dropped);
        if (windows < 1) {
            throw new IllegalArgumentException("windows must be at least 1: " + windows);
        }
    }

    /** Whether tokens were dropped at the window. */
    public boolean truncated() {
        return !dropped.isEmpty();
    }

    /**
     * One word and its pieces.
     *
     * @param text the word as split from the normalized text
     * @param pieces its tokens
     */
    public record Word(String text, List<String> pieces) {
        /** Copies the list. */
        public Word {
            requireNonNull(text, "text is null");
            pieces = List.copyOf(pieces);
        }

        /** Whether the word became more than one token. */
        public boolean split() {
            return pieces.size() > 1;
        }
    }
}
