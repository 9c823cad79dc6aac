package io.assay.plugins.schedulers;

import java.util.List;
import java.util.function.Function;

/**
 * One scheduler configuration key: its setting name, its diffusers {@code scheduler_config.json} key, its type,
 * how to read it from {@link SchedulerSettings}, and its Stable Diffusion 1.5 default. The per-class defaults that
 * differ (e.g. {@code timestep_spacing}) live in {@link ClassSpec}.
 */
enum ConfigKey {
    NUM_TRAIN_TIMESTEPS("num-train-timesteps", "num_train_timesteps", Type.INT, SchedulerSettings::numTrainTimesteps, 1000),
    BETA_START("beta-start", "beta_start", Type.DOUBLE, SchedulerSettings::betaStart, 0.00085),
    BETA_END("beta-end", "beta_end", Type.DOUBLE, SchedulerSettings::betaEnd, 0.012),
    BETA_SCHEDULE("beta-schedule", "beta_schedule", Type.STRING, SchedulerSettings::betaSchedule, "scaled_linear",
            "linear", "scaled_linear", "squaredcos_cap_v2"),
    STEPS_OFFSET("steps-offset", "steps_offset", Type.INT, SchedulerSettings::stepsOffset, 1),
    PREDICTION_TYPE("prediction-type", "prediction_type", Type.STRING, SchedulerSettings::predictionType, "epsilon",
            "epsilon", "v_prediction", "sample"),
    TIMESTEP_SPACING("timestep-spacing", "timestep_spacing", Type.STRING, SchedulerSettings::timestepSpacing,
            "leading", "leading", "trailing", "linspace"),
    SET_ALPHA_TO_ONE("set-alpha-to-one", "set_alpha_to_one", Type.BOOLEAN, SchedulerSettings::setAlphaToOne, false),
    CLIP_SAMPLE("clip-sample", "clip_sample", Type.BOOLEAN, SchedulerSettings::clipSample, false),
    CLIP_SAMPLE_RANGE("clip-sample-range", "clip_sample_range", Type.DOUBLE, SchedulerSettings::clipSampleRange, 1.0),
    USE_KARRAS_SIGMAS("use-karras-sigmas", "use_karras_sigmas", Type.BOOLEAN, SchedulerSettings::useKarrasSigmas,
            false),
    /** Not a config key in diffusers (it is an argument of {@code DDIMScheduler.step}), so never read from JSON. */
    ETA("eta", "", Type.DOUBLE, SchedulerSettings::eta, 0.0),
    SOLVER_ORDER("solver-order", "solver_order", Type.INT, SchedulerSettings::solverOrder, 2),
    LOWER_ORDER_FINAL("lower-order-final", "lower_order_final", Type.BOOLEAN, SchedulerSettings::lowerOrderFinal,
            true),
    ORIGINAL_INFERENCE_STEPS("original-inference-steps", "original_inference_steps", Type.INT,
            SchedulerSettings::originalInferenceSteps, 50),
    TIMESTEP_SCALING("timestep-scaling", "timestep_scaling", Type.DOUBLE, SchedulerSettings::timestepScaling, 10.0);

    /** The value types a key can have. */
    enum Type { INT, DOUBLE, BOOLEAN, STRING }

    private final String setting;
    private final String diffusersKey;
    private final Type type;
    private final Function<SchedulerSettings, Object> accessor;
    private final Object sdDefault;
    private final List<String> oneOf;

    ConfigKey(String setting, String diffusersKey, Type type, Function<SchedulerSettings, Object> accessor,
            Object sdDefault, String... oneOf) {
        this.setting = setting;
        this.diffusersKey = diffusersKey;
        this.type = type;
        this.accessor = accessor;
        this.sdDefault = sdDefault;
        this.oneOf = List.of(oneOf);
    }

    /** The config key, e.g. {@code beta-start}. */
    String setting() {
        return setting;
    }

    /** The {@code scheduler_config.json} key, or empty if the key never comes from JSON. */
    String diffusersKey() {
        return diffusersKey;
    }

    Type type() {
        return type;
    }

    /** The value set explicitly in {@code settings}, or {@code null}. */
    Object explicit(SchedulerSettings settings) {
        return accessor.apply(settings);
    }

    /** The default from Stable Diffusion 1.5's scheduler config (or the diffusers default where SD 1.5 has none). */
    Object sdDefault() {
        return sdDefault;
    }

    /** The allowed string values; empty when any value of the type is allowed. */
    List<String> oneOf() {
        return oneOf;
    }
}
