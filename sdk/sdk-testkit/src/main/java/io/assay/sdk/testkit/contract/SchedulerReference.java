package io.assay.sdk.testkit.contract;

import static io.assay.sdk.testkit.contract.Checks.check;
import static io.assay.sdk.testkit.contract.Checks.fail;

import io.assay.sdk.diffusion.NoiseStream;
import io.assay.sdk.diffusion.Scheduler;
import io.assay.sdk.tensor.Npy;
import io.assay.sdk.tensor.Tensor;
import io.assay.sdk.testkit.References;
import io.assay.sdk.testkit.Tensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The scheduler references of {@code ../shared/reference/schedulers} (diffusers v0.23.1 trajectories; see its
 * README): every run of {@code index.json}, and the replay of one run through a {@link Scheduler} — timesteps, σ,
 * {@code init_noise_sigma}, {@code scale_model_input} factors and every sample of the trajectory driven by the
 * references' fake model, with the recorded noise served to stochastic schedulers through
 * {@link NoiseStream#drawForStep}, plus LCM's {@code denoised} outputs.
 *
 * <p>A {@link SchedulerContract} fixture returns {@link #runs(String)} from
 * {@link SchedulerContract#referenceRuns()} to have its scheduler replayed; the scheduler must be built with the
 * SD 1.5 configuration the references use (the plugin's defaults).
 */
public final class SchedulerReference {

    /** Sample tolerance {@code |java − ref| ≤ ABS + REL·|ref|}, as the references' README suggests. */
    public static final double ABS = 1e-4;
    /** See {@link #ABS}. */
    public static final double REL = 1e-5;

    private SchedulerReference() {
    }

    /**
     * One recorded run.
     *
     * @param component the component name the run is for ({@code euler_ancestral} → {@code euler-ancestral})
     * @param dir the run's directory name, e.g. {@code euler_20}
     * @param steps {@code num_inference_steps}
     * @param iterations loop iterations
     * @param stochastic whether steps drew noise
     * @param noiseDrawn per iteration, whether the step drew (stochastic runs), else null
     * @param sigmas the class's own σ table, or null (then σ = sqrt((1 − ᾱ)/ᾱ) at the timestep)
     * @param initNoiseSigma {@code init_noise_sigma}
     * @param files the files the run holds
     * @param directory where the files are
     */
    public record Run(String component, String dir, int steps, int iterations, boolean stochastic,
            List<Boolean> noiseDrawn, double[] sigmas, double initNoiseSigma, List<String> files, Path directory) {
        @Override
        public String toString() {
            return dir;
        }

        /** Whether the run recorded the step's {@code denoised} output (LCM). */
        public boolean recordsDenoised() {
            return files.contains("denoised.npy");
        }
    }

    /** What a replay measured. */
    public record Result(double maxAbs, double maxRel, double worstToleranceUse, double denoisedWorstToleranceUse) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "max abs %.3e, max rel %.3e, worst tolerance use %.3f%s", maxAbs,
                    maxRel, worstToleranceUse, Double.isNaN(denoisedWorstToleranceUse) ? ""
                            : String.format(Locale.ROOT, ", denoised tolerance use %.3f", denoisedWorstToleranceUse));
        }
    }

    /** Every run of {@code schedulers/index.json} (skips the test when the references are missing; fails on CI). */
    public static List<Run> runs() {
        Path index = References.require("schedulers/index.json");
        Map<String, Object> root;
        try {
            root = Json.object(Json.parse(Files.readString(index, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + index, e);
        }
        List<Run> out = new ArrayList<>();
        for (Object o : Json.array(root.get("runs"))) {
            Map<String, Object> r = Json.object(o);
            List<Boolean> drawn = null;
            if (r.get("noise_drawn_per_step") != null) {
                drawn = new ArrayList<>();
                for (Object b : Json.array(r.get("noise_drawn_per_step"))) {
                    drawn.add((Boolean) b);
                }
            }
            double[] sigmas = null;
            if (r.get("sigmas") != null) {
                List<Object> l = Json.array(r.get("sigmas"));
                sigmas = new double[l.size()];
                for (int i = 0; i < sigmas.length; i++) {
                    sigmas[i] = (Double) l.get(i);
                }
            }
            List<String> files = new ArrayList<>();
            for (Object f : Json.array(r.get("files"))) {
                files.add((String) f);
            }
            String dir = (String) r.get("dir");
            out.add(new Run(((String) r.get("name")).replace('_', '-'), dir,
                    ((Double) r.get("num_inference_steps")).intValue(),
                    ((Double) r.get("num_loop_iterations")).intValue(), (Boolean) r.get("stochastic"), drawn, sigmas,
                    (Double) r.get("init_noise_sigma"), List.copyOf(files), index.getParent().resolve(dir)));
        }
        return List.copyOf(out);
    }

    /** The runs recorded for {@code component} (e.g. {@code "euler-ancestral"}). */
    public static List<Run> runs(String component) {
        return runs().stream().filter(r -> r.component().equals(component)).toList();
    }

    /** The references' fake model: {@code eps = float32(0.1·x_in + 1e-5·t)} computed in float64. */
    public static Tensor fakeModel(Tensor xIn, double t) {
        float[] x = xIn.data();
        float[] out = new float[x.length];
        for (int j = 0; j < x.length; j++) {
            out[j] = (float) (0.1 * (double) x[j] + 1e-5 * t);
        }
        return new Tensor(xIn.shape(), out);
    }

    /**
     * Replays {@code run} through {@code scheduler} and asserts the schedule (integer timesteps exactly, fractional
     * ones, σ, {@code init_noise_sigma} and input scales to 1e-6 relative), the noise draws, and the trajectory
     * within {@code maxToleranceUse} × ({@link #ABS} + {@link #REL}·|ref|) (1 = the README's tolerance).
     */
    public static Result assertMatches(Scheduler scheduler, Run run, double maxToleranceUse) {
        try {
            return replay(scheduler, run, maxToleranceUse);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read reference run " + run.directory(), e);
        }
    }

    private static Result replay(Scheduler scheduler, Run run, double maxToleranceUse) throws IOException {
        String who = Checks.describe(scheduler) + " on reference run " + run.dir();
        Scheduler.Sampling s = scheduler.plan(run.steps());
        int n = run.iterations();
        check(s.iterations() == n, who + ": expected " + n + " loop iterations for " + run.steps()
                + " steps, but the plan has " + s.iterations());

        Npy.Array timesteps = Npy.read(run.directory().resolve("timesteps.npy"));
        double[] refT = timesteps.toDoubles();
        boolean integral = timesteps.dtype().contains("i");
        for (int i = 0; i < n; i++) {
            double t = s.timestep(i);
            boolean ok = integral ? t == refT[i] : Math.abs(t - refT[i]) <= 1e-6 * Math.abs(refT[i]);
            check(ok, who + ": expected timestep(" + i + ") = " + refT[i] + (integral ? " exactly" : " (1e-6 rel)")
                    + ", but it is " + t);
        }
        double[] refSigmas = run.sigmas() != null ? run.sigmas() : sigmasFromAlphas(refT);
        for (int i = 0; i < n; i++) {
            double sg = s.sigma(i);
            check(Math.abs(sg - refSigmas[i]) <= 1e-6 * Math.abs(refSigmas[i]), who + ": expected sigma(" + i
                    + ") = " + refSigmas[i] + " (1e-6 rel), but it is " + sg);
        }
        double init = run.initNoiseSigma();
        check(Math.abs(s.initNoiseSigma() - init) <= 1e-6 * init, who + ": expected initNoiseSigma() = " + init
                + ", but it is " + s.initNoiseSigma());
        double[] factors = Npy.read(run.directory().resolve("scale_factors.npy")).toDoubles();
        for (int i = 0; i < n; i++) {
            double f = s.scaleModelInput(Tensor.filled(1f, 1, 4, 8, 8), i).data()[0];
            check(Math.abs(f - factors[i]) <= 1e-6 * Math.abs(factors[i]), who + ": expected scaleModelInput(x, "
                    + i + ") to scale by " + factors[i] + ", but it scales by " + f);
        }

        Tensor sample0 = Npy.readTensor(References.require("schedulers/sample0.npy"));
        Tensor[] samples = Tensors.slices(Npy.read(run.directory().resolve("samples.npy")));
        Tensor[] noise = run.stochastic() ? Tensors.slices(Npy.read(run.directory().resolve("noise.npy"))) : null;
        Tensor[] denoised = run.recordsDenoised()
                ? Tensors.slices(Npy.read(run.directory().resolve("denoised.npy"))) : null;
        ReplayedNoise stream = new ReplayedNoise(who, noise);

        float initSigma = (float) s.initNoiseSigma();
        float[] x0 = sample0.data();
        float[] start = new float[x0.length];
        for (int j = 0; j < start.length; j++) {
            start[j] = x0[j] * initSigma;
        }
        Tensor x = new Tensor(sample0.shape(), start);
        Error error = new Error();
        error.add(who + ", initial sample", x, samples[0]);
        Error denoisedError = new Error();
        Scheduler.Step last = null;
        for (int i = 0; i < n; i++) {
            Tensor eps = fakeModel(s.scaleModelInput(x, i), s.timestep(i));
            last = s.step(eps, i, x, stream);
            x = last.prevSample();
            error.add(who + ", sample after step " + i, x, samples[i + 1]);
            if (denoised != null) {
                check(last.denoised() != null, who + ": expected step " + i + " to return its denoised sample, "
                        + "but it is null");
                denoisedError.add(who + ", denoised of step " + i, last.denoised(), denoised[i]);
            }
        }
        Result result = new Result(error.maxAbs, error.maxRel, error.worstRatio,
                denoised == null ? Double.NaN : denoisedError.worstRatio);
        System.out.printf(Locale.ROOT, "%-20s %s%n", run.dir(), result);
        check(error.worstRatio <= maxToleranceUse, who + ": expected every sample within " + maxToleranceUse
                + "·(" + ABS + " + " + REL + "·|ref|) of diffusers, but the worst uses " + String.format(Locale.ROOT,
                        "%.3f", error.worstRatio) + " of the tolerance (" + error.worst + ")");

        if (run.stochastic()) {
            List<Boolean> drawn = new ArrayList<>(stream.drawn);
            while (drawn.size() < n) {
                drawn.add(false);
            }
            check(drawn.equals(run.noiseDrawn()), who + ": expected noise drawn at iterations "
                    + where(run.noiseDrawn()) + ", but it was drawn at " + where(drawn));
        }
        if (denoised != null) {
            check(denoisedError.worstRatio <= 1.0, who + ": expected every denoised sample within the tolerance, "
                    + "but the worst uses " + denoisedError.worstRatio + " of it (" + denoisedError.worst + ")");
            Error fin = new Error();
            fin.add(who + ", final denoised", last.denoised(), Npy.readTensor(run.directory()
                    .resolve("final_denoised.npy")));
            check(fin.worstRatio <= 1.0, who + ": expected the final denoised sample within the tolerance, but "
                    + fin.worst);
            check(s.resultIsDenoised(), who + ": the pipeline's result is the last denoised sample, so expected "
                    + "resultIsDenoised() = true, but it is false");
        } else {
            check(!s.resultIsDenoised(), who + ": the pipeline's result is the last step's prevSample, so expected "
                    + "resultIsDenoised() = false, but it is true");
        }
        return result;
    }

    private static String where(List<Boolean> flags) {
        List<Integer> at = new ArrayList<>();
        for (int i = 0; i < flags.size(); i++) {
            if (flags.get(i)) {
                at.add(i);
            }
        }
        return at.toString();
    }

    private static double[] sigmasFromAlphas(double[] timesteps) throws IOException {
        float[] ac = Npy.read(References.require("schedulers/alphas_cumprod.npy")).toFloats();
        double[] out = new double[timesteps.length];
        for (int i = 0; i < out.length; i++) {
            double a = ac[(int) timesteps[i]];
            out[i] = Math.sqrt((1 - a) / a);
        }
        return out;
    }

    /** Serves {@code noise.npy[i]} for iteration {@code i}; a sequential draw is a failure. */
    private static final class ReplayedNoise implements NoiseStream {
        private final String who;
        private final Tensor[] noise;
        final List<Boolean> drawn = new ArrayList<>();

        ReplayedNoise(String who, Tensor[] noise) {
            this.who = who;
            this.noise = noise;
        }

        @Override
        public Tensor draw(long[] shape) {
            throw fail(who + ": expected a scheduler step to draw its noise through drawForStep(iteration, shape), "
                    + "but it called draw(shape)");
        }

        @Override
        public Tensor drawForStep(int iteration, long[] shape) {
            if (noise == null) {
                throw fail(who + ": the reference run is deterministic, so expected no noise draw, but step "
                        + iteration + " drew noise");
            }
            while (drawn.size() < iteration) {
                drawn.add(false);
            }
            drawn.add(true);
            return noise[iteration].reshape(shape);
        }
    }

    /** The largest absolute and relative errors, and the largest share of the tolerance used. */
    private static final class Error {
        double maxAbs;
        double maxRel;
        double worstRatio;
        String worst = "";

        void add(String what, Tensor actual, Tensor expected) {
            if (actual.size() != expected.size()) {
                throw fail(what + ": expected " + expected.shapeString() + ", but got " + actual.shapeString());
            }
            float[] a = actual.data();
            float[] e = expected.data();
            for (int j = 0; j < a.length; j++) {
                double diff = Math.abs((double) a[j] - e[j]);
                if (Double.isNaN(diff)) {
                    diff = Double.POSITIVE_INFINITY;
                }
                maxAbs = Math.max(maxAbs, diff);
                maxRel = Math.max(maxRel, diff / Math.max(Math.abs(e[j]), 1e-3));
                double ratio = diff / (ABS + REL * Math.abs(e[j]));
                if (ratio > worstRatio) {
                    worstRatio = ratio;
                    worst = what + ", element " + j + ": expected " + e[j] + ", got " + a[j];
                }
            }
        }
    }
}
