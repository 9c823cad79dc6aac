package io.assay.plugins.schedulers;

import io.assay.sdk.Setting;
import java.nio.file.Path;

/**
 * The settings every scheduler of this plugin takes. They mirror the keys of diffusers'
 * {@code scheduler_config.json} (kebab-case here; {@link ConfigKey} names the JSON key). They declare no
 * {@link Setting#diffusersKey()} on purpose: the plugin reads the file itself, so that it can say where each value came
 * from and refuse an explicit setting the chosen class does not use while ignoring the file's other keys as diffusers
 * does; a host filling settings from the file (SDK 1.1) would make the file's values look explicit.
 *
 * <p>Every value is optional ({@code null} when unset). Each key resolves as: this setting if given, else the
 * value in {@code <model-dir>/scheduler/scheduler_config.json} if {@link #modelDir()} is set and that file exists,
 * else the scheduler's own default (Stable Diffusion 1.5's scheduler config, plus the diffusers class's default for
 * keys SD 1.5 does not set, such as {@code timestep_spacing}). A setting that the chosen scheduler does not use is
 * refused rather than ignored; see {@link SchedulerConfig} for the rules and the plugin README for which scheduler
 * uses which key.
 *
 * @param numTrainTimesteps training timesteps of the noise schedule
 * @param betaStart first beta of the schedule
 * @param betaEnd last beta of the schedule
 * @param betaSchedule how betas go from start to end
 * @param stepsOffset offset added to the inference timesteps ({@code leading} spacing)
 * @param predictionType what the denoiser predicts
 * @param timestepSpacing how inference timesteps are picked from the training timesteps
 * @param setAlphaToOne whether the step past t = 0 uses alpha-bar 1 (else alpha-bar at t = 0)
 * @param clipSample whether the predicted clean sample is clipped
 * @param clipSampleRange the clipping bound
 * @param useKarrasSigmas whether to use the Karras et al. (2022) sigma schedule
 * @param eta DDIM's noise weight (0 = deterministic DDIM)
 * @param solverOrder DPM-Solver's order
 * @param lowerOrderFinal whether DPM-Solver drops to lower orders for the last steps of short runs
 * @param originalInferenceSteps LCM's distillation schedule length
 * @param timestepScaling LCM's boundary-condition timestep scale
 * @param modelDir a diffusers model directory whose {@code scheduler/scheduler_config.json} supplies defaults
 */
public record SchedulerSettings(
        @Setting(doc = "Training timesteps of the noise schedule (SD 1.5: 1000).", defaultValue = "", min = 1)
        Integer numTrainTimesteps,
        @Setting(doc = "First beta of the noise schedule (SD 1.5: 0.00085).", defaultValue = "")
        Double betaStart,
        @Setting(doc = "Last beta of the noise schedule (SD 1.5: 0.012).", defaultValue = "")
        Double betaEnd,
        @Setting(doc = "Beta schedule (SD 1.5: scaled_linear).", defaultValue = "",
                oneOf = {"linear", "scaled_linear", "squaredcos_cap_v2"})
        String betaSchedule,
        @Setting(doc = "Offset added to the inference timesteps (SD 1.5: 1).", defaultValue = "", min = 0)
        Integer stepsOffset,
        @Setting(doc = "What the denoiser predicts (SD 1.5: epsilon).", defaultValue = "",
                oneOf = {"epsilon", "v_prediction", "sample"})
        String predictionType,
        @Setting(doc = "How inference timesteps are spaced (default: the diffusers class's own).", defaultValue = "",
                oneOf = {"leading", "trailing", "linspace"})
        String timestepSpacing,
        @Setting(doc = "Use alpha-bar 1 for the step past t=0 (DDIM, PNDM, LCM; SD 1.5: false).", defaultValue = "")
        Boolean setAlphaToOne,
        @Setting(doc = "Clip the predicted clean sample (DDIM, Heun, LCM; SD 1.5: false).", defaultValue = "")
        Boolean clipSample,
        @Setting(doc = "Bound for clip-sample (default 1.0).", defaultValue = "", min = 0)
        Double clipSampleRange,
        @Setting(doc = "Use Karras sigmas (LMS, Euler, Heun, DPM-Solver; default false, true for dpmpp-2m-karras).",
                defaultValue = "")
        Boolean useKarrasSigmas,
        @Setting(doc = "DDIM noise weight: 0 is deterministic DDIM, 1 is DDPM-like (default 0).", defaultValue = "",
                min = 0)
        Double eta,
        @Setting(doc = "DPM-Solver order, 1 to 3 (default 2).", defaultValue = "", min = 1, max = 3)
        Integer solverOrder,
        @Setting(doc = "DPM-Solver: lower the order for the final steps of runs under 15 steps (default true).",
                defaultValue = "")
        Boolean lowerOrderFinal,
        @Setting(doc = "LCM: length of the distillation schedule the timesteps are picked from (default 50).",
                defaultValue = "", min = 1)
        Integer originalInferenceSteps,
        @Setting(doc = "LCM: timestep scale of the boundary condition (default 10.0).", defaultValue = "", min = 0)
        Double timestepScaling,
        @Setting(doc = "Diffusers model directory whose scheduler/scheduler_config.json supplies unset keys.",
                defaultValue = "")
        Path modelDir) {

    /** Settings with nothing set: every key takes its default (or the model directory's value). */
    public static SchedulerSettings defaults() {
        return builder().build();
    }

    /** A builder, for code and tests that set a few keys. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link SchedulerSettings}; every key starts unset. */
    public static final class Builder {
        private Integer numTrainTimesteps;
        private Double betaStart;
        private Double betaEnd;
        private String betaSchedule;
        private Integer stepsOffset;
        private String predictionType;
        private String timestepSpacing;
        private Boolean setAlphaToOne;
        private Boolean clipSample;
        private Double clipSampleRange;
        private Boolean useKarrasSigmas;
        private Double eta;
        private Integer solverOrder;
        private Boolean lowerOrderFinal;
        private Integer originalInferenceSteps;
        private Double timestepScaling;
        private Path modelDir;

        private Builder() {
        }

        /** Sets {@code num-train-timesteps}. */
        public Builder numTrainTimesteps(Integer v) {
            numTrainTimesteps = v;
            return this;
        }

        /** Sets {@code beta-start}. */
        public Builder betaStart(Double v) {
            betaStart = v;
            return this;
        }

        /** Sets {@code beta-end}. */
        public Builder betaEnd(Double v) {
            betaEnd = v;
            return this;
        }

        /** Sets {@code beta-schedule}. */
        public Builder betaSchedule(String v) {
            betaSchedule = v;
            return this;
        }

        /** Sets {@code steps-offset}. */
        public Builder stepsOffset(Integer v) {
            stepsOffset = v;
            return this;
        }

        /** Sets {@code prediction-type}. */
        public Builder predictionType(String v) {
            predictionType = v;
            return this;
        }

        /** Sets {@code timestep-spacing}. */
        public Builder timestepSpacing(String v) {
            timestepSpacing = v;
            return this;
        }

        /** Sets {@code set-alpha-to-one}. */
        public Builder setAlphaToOne(Boolean v) {
            setAlphaToOne = v;
            return this;
        }

        /** Sets {@code clip-sample}. */
        public Builder clipSample(Boolean v) {
            clipSample = v;
            return this;
        }

        /** Sets {@code clip-sample-range}. */
        public Builder clipSampleRange(Double v) {
            clipSampleRange = v;
            return this;
        }

        /** Sets {@code use-karras-sigmas}. */
        public Builder useKarrasSigmas(Boolean v) {
            useKarrasSigmas = v;
            return this;
        }

        /** Sets {@code eta}. */
        public Builder eta(Double v) {
            eta = v;
            return this;
        }

        /** Sets {@code solver-order}. */
        public Builder solverOrder(Integer v) {
            solverOrder = v;
            return this;
        }

        /** Sets {@code lower-order-final}. */
        public Builder lowerOrderFinal(Boolean v) {
            lowerOrderFinal = v;
            return this;
        }

        /** Sets {@code original-inference-steps}. */
        public Builder originalInferenceSteps(Integer v) {
            originalInferenceSteps = v;
            return this;
        }

        /** Sets {@code timestep-scaling}. */
        public Builder timestepScaling(Double v) {
            timestepScaling = v;
            return this;
        }

        /** Sets {@code model-dir}. */
        public Builder modelDir(Path v) {
            modelDir = v;
            return this;
        }

        /** The settings. */
        public SchedulerSettings build() {
            return new SchedulerSettings(numTrainTimesteps, betaStart, betaEnd, betaSchedule, stepsOffset,
                    predictionType, timestepSpacing, setAlphaToOne, clipSample, clipSampleRange, useKarrasSigmas,
                    eta, solverOrder, lowerOrderFinal, originalInferenceSteps, timestepScaling, modelDir);
        }
    }
}
