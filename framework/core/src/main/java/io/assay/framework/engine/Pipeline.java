package io.assay.framework.engine;

import static java.util.Objects.requireNonNull;

import io.assay.sdk.diffusion.Autoencoder;
import io.assay.sdk.diffusion.Denoiser;
import io.assay.sdk.diffusion.Guidance;
import io.assay.sdk.diffusion.NoiseSource;
import io.assay.sdk.diffusion.Scheduler;
import io.assay.sdk.diffusion.TextEncoder;

/**
 * The stage instances one generation run uses. Built by the assembler (or directly in tests); the engine only reads
 * it.
 */
public record Pipeline(TextEncoder textEncoder, Denoiser denoiser, Scheduler scheduler, Guidance guidance,
        NoiseSource noise, Autoencoder autoencoder) {

    /** Requires every stage. */
    public Pipeline {
        requireNonNull(textEncoder, "textEncoder is null");
        requireNonNull(denoiser, "denoiser is null");
        requireNonNull(scheduler, "scheduler is null");
        requireNonNull(guidance, "guidance is null");
        requireNonNull(noise, "noise is null");
        requireNonNull(autoencoder, "autoencoder is null");
    }
}
