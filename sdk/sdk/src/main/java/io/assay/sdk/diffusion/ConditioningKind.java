package io.assay.sdk.diffusion;

/** Which text a denoiser pass is conditioned on. */
public enum ConditioningKind {
    /** The negative prompt, or the empty prompt when there is none. */
    UNCOND,
    /** The prompt. */
    COND
}
