package io.assay.lib.clip;

/** What to do with prompts longer than one window. */
public enum LongPromptPolicy {
    /** Keep the first window's tokens and report the rest as dropped (Stable Diffusion's behaviour). */
    TRUNCATE,
    /** Split into windows of (window − 2) tokens, each laid out with BOS, EOS and padding (as popular UIs do). */
    CHUNK
}
