package io.assay.framework.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.assay.sdk.tensor.Npy;
import io.assay.sdk.tensor.Tensor;
import io.assay.sdk.testkit.References;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The raw benchmark loop's scheduler arithmetic equals diffusers' (the scheduler references of
 * {@code ../shared/reference/schedulers}): timesteps, σ values and whole 20/50-step loops of Euler (linspace spacing,
 * fractional timesteps) and DDIM (leading spacing) on the reference's fake model, from SD 1.5's scheduler config.
 */
class RawScheduleTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({"euler_20, EULER, linspace", "euler_50, EULER, linspace", "ddim_20, DDIM, leading",
        "ddim_50, DDIM, leading"})
    void loopMatchesDiffusers(String run, RawSchedule.Kind kind, String spacing) throws IOException {
        Path dir = References.require("schedulers");
        ObjectMapper json = new ObjectMapper().enable(
                com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS.mappedFeature());
        JsonNode index = json.readTree(dir.resolve("index.json").toFile());
        ObjectNode config = ((ObjectNode) index.get("sd15_scheduler_config").deepCopy()).put("timestep_spacing",
                spacing);
        int steps = Integer.parseInt(run.substring(run.indexOf('_') + 1));
        RawSchedule s = new RawSchedule(config, kind, steps);

        float[] refT = Npy.readTensor(dir.resolve(run).resolve("timesteps.npy")).data();
        assertThat(s.timesteps).hasSize(refT.length);
        for (int i = 0; i < refT.length; i++) {
            assertThat(s.timesteps[i]).as("timestep %d", i).isCloseTo(refT[i], within(1e-3));
        }
        if (kind == RawSchedule.Kind.EULER) {
            float[] refSigma = Npy.readTensor(dir.resolve(run).resolve("sigmas.npy")).data();
            for (int i = 0; i < refSigma.length; i++) {
                assertThat(s.sigmas[i]).as("sigma %d", i).isCloseTo(refSigma[i], within(1e-4 * (1 + refSigma[i])));
            }
        }

        float[] x = Npy.readTensor(dir.resolve("sample0.npy")).data().clone();
        float init = (float) s.initNoiseSigma();
        for (int j = 0; j < x.length; j++) {
            x[j] *= init;
        }
        float[] eps = new float[x.length];
        for (int i = 0; i < steps; i++) {
            float scale = s.inputScale(i);
            for (int j = 0; j < x.length; j++) {
                eps[j] = (float) (0.1 * (double) (x[j] * scale) + 1e-5 * s.timesteps[i]);
            }
            s.step(x, eps, i);
        }
        Tensor fin = Npy.readTensor(dir.resolve(run).resolve("final.npy"));
        float[] ref = fin.data();
        double maxRef = 0;
        double maxDiff = 0;
        for (int j = 0; j < ref.length; j++) {
            maxRef = Math.max(maxRef, Math.abs(ref[j]));
            maxDiff = Math.max(maxDiff, Math.abs(ref[j] - x[j]));
        }
        assertThat(maxDiff).as("final sample vs diffusers (max |ref| %s)", maxRef).isLessThan(1e-4 * (1 + maxRef));
        assertThat(List.of(fin.shape()[0], fin.shape()[1])).containsExactly(1L, 4L);
    }
}
