package io.assay.plugins.schedulers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.assay.sdk.diffusion.NoiseStream;
import io.assay.sdk.diffusion.Scheduler;
import io.assay.sdk.tensor.Npy;
import io.assay.sdk.tensor.Tensor;
import io.assay.sdk.testkit.References;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every run of {@code reference/schedulers/index.json} (diffusers v0.23.1 trajectories) replayed through the
 * component of the same name with default settings: timesteps, σ, input scale, initial noise σ and every sample of
 * the trajectory, with recorded noise replayed for the stochastic schedulers.
 */
class DiffusersReferenceTest {

    /** Sample tolerance: {@code |java − ref| ≤ ABS + REL·|ref|} (the references' README suggests 1e-4 + 1e-5·|ref|). */
    private static final double ABS = 1e-4;
    private static final double REL = 1e-5;

    /** One reference run. */
    record Run(String component, JsonNode json, Path dir) {
        @Override
        public String toString() {
            return json.get("dir").asText();
        }
    }

    static Stream<Run> runs() throws IOException {
        Path index = References.require("schedulers/index.json");
        JsonNode root = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build()
                .readTree(index.toFile());
        List<Run> out = new ArrayList<>();
        for (JsonNode run : root.get("runs")) {
            String component = run.get("name").asText().replace('_', '-');
            out.add(new Run(component, run, index.getParent().resolve(run.get("dir").asText())));
        }
        return out.stream();
    }

    @Test
    void everyComponentHasReferenceRuns() throws IOException {
        assertThat(runs().map(Run::component).distinct().sorted().toList()).isEqualTo(Schedulers.NAMES);
    }

    @Test
    void noiseScheduleIsBitIdenticalToDiffusers() throws IOException {
        float[] betas = Npy.read(References.require("schedulers/betas.npy")).toFloats();
        float[] alphasCumprod = Npy.read(References.require("schedulers/alphas_cumprod.npy")).toFloats();
        NoiseSchedule schedule = Schedulers.create("ddim").schedule();
        assertThat(schedule.betas()).containsExactly(betas);
        assertThat(schedule.alphasCumprod()).containsExactly(alphasCumprod);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runs")
    void matchesDiffusers(Run run) throws IOException {
        JsonNode json = run.json();
        int steps = json.get("num_inference_steps").asInt();
        AbstractDiffusersScheduler scheduler = Schedulers.create(run.component());
        Scheduler.Sampling sampling = scheduler.plan(steps);
        int n = json.get("num_loop_iterations").asInt();
        assertThat(sampling.iterations()).isEqualTo(n);

        // Timesteps: integer ones exactly, fractional ones as the float32 values diffusers holds.
        Npy.Array timesteps = Npy.read(run.dir().resolve("timesteps.npy"));
        double[] refT = timesteps.toDoubles();
        for (int i = 0; i < n; i++) {
            if (timesteps.dtype().equals("i8")) {
                assertThat(sampling.timestep(i)).as("timestep %d", i).isEqualTo(refT[i]);
            } else {
                assertThat(sampling.timestep(i)).as("timestep %d", i).isCloseTo(refT[i], within(1e-6 * refT[i]));
            }
        }

        // Sigmas: the class's own table where it has one, else sqrt((1 - ᾱ)/ᾱ) at the timestep.
        double[] refSigmas = json.get("sigmas").isNull() ? sigmasFromAlphas(refT) : doubles(json.get("sigmas"));
        for (int i = 0; i < n; i++) {
            assertThat(sampling.sigma(i)).as("sigma %d", i).isCloseTo(refSigmas[i], within(1e-6 * refSigmas[i]));
        }
        double init = json.get("init_noise_sigma").asDouble();
        assertThat(sampling.initNoiseSigma()).isCloseTo(init, within(1e-6 * init));

        double[] factors = Npy.read(run.dir().resolve("scale_factors.npy")).toDoubles();
        for (int i = 0; i < n; i++) {
            Tensor ones = Tensor.filled(1f, 1, 4, 8, 8);
            double factor = sampling.scaleModelInput(ones, i).data()[0];
            assertThat(factor).as("scale factor %d", i).isCloseTo(factors[i], within(1e-6 * factors[i]));
        }

        // The trajectory.
        Tensor sample0 = Npy.readTensor(References.require("schedulers/sample0.npy"));
        Tensor[] samples = slices(Npy.read(run.dir().resolve("samples.npy")));
        Tensor[] noise = json.get("stochastic").asBoolean() ? slices(Npy.read(run.dir().resolve("noise.npy"))) : null;
        Tensor[] denoised = run.component().equals("lcm") ? slices(Npy.read(run.dir().resolve("denoised.npy"))) : null;
        ReplayedNoise stream = new ReplayedNoise(noise);

        float initSigma = (float) sampling.initNoiseSigma();
        float[] x0 = sample0.data();
        float[] start = new float[x0.length];
        for (int j = 0; j < start.length; j++) {
            start[j] = x0[j] * initSigma;
        }
        Tensor x = new Tensor(sample0.shape(), start);
        Error error = new Error();
        error.add(x, samples[0]);
        Scheduler.Step last = null;
        Error denoisedError = new Error();
        for (int i = 0; i < n; i++) {
            Tensor eps = Schedulers.fakeModel(sampling.scaleModelInput(x, i), sampling.timestep(i));
            last = sampling.step(eps, i, x, stream);
            x = last.prevSample();
            error.add(x, samples[i + 1]);
            if (denoised != null) {
                denoisedError.add(last.denoised(), denoised[i]);
            }
        }
        System.out.printf(Locale.ROOT, "%-20s max abs %.3e  max rel %.3e  worst tolerance use %.3f%s%n", run,
                error.maxAbs, error.maxRel, error.worstRatio,
                denoised == null ? "" : String.format(Locale.ROOT, "  denoised max abs %.3e", denoisedError.maxAbs));
        // Required: within the tolerance. Achieved (and guarded here): at most a quarter of it; most runs are exact.
        assertThat(error.worstRatio).as("worst |java − ref| / (%s + %s·|ref|) over the trajectory", ABS, REL)
                .isLessThanOrEqualTo(0.25);

        if (json.get("stochastic").asBoolean()) {
            List<Boolean> expected = new ArrayList<>();
            json.get("noise_drawn_per_step").forEach(b -> expected.add(b.asBoolean()));
            while (stream.drawn.size() < n) {
                stream.drawn.add(false);
            }
            assertThat(stream.drawn).as("iterations that drew noise").isEqualTo(expected);
        }
        if (denoised != null) {
            assertThat(denoisedError.worstRatio).as("LCM denoised").isLessThanOrEqualTo(1.0);
            Tensor finalDenoised = Npy.readTensor(run.dir().resolve("final_denoised.npy"));
            Error finalError = new Error();
            finalError.add(last.denoised(), finalDenoised);
            assertThat(finalError.worstRatio).isLessThanOrEqualTo(1.0);
            assertThat(sampling.resultIsDenoised()).isTrue();
        } else {
            assertThat(sampling.resultIsDenoised()).isFalse();
        }
    }

    /** Serves {@code noise.npy[i]} for iteration {@code i}; sequential draws are not expected. */
    static final class ReplayedNoise implements NoiseStream {
        private final Tensor[] noise;
        final List<Boolean> drawn = new ArrayList<>();

        ReplayedNoise(Tensor[] noise) {
            this.noise = noise;
        }

        @Override
        public Tensor draw(long[] shape) {
            throw new AssertionError("a scheduler step must draw through drawForStep");
        }

        @Override
        public Tensor drawForStep(int iteration, long[] shape) {
            assertThat(noise).as("noise drawn by a deterministic scheduler").isNotNull();
            while (drawn.size() < iteration) {
                drawn.add(false);
            }
            drawn.add(true);
            return noise[iteration].reshape(shape);
        }
    }

    /** The largest absolute and relative errors, and the largest share of the tolerance used. */
    static final class Error {
        double maxAbs;
        double maxRel;
        double worstRatio;

        void add(Tensor actual, Tensor expected) {
            assertThat(actual.size()).isEqualTo(expected.size());
            float[] a = actual.data();
            float[] e = expected.data();
            for (int j = 0; j < a.length; j++) {
                double diff = Math.abs((double) a[j] - e[j]);
                maxAbs = Math.max(maxAbs, diff);
                maxRel = Math.max(maxRel, diff / Math.max(Math.abs(e[j]), 1e-3));
                worstRatio = Math.max(worstRatio, diff / (ABS + REL * Math.abs(e[j])));
            }
        }
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

    private static double[] doubles(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asDouble();
        }
        return out;
    }

    /** Splits an array {@code [n, …]} into its n tensors. */
    static Tensor[] slices(Npy.Array array) {
        float[] all = array.toFloats();
        long[] shape = array.shape();
        long[] inner = Arrays.copyOfRange(shape, 1, shape.length);
        int per = Math.toIntExact(Tensor.count(inner));
        Tensor[] out = new Tensor[(int) shape[0]];
        for (int i = 0; i < out.length; i++) {
            out[i] = new Tensor(inner, Arrays.copyOfRange(all, i * per, (i + 1) * per));
        }
        return out;
    }
}
