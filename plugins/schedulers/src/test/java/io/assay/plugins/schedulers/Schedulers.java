package io.assay.plugins.schedulers;

import io.assay.sdk.diffusion.NoiseStream;
import io.assay.sdk.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/** Test helpers: every component by name, and the fake model of the scheduler references. */
final class Schedulers {

    /** Component name → constructor. */
    static final Map<String, BiFunction<SchedulerSettings, TestContext, AbstractDiffusersScheduler>> ALL = Map.of(
            "ddim", DdimScheduler::new,
            "pndm", PndmScheduler::new,
            "lms", LmsDiscreteScheduler::new,
            "euler", EulerDiscreteScheduler::new,
            "euler-ancestral", EulerAncestralScheduler::new,
            "heun", HeunDiscreteScheduler::new,
            "dpmpp-2m", DpmSolverMultistepScheduler::new,
            "dpmpp-2m-karras", DpmSolverMultistepKarrasScheduler::new,
            "lcm", LcmScheduler::new);

    /** The component names, sorted. */
    static final List<String> NAMES = ALL.keySet().stream().sorted().toList();

    private Schedulers() {
    }

    static AbstractDiffusersScheduler create(String name, SchedulerSettings settings) {
        return ALL.get(name).apply(settings, new TestContext(name));
    }

    static AbstractDiffusersScheduler create(String name) {
        return create(name, SchedulerSettings.defaults());
    }

    /** The references' fake model: {@code eps = float32(0.1·x_in + 1e-5·t)} in float64. */
    static Tensor fakeModel(Tensor xIn, double t) {
        float[] x = xIn.data();
        float[] out = new float[x.length];
        for (int j = 0; j < x.length; j++) {
            out[j] = (float) (0.1 * (double) x[j] + 1e-5 * t);
        }
        return new Tensor(xIn.shape(), out);
    }

    /** A stream that serves {@code value}-filled blocks and counts step draws. */
    static final class ConstantNoise implements NoiseStream {
        final float value;
        int stepDraws;

        ConstantNoise(float value) {
            this.value = value;
        }

        @Override
        public Tensor draw(long[] shape) {
            return Tensor.filled(value, shape);
        }

        @Override
        public Tensor drawForStep(int iteration, long[] shape) {
            stepDraws++;
            return draw(shape);
        }
    }
}
