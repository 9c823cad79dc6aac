package io.assay.plugins.schedulers;

import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageContext;
import io.assay.sdk.StageException;
import io.assay.sdk.diffusion.NoiseStream;
import io.assay.sdk.diffusion.PredictionType;
import io.assay.sdk.diffusion.Scheduler;
import io.assay.sdk.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every scheduler of this plugin shares: configuration resolution ({@link SchedulerConfig}), the training noise
 * schedule (betas, ᾱ, σ table), the timestep spacings, step-count validation, and the per-run
 * {@link Scheduler.Sampling} skeleton that checks iteration order and shapes before a subclass's step arithmetic.
 *
 * <p>All tensor arithmetic is float32, one rounding per PyTorch operation and in diffusers' operation order, so
 * results agree with diffusers v0.23.1 to float32 rounding. An instance holds configuration only and may plan any
 * number of runs; each {@link Scheduler.Sampling} holds one run's state and is not thread-safe.
 */
public abstract class AbstractDiffusersScheduler implements Scheduler {

    private static final Logger LOG = LoggerFactory.getLogger(AbstractDiffusersScheduler.class);

    private final SchedulerConfig config;
    private final NoiseSchedule schedule;
    private final StageContext context;
    private volatile boolean closed;

    AbstractDiffusersScheduler(ClassSpec spec, SchedulerSettings settings, StageContext context) {
        this.context = Objects.requireNonNull(context, "context is null");
        this.config = SchedulerConfig.resolve(spec, Objects.requireNonNull(settings, "settings is null"),
                context.baseDirectory());
        this.schedule = NoiseSchedule.of(config);
        if (!config.unusedKeys().isEmpty()) {
            LOG.info("Component '{}' ({}) does not use keys {} of '{}'; diffusers ignores them for this class too",
                    spec.component(), spec.diffusersClass(), config.unusedKeys(), config.configFile());
        }
        if (context.trace().enabled()) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("diffusers-class", spec.diffusersClass());
            fields.put("config", config.asMap());
            fields.put("config-file", config.configFile() == null ? "" : config.configFile().toString());
            fields.put("unused-keys", config.unusedKeys());
            context.trace().record("scheduler-config", fields);
        }
    }

    /** The resolved configuration. */
    public final SchedulerConfig config() {
        return config;
    }

    /** Keys of the model's {@code scheduler_config.json} this scheduler does not use (also logged once, and traced). */
    public final List<String> unusedConfigKeys() {
        return config.unusedKeys();
    }

    @Override
    public final PredictionType predictionType() {
        return config.predictionType();
    }

    @Override
    public final Sampling plan(int steps) {
        if (closed) {
            throw new StageException(ErrorCode.CLOSED, "Component '" + config.component() + "' was closed");
        }
        int max = maxSteps();
        if (steps < 1 || steps > max) {
            throw new StageException(ErrorCode.INVALID_INPUT, "Component '" + config.component() + "' cannot plan "
                    + steps + " steps; expected 1 to " + max + " (" + maxStepsReason() + ")");
        }
        Run run = newRun(steps);
        if (context.trace().enabled()) {
            float[] ts = new float[run.iterations()];
            float[] sig = new float[run.iterations()];
            for (int i = 0; i < ts.length; i++) {
                ts[i] = (float) run.timestep(i);
                sig[i] = (float) run.sigma(i);
            }
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("steps", steps);
            fields.put("iterations", run.iterations());
            fields.put("timesteps", ts);
            fields.put("sigmas", sig);
            fields.put("init-noise-sigma", run.initNoiseSigma());
            context.trace().record("plan", fields);
        }
        return run;
    }

    /** Plans a run of a validated number of steps. */
    abstract Run newRun(int steps);

    /** The most steps a run may have. */
    int maxSteps() {
        return config.numTrainTimesteps();
    }

    /** Why {@link #maxSteps()} is the limit, for the error message. */
    String maxStepsReason() {
        return "num-train-timesteps = " + config.numTrainTimesteps();
    }

    @Override
    public void close() {
        closed = true;
    }

    /** The training noise schedule. */
    final NoiseSchedule schedule() {
        return schedule;
    }

    /** ᾱ for the step past timestep 0 ({@code final_alpha_cumprod}): 1, or ᾱ at t = 0. */
    final float finalAlphaCumprod() {
        return config.setAlphaToOne() ? 1f : schedule.alphaCumprod(0);
    }

    /** ᾱ at {@code t}, or {@link #finalAlphaCumprod()} for a negative {@code t}. */
    final float alphaCumprodOrFinal(int t) {
        return t >= 0 ? schedule.alphaCumprod(t) : finalAlphaCumprod();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Timestep spacing (diffusers' "linspace", "leading", "trailing"; arXiv 2305.08891, table 2)

    /**
     * The descending inference timesteps of {@code n} steps as DDIM, PNDM and the sigma schedulers pick them.
     *
     * @param roundLinspace whether {@code linspace} timesteps are rounded to integers (DDIM, PNDM) or kept as float32
     *     (LMS, Euler, Euler-a, Heun)
     */
    final double[] spacedTimesteps(int n, boolean roundLinspace) {
        int train = config.numTrainTimesteps();
        double[] out = new double[n];
        switch (config.timestepSpacing()) {
            case "linspace" -> {
                double[] lin = Numerics.linspace(0, train - 1, n);
                for (int i = 0; i < n; i++) {
                    double v = lin[n - 1 - i];
                    out[i] = roundLinspace ? Numerics.round(v) : (float) v;
                }
            }
            case "leading" -> {
                int ratio = train / n;
                for (int i = 0; i < n; i++) {
                    out[i] = (double) (n - 1 - i) * ratio + config.stepsOffset();
                }
            }
            case "trailing" -> out = trailingTimesteps(n);
            default -> throw new IllegalStateException("validated spacing " + config.timestepSpacing());
        }
        return out;
    }

    /** {@code round(arange(T, 0, -T/n)) - 1}: descending, ending near 0 (may hold n + 1 entries, as in NumPy). */
    final double[] trailingTimesteps(int n) {
        int train = config.numTrainTimesteps();
        double[] a = Numerics.arange(train, 0, -(double) train / n);
        for (int i = 0; i < a.length; i++) {
            a[i] = Numerics.round(a[i]) - 1;
        }
        return a;
    }

    /** Refuses timesteps outside the training range, naming the spacing and offset that produced them. */
    final void requireInRange(double[] timesteps, int steps) {
        int train = config.numTrainTimesteps();
        for (double t : timesteps) {
            if (!(t >= 0 && t <= train - 1)) {
                throw new StageException(ErrorCode.INVALID_INPUT, "Component '" + config.component() + "': "
                        + steps + " steps with timestep-spacing '" + config.timestepSpacing() + "' and steps-offset "
                        + config.stepsOffset() + " give timestep " + t + ", outside the training range [0, "
                        + (train - 1) + "]");
            }
        }
    }

    /** The timesteps as ints (they must be integral). */
    static int[] toInts(double[] timesteps) {
        int[] out = new int[timesteps.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (int) timesteps[i];
        }
        return out;
    }

    /** Wraps step output in a tensor of the sample's shape. */
    static Tensor shaped(float[] data, long[] shape) {
        return new Tensor(shape, data);
    }

    /** Clamps every element of {@code x} to [-range, range] in place (PyTorch {@code clamp}). */
    static void clamp(float[] x, double range) {
        float lo = (float) -range;
        float hi = (float) range;
        for (int j = 0; j < x.length; j++) {
            x[j] = Math.min(Math.max(x[j], lo), hi);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    /**
     * One planned run: its timetable plus the checks every step shares. Subclasses add the run's state and the step
     * arithmetic ({@link #advance}).
     */
    abstract class Run implements Sampling {

        /** The planned number of inference steps. */
        final int steps;
        /** Iteration → timestep, as the scheduler uses it. */
        final double[] timesteps;
        private int nextIteration = -1;

        Run(int steps, double[] timesteps) {
            this.steps = steps;
            this.timesteps = timesteps;
        }

        @Override
        public int iterations() {
            return timesteps.length;
        }

        @Override
        public double timestep(int i) {
            return timesteps[checkIteration(i)];
        }

        @Override
        public double sigma(int i) {
            return schedule.sigmaAt(timesteps[checkIteration(i)]);
        }

        @Override
        public double initNoiseSigma() {
            return 1.0;
        }

        @Override
        public Tensor scaleModelInput(Tensor sample, int i) {
            checkIteration(i);
            return sample.copy();
        }

        /** {@code sqrt(ᾱ)·x0 + sqrt(1 − ᾱ)·noise} at this iteration's (integer) timestep. */
        @Override
        public Tensor addNoise(Tensor original, Tensor noise, int i) {
            requireSameShape("noise", noise, original);
            float ac = schedule.alphaCumprod((int) timesteps[checkIteration(i)]);
            float a = Numerics.sqrt(ac);
            float b = Numerics.sqrt(1f - ac);
            float[] x = original.data();
            float[] n = noise.data();
            float[] out = new float[x.length];
            for (int j = 0; j < out.length; j++) {
                out[j] = a * x[j] + b * n[j];
            }
            return new Tensor(original.shape(), out);
        }

        /** The scheduler's order as diffusers' {@code get_timesteps} uses it (2 for Heun, else 1). */
        int order() {
            return 1;
        }

        @Override
        public int firstIteration(int steps, double strength) {
            if (steps != this.steps) {
                throw new StageException(ErrorCode.INVALID_INPUT, "firstIteration(steps = " + steps
                        + ") of component '" + config.component() + "' does not match the " + this.steps
                        + " planned steps");
            }
            if (!(strength > 0 && strength <= 1)) {
                throw new StageException(ErrorCode.INVALID_INPUT, "Strength " + strength + " is out of range; "
                        + "expected a number in (0, 1]");
            }
            int init = Math.min((int) (steps * strength), steps);
            if (init < 1) {
                throw new StageException(ErrorCode.INVALID_INPUT, "Strength " + strength + " with " + steps
                        + " steps leaves no step to run (int(steps * strength) = 0); raise the strength or the steps");
            }
            return (steps - init) * order();
        }

        @Override
        public final Step step(Tensor modelOutput, int i, Tensor sample, NoiseStream noise) {
            Objects.requireNonNull(modelOutput, "modelOutput is null");
            Objects.requireNonNull(sample, "sample is null");
            checkIteration(i);
            if (nextIteration >= 0 && i != nextIteration) {
                throw new StageException(ErrorCode.INVALID_INPUT, "Component '" + config.component()
                        + "': step(" + i + ") called after step(" + (nextIteration - 1) + "); iterations must be "
                        + "consecutive, expected " + nextIteration);
            }
            if (nextIteration < 0) {
                checkFirstIteration(i);
            }
            requireSameShape("modelOutput", modelOutput, sample);
            Step result = advance(modelOutput.data(), i, sample.data(), sample.shape(), noise);
            nextIteration = i + 1;
            return result;
        }

        /** Refuses an iteration a run cannot start at (Heun: a second-order half-step). */
        void checkFirstIteration(int i) {
        }

        /**
         * The step arithmetic: reads {@code model} and {@code x} (never writes them) and returns fresh arrays.
         *
         * @param shape the sample's shape (a copy)
         */
        abstract Step advance(float[] model, int i, float[] x, long[] shape, NoiseStream noise);

        /** A {@link NoiseStream#drawForStep} draw, checked against the sample's shape. */
        final float[] drawNoise(NoiseStream noise, int i, long[] shape) {
            if (noise == null) {
                throw new StageException(ErrorCode.INVALID_INPUT, "Component '" + config.component()
                        + "' draws noise at iteration " + i + " but no noise stream was given");
            }
            Tensor t = noise.drawForStep(i, shape);
            if (!Arrays.equals(t.shape(), shape)) {
                throw new StageException(ErrorCode.INVALID_INPUT, "Noise stream returned shape " + t.shapeString()
                        + " for iteration " + i + "; expected " + Arrays.toString(shape));
            }
            return t.data();
        }

        final int checkIteration(int i) {
            if (i < 0 || i >= timesteps.length) {
                throw new StageException(ErrorCode.INVALID_INPUT, "Iteration " + i + " is out of range for component '"
                        + config.component() + "'; this run has iterations 0 to " + (timesteps.length - 1));
            }
            return i;
        }

        final void requireSameShape(String what, Tensor t, Tensor sample) {
            Objects.requireNonNull(t, what + " is null");
            if (!t.sameShape(sample)) {
                throw new StageException(ErrorCode.INVALID_INPUT, "Component '" + config.component() + "': " + what
                        + " has shape " + t.shapeString() + " but the sample has shape " + sample.shapeString());
            }
        }
    }
}
