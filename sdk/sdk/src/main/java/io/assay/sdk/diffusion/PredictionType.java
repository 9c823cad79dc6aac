package io.assay.sdk.diffusion;

/** What a denoiser's output means (diffusers' {@code prediction_type}). */
public enum PredictionType {
    /** The noise that was added ({@code epsilon}). */
    EPSILON,
    /** The velocity {@code v = α·ε − σ·x0} ({@code v_prediction}). */
    V_PREDICTION,
    /** The clean sample itself ({@code sample}). */
    SAMPLE
}
