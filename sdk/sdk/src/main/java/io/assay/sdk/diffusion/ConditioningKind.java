package io.assay.sdk.diffusion;

/**
 * Which text a denoiser pass is conditioned on, in SDK 1.0 guidances ({@link Guidance.Run}); SDK 1.1 names any number
 * of conditionings with {@link ConditioningKey}, whose {@link ConditioningKey#UNCOND} and {@link ConditioningKey#COND}
 * stand for these two.
 */
public enum ConditioningKind {
    /** The negative prompt, or the empty prompt when there is none. */
    UNCOND,
    /** The prompt. */
    COND
}
