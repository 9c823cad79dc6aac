package io.assay.plugins.schedulers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import io.assay.sdk.diffusion.Scheduler;
import io.assay.sdk.tensor.Npy;
import io.assay.sdk.tensor.Tensor;
import io.assay.sdk.testkit.References;
import io.assay.sdk.testkit.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * Run-level behaviour specific to these schedulers: where noise is drawn, DDIM's eta, img2img against tiny-sd, each
 * family's add_noise, get_timesteps, misuse messages. Determinism, independent runs, input immutability and buffer
 * reuse are the test kit's {@link io.assay.sdk.testkit.contract.SchedulerContract} ({@link SchedulerContractTest}).
 */
class SamplingBehaviourTest {

    private static final long[] SHAPE = {1, 4, 8, 8};

    private static Tensor randomSample(long seed) {
        Random r = new Random(seed);
        float[] d = new float[(int) Tensor.count(SHAPE)];
        for (int j = 0; j < d.length; j++) {
            d[j] = (float) r.nextGaussian();
        }
        return new Tensor(SHAPE, d);
    }

    @Test
    void stochasticSchedulersDrawExactlyWhereDiffusersDraws() {
        Map<String, Integer> expectedDraws = Map.of("euler-ancestral", 8, "lcm", 7, "ddim", 0, "euler", 0,
                "dpmpp-2m", 0, "pndm", 0, "lms", 0, "heun", 0, "dpmpp-2m-karras", 0);
        for (Map.Entry<String, Integer> e : expectedDraws.entrySet()) {
            Scheduler.Sampling s = Schedulers.create(e.getKey()).plan(8);
            Schedulers.ConstantNoise noise = new Schedulers.ConstantNoise(0f);
            Tensor x = randomSample(1);
            for (int i = 0; i < s.iterations(); i++) {
                x = s.step(Schedulers.fakeModel(x, s.timestep(i)), i, x, noise).prevSample();
            }
            assertThat(noise.stepDraws).as(e.getKey()).isEqualTo(e.getValue());
        }
        // DDIM with eta > 0 draws its variance noise every step.
        Scheduler.Sampling ddim = Schedulers.create("ddim", SchedulerSettings.builder().eta(1.0).build()).plan(8);
        Schedulers.ConstantNoise noise = new Schedulers.ConstantNoise(0f);
        Tensor x = randomSample(1);
        for (int i = 0; i < 8; i++) {
            x = ddim.step(Schedulers.fakeModel(x, ddim.timestep(i)), i, x, noise).prevSample();
        }
        assertThat(noise.stepDraws).isEqualTo(8);
    }

    @Test
    void ddimEtaAddsItsStandardDeviationTimesTheNoise() {
        // With zero noise, eta only shrinks the direction term; with unit noise, the difference is exactly
        // std_dev_t = eta * sqrt((1 - a_prev)/(1 - a) * (1 - a/a_prev)).
        AbstractDiffusersScheduler scheduler = Schedulers.create("ddim", SchedulerSettings.builder().eta(1.0).build());
        Scheduler.Sampling s = scheduler.plan(10);
        Tensor x = randomSample(5);
        Tensor model = Schedulers.fakeModel(x, s.timestep(0));
        float[] zero = s.step(model, 0, x, new Schedulers.ConstantNoise(0f)).prevSample().data();
        float[] one = scheduler.plan(10).step(model, 0, x, new Schedulers.ConstantNoise(1f)).prevSample().data();
        NoiseSchedule ns = scheduler.schedule();
        double a = ns.alphaCumprod(901);
        double aPrev = ns.alphaCumprod(801);
        double std = Math.sqrt((1 - aPrev) / (1 - a) * (1 - a / aPrev));
        assertThat(s.timestep(0)).isEqualTo(901);
        for (int j = 0; j < zero.length; j++) {
            assertThat((double) one[j] - zero[j]).isCloseTo(std, within(1e-5));
        }
    }

    @Test
    void img2imgMatchesTheTinySdDdimCase() throws IOException {
        Path dir = References.require("tiny-sd/cases/06_img2img_ddim_s0.6_g7.5_64x64");
        Scheduler.Sampling s = Schedulers.create("ddim").plan(20);
        int first = s.firstIteration(20, 0.6);
        assertThat(first).isEqualTo(8);
        long[] refTimesteps = Npy.read(dir.resolve("timesteps.npy")).toLongs();
        assertThat(s.iterations() - first).isEqualTo(refTimesteps.length).isEqualTo(12);
        for (int k = 0; k < refTimesteps.length; k++) {
            assertThat(s.timestep(first + k)).isEqualTo(refTimesteps[k]);
        }
        // add_noise(latent_sample * 0.18215, init_latents, timesteps[0]) as the diffusers pipeline does it
        Tensor latent = Npy.readTensor(dir.resolve("encoder_latent_sample.npy"));
        float[] scaled = latent.data().clone();
        for (int j = 0; j < scaled.length; j++) {
            scaled[j] *= 0.18215f;
        }
        Tensor noised = s.addNoise(new Tensor(latent.shape(), scaled), Npy.readTensor(dir.resolve("init_latents.npy")),
                first);
        Tensor refNoised = Npy.readTensor(dir.resolve("noised_init_latents.npy"));
        assertThat(maxAbs(noised, refNoised)).isLessThanOrEqualTo(1e-6);

        // The guided noise predictions of the case, replayed from the first iteration.
        Tensor[] latents = Tensors.slices(Npy.read(dir.resolve("latents_all.npy")));
        Tensor[] eps = Tensors.slices(Npy.read(dir.resolve("noise_pred_all.npy")));
        Tensor x = latents[0];
        double worst = 0;
        for (int k = 0; k < eps.length; k++) {
            x = s.step(eps[k], first + k, x, null).prevSample();
            worst = Math.max(worst, maxAbs(x, latents[k + 1]));
        }
        assertThat(worst).isLessThanOrEqualTo(1e-5);
    }

    @Test
    void addNoiseFollowsEachFamilysFormula() {
        Tensor x = randomSample(21);
        Tensor n = randomSample(22);
        // sigma family: x + n·σ_i
        Scheduler.Sampling euler = Schedulers.create("euler").plan(10);
        Tensor e = euler.addNoise(x, n, 3);
        float sigma = (float) euler.sigma(3);
        for (int j = 0; j < x.size(); j++) {
            assertThat(e.data()[j]).isEqualTo(x.data()[j] + n.data()[j] * sigma);
        }
        // DDPM family: sqrt(ᾱ)·x + sqrt(1 − ᾱ)·n, which is the sigma form divided by sqrt(σ² + 1)
        for (String name : new String[] {"ddim", "pndm", "dpmpp-2m", "lcm"}) {
            Scheduler.Sampling s = Schedulers.create(name).plan(10);
            Tensor d = s.addNoise(x, n, 2);
            double sig = s.sigma(2);
            double scale = Math.sqrt(sig * sig + 1);
            for (int j = 0; j < x.size(); j++) {
                assertThat((double) d.data()[j]).as(name)
                        .isCloseTo((x.data()[j] + sig * n.data()[j]) / scale, within(1e-5));
            }
        }
    }

    @Test
    void firstIterationFollowsGetTimesteps() {
        assertThat(Schedulers.create("ddim").plan(50).firstIteration(50, 0.75)).isEqualTo(13);
        assertThat(Schedulers.create("euler").plan(20).firstIteration(20, 1.0)).isZero();
        // Heun's order is 2: the first iteration is the first-order half of step N - int(N·strength).
        Scheduler.Sampling heun = Schedulers.create("heun").plan(20);
        assertThat(heun.firstIteration(20, 0.6)).isEqualTo(16);
        assertThat(heun.iterations() - heun.firstIteration(20, 0.6)).isEqualTo(23);
        assertStageError(() -> heun.firstIteration(20, 0.0), ErrorCode.INVALID_INPUT, "Strength 0.0");
        assertStageError(() -> heun.firstIteration(20, 0.01), ErrorCode.INVALID_INPUT, "leaves no step to run");
        assertStageError(() -> heun.firstIteration(30, 0.5), ErrorCode.INVALID_INPUT, "does not match the 20");
        Tensor x = randomSample(2);
        assertStageError(() -> heun.step(x, 15, x, null), ErrorCode.INVALID_INPUT,
                "cannot start a run at iteration 15");
        Tensor y = heun.step(Schedulers.fakeModel(x, heun.timestep(16)), 16, x, null).prevSample();
        assertThat(y.shape()).containsExactly(SHAPE);
    }

    @Test
    void misuseIsReportedWithTheExpectedValues() {
        AbstractDiffusersScheduler scheduler = Schedulers.create("euler");
        Scheduler.Sampling s = scheduler.plan(10);
        Tensor x = randomSample(4);
        s.step(x, 0, x, null);
        assertStageError(() -> s.step(x, 2, x, null), ErrorCode.INVALID_INPUT,
                "step(2) called after step(0)", "expected 1");
        assertStageError(() -> s.timestep(10), ErrorCode.INVALID_INPUT, "Iteration 10 is out of range",
                "iterations 0 to 9");
        assertStageError(() -> s.step(Tensor.zeros(1, 4, 8, 16), 1, x, null), ErrorCode.INVALID_INPUT,
                "modelOutput has shape [1, 4, 8, 16] but the sample has shape [1, 4, 8, 8]");
        assertStageError(() -> Schedulers.create("euler-ancestral").plan(4).step(x, 0, x, null),
                ErrorCode.INVALID_INPUT, "draws noise at iteration 0 but no noise stream was given");
        scheduler.close();
        scheduler.close();
        assertStageError(() -> scheduler.plan(10), ErrorCode.CLOSED, "'euler' was closed");
    }

    @Test
    void onlyLcmReturnsItsDenoisedSampleAsTheResult() {
        for (String name : Schedulers.NAMES) {
            assertThat(Schedulers.create(name).plan(4).resultIsDenoised()).as(name).isEqualTo(name.equals("lcm"));
        }
        Scheduler.Sampling lcm = Schedulers.create("lcm").plan(4);
        Tensor x = randomSample(9);
        Scheduler.Step last = null;
        for (int i = 0; i < 4; i++) {
            last = lcm.step(Schedulers.fakeModel(x, lcm.timestep(i)), i, x, new Schedulers.ConstantNoise(0.1f));
            x = last.prevSample();
        }
        assertThat(last.prevSample().data()).containsExactly(last.denoised().data());
    }

    @Test
    void ddpmFamilySigmaIsTheSigmaOfAlphaBar() {
        Scheduler.Sampling ddim = Schedulers.create("ddim").plan(20);
        NoiseSchedule ns = Schedulers.create("ddim").schedule();
        for (int i = 0; i < ddim.iterations(); i++) {
            double a = ns.alphaCumprod((int) ddim.timestep(i));
            assertThat(ddim.sigma(i)).isCloseTo(Math.sqrt((1 - a) / a), within(1e-6 * ddim.sigma(i)));
        }
        // A fractional timestep interpolates: Euler's sigma(i) is its table value at 946.42…
        Scheduler.Sampling euler = Schedulers.create("euler").plan(20);
        double t = euler.timestep(1);
        assertThat(t).isCloseTo(946.42108, within(1e-4));
        double lo = ns.sigmaTable()[946];
        double hi = ns.sigmaTable()[947];
        assertThat(euler.sigma(1)).isCloseTo(lo + (hi - lo) * (t - 946), within(1e-6));
    }

    private static double maxAbs(Tensor a, Tensor b) {
        double m = 0;
        for (int j = 0; j < a.size(); j++) {
            m = Math.max(m, Math.abs((double) a.data()[j] - b.data()[j]));
        }
        return m;
    }

    private static void assertStageError(ThrowingCallable call, ErrorCode code, String... fragments) {
        assertThatThrownBy(call).isInstanceOfSatisfying(StageException.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.getMessage()).contains(fragments);
        });
    }
}
