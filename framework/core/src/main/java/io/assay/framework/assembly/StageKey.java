package io.assay.framework.assembly;

import io.assay.sdk.Stage;
import io.assay.sdk.diffusion.Autoencoder;
import io.assay.sdk.diffusion.Denoiser;
import io.assay.sdk.diffusion.Guidance;
import io.assay.sdk.diffusion.NoiseSource;
import io.assay.sdk.diffusion.Scheduler;
import io.assay.sdk.diffusion.TextEncoder;
import java.util.List;

/** The generation stages of a pipeline file: the config key of each block and the SDK interface it selects. */
public enum StageKey {
    TEXT_ENCODER("text-encoder", TextEncoder.class),
    DENOISER("denoiser", Denoiser.class),
    SCHEDULER("scheduler", Scheduler.class),
    GUIDANCE("guidance", Guidance.class),
    NOISE("noise", NoiseSource.class),
    AUTOENCODER("autoencoder", Autoencoder.class);

    /** The generation stages in the order they are created. */
    public static final List<StageKey> GENERATION = List.of(values());

    private final String key;
    private final Class<? extends Stage> type;

    StageKey(String key, Class<? extends Stage> type) {
        this.key = key;
        this.type = type;
    }

    /** The config block, e.g. {@code text-encoder}. */
    public String key() {
        return key;
    }

    /** The stage interface. */
    public Class<? extends Stage> type() {
        return type;
    }

    /** The stage of a config block, e.g. {@code text-encoder}. */
    public static StageKey of(String key) {
        for (StageKey k : values()) {
            if (k.key.equals(key)) {
                return k;
            }
        }
        throw new IllegalArgumentException("not a stage: " + key);
    }
}
