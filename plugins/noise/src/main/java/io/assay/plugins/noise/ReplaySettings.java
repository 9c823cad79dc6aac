package io.assay.plugins.noise;

import io.assay.sdk.Setting;
import java.nio.file.Path;

/**
 * Settings of the {@code replay} noise source.
 *
 * @param initial the {@code .npy} served by the stream's first draw (the initial latents, unit normal)
 * @param steps an optional {@code .npy} of shape {@code [n, …]}: entry {@code i} is the noise of loop iteration
 *     {@code i}
 */
public record ReplaySettings(
        @Setting(doc = "The .npy served as the first draw (the unit-normal initial latents, e.g. init_latents.npy); "
                + "a relative path resolves against the config file's directory")
        Path initial,
        @Setting(doc = "An optional .npy of shape [n, ...] whose entry i is the noise drawn at loop iteration i "
                + "(e.g. step_noise.npy); later sequential draws take its entries in order")
        Path steps) {

    /** Checks that {@code initial} is set. */
    public ReplaySettings {
        if (initial == null) {
            throw new IllegalArgumentException("'initial' is required: the .npy file whose data the first draw "
                    + "returns (e.g. init_latents.npy)");
        }
    }
}
