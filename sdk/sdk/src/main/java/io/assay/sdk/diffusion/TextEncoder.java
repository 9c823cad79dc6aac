package io.assay.sdk.diffusion;

import io.assay.sdk.Stage;
import java.util.List;

/**
 * Prompt → token ids → hidden states. Owns its tokenizer.
 *
 * <p>The empty string is the unconditional prompt. Deterministic: the same texts give bit-identical output.
 */
public interface TextEncoder extends Stage {

    /** How the tokenizer receives {@code text}; does not run the model. Never null. */
    TokenReport tokenize(String text);

    /**
     * Encodes a batch of prompts.
     *
     * @param texts one or more prompts (empty strings allowed)
     * @return hidden states {@code [texts.size(), L, hiddenSize()]} and pooled output; every prompt of one call has
     *     the same {@code L} (a chunking encoder pads the shorter prompts to the longest's window count)
     * @throws io.assay.sdk.StageException {@code INVALID_INPUT} for an empty list
     */
    Conditioning encode(List<String> texts);

    /** {@code D}, the width of the hidden states (768 for SD 1.x, 1024 for SD 2.x). */
    int hiddenSize();

    /** The length of one window in ids, including BOS/EOS (77 for CLIP). */
    int windowLength();
}
