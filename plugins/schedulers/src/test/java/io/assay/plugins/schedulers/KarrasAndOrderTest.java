package io.assay.plugins.schedulers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.assay.sdk.diffusion.Scheduler;
import io.assay.sdk.tensor.Npy;
import io.assay.sdk.tensor.Tensor;
import io.assay.sdk.testkit.References;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Options the diffusers references do not exercise directly, checked against what they do record. */
class KarrasAndOrderTest {

    /**
     * Euler, LMS and Heun with Karras sigmas span the same σ range as DPM-Solver++ Karras (their linspace timesteps
     * start at 999 and end at 0), so their σ schedule must equal the recorded {@code dpmpp_2m_karras_20} one, and
     * their fractional timesteps must round to its timesteps.
     */
    @Test
    void karrasSigmasOfTheSigmaSchedulersEqualTheRecordedDpmOnes() throws IOException {
        JsonNode index = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build()
                .readTree(References.require("schedulers/index.json").toFile());
        JsonNode karras = null;
        for (JsonNode run : index.get("runs")) {
            if (run.get("dir").asText().equals("dpmpp_2m_karras_20")) {
                karras = run;
            }
        }
        assertThat(karras).isNotNull();
        SchedulerSettings settings = SchedulerSettings.builder().useKarrasSigmas(true).build();
        for (String name : List.of("euler", "lms", "heun")) {
            Scheduler.Sampling s = Schedulers.create(name, settings).plan(20);
            int stride = name.equals("heun") ? 2 : 1;
            for (int k = 0; k < 20; k++) {
                int i = k == 0 ? 0 : stride * k - (stride - 1);
                double ref = karras.get("sigmas").get(k).asDouble();
                assertThat(s.sigma(i)).as("%s sigma %d", name, k).isCloseTo(ref, within(1e-6 * ref));
                assertThat(Math.rint(s.timestep(i))).as("%s timestep %d", name, k)
                        .isEqualTo(karras.get("timesteps").get(k).asDouble());
            }
        }
    }

    /**
     * DPM-Solver++ of order 1, 2 and 3 (Karras sigmas) on data drawn from N(0, s²): the ideal denoiser predicts
     * {@code x0 = α·s²/(α²s² + σ²)·x}, and the probability-flow ODE then keeps {@code x/sqrt(α²s² + σ²)} constant,
     * an exact solution to compare with. Halving the step size must divide the error by about 2 (order 1) or 4
     * (orders 2 and 3: the first-order start step and diffusers' third-order formula, which weights its second
     * difference by half of what exactness on quadratics needs, both limit them to a second-order rate), and each
     * order must beat the one below it.
     */
    @Test
    void solverOrdersConvergeOnAnExactlySolvableOde() throws IOException {
        Tensor start = Npy.readTensor(References.require("schedulers/sample0.npy"));
        double[] minRate = {1.8, 3.5, 2.8};
        double[] previous = null;
        for (int order = 1; order <= 3; order++) {
            double[] errors = {gaussianError(order, 20, start), gaussianError(order, 40, start),
                gaussianError(order, 80, start)};
            for (int k = 0; k + 1 < errors.length; k++) {
                assertThat(errors[k] / errors[k + 1]).as("order %d rate at step %d", order, k)
                        .isGreaterThan(minRate[order - 1]);
            }
            if (previous != null) {
                for (int k = 0; k < errors.length; k++) {
                    assertThat(errors[k]).as("order %d vs %d", order, order - 1).isLessThan(previous[k] / 2);
                }
            }
            previous = errors;
        }
    }

    private static final double S = 0.5;

    private static double gaussianError(int order, int steps, Tensor start) {
        SchedulerSettings settings = SchedulerSettings.builder().solverOrder(order).lowerOrderFinal(false).build();
        AbstractDiffusersScheduler scheduler = Schedulers.create("dpmpp-2m-karras", settings);
        Scheduler.Sampling s = scheduler.plan(steps);
        Tensor x = start;
        for (int i = 0; i < s.iterations(); i++) {
            double sigma = s.sigma(i);
            double alpha = 1 / Math.sqrt(sigma * sigma + 1);
            double sigmaT = sigma * alpha;
            double gain = alpha * S * S / (alpha * alpha * S * S + sigmaT * sigmaT);
            float[] d = x.data();
            float[] eps = new float[d.length];
            for (int j = 0; j < d.length; j++) {
                eps[j] = (float) ((d[j] - alpha * gain * d[j]) / sigmaT);
            }
            x = s.step(new Tensor(x.shape(), eps), i, x, null).prevSample();
        }
        double s0 = s.sigma(0);
        double sEnd = scheduler.schedule().sigmaTable()[0];
        double ratio = scale(sEnd) / scale(s0);
        double err = 0;
        for (int j = 0; j < start.size(); j++) {
            err = Math.max(err, Math.abs(x.data()[j] - start.data()[j] * ratio));
        }
        return err;
    }

    /** sqrt(α²s² + σ_t²) for VE sigma σ. */
    private static double scale(double sigma) {
        double alpha = 1 / Math.sqrt(sigma * sigma + 1);
        double sigmaT = sigma * alpha;
        return Math.sqrt(alpha * alpha * S * S + sigmaT * sigmaT);
    }
}
