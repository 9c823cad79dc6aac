package io.assay.plugins.schedulers;

import io.assay.sdk.ModelConfig;
import io.assay.sdk.diffusion.Scheduler;
import io.assay.sdk.testkit.contract.SchedulerContract;
import io.assay.sdk.testkit.contract.SchedulerReference;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Nested;

/**
 * The SDK test kit's {@link SchedulerContract} for each of the nine schedulers (default settings = SD 1.5's
 * configuration), including the replay of every diffusers v0.23.1 reference run of the component.
 */
class SchedulerContractTest {

    /** One component by name; what it declares follows diffusers (LCM and Euler-ancestral draw noise). */
    abstract static class Fixture implements SchedulerContract {
        abstract String name();

        @Override
        public Scheduler create() {
            return Schedulers.create(name());
        }

        @Override
        public boolean stochastic() {
            return Set.of("euler-ancestral", "lcm").contains(name());
        }

        @Override
        public boolean computesDenoised() {
            return !name().equals("pndm");
        }

        @Override
        public List<SchedulerReference.Run> referenceRuns() {
            return SchedulerReference.runs(name());
        }

        /** The plugin reads the model's scheduler_config.json from model-dir (the pipeline's model.dir). */
        @Override
        public Scheduler createForModel(ModelConfig model) {
            return Schedulers.create(name(), SchedulerSettings.builder().modelDir(model.directory().orElseThrow())
                    .build());
        }

        /** Required: the references' tolerance; achieved (and guarded): at most a quarter of it. */
        @Override
        public double referenceToleranceUse() {
            return 0.25;
        }
    }

    @Nested
    class Ddim extends Fixture {
        @Override
        String name() {
            return "ddim";
        }
    }

    @Nested
    class Pndm extends Fixture {
        @Override
        String name() {
            return "pndm";
        }
    }

    @Nested
    class Lms extends Fixture {
        @Override
        String name() {
            return "lms";
        }
    }

    @Nested
    class Euler extends Fixture {
        @Override
        String name() {
            return "euler";
        }
    }

    @Nested
    class EulerAncestral extends Fixture {
        @Override
        String name() {
            return "euler-ancestral";
        }
    }

    @Nested
    class Heun extends Fixture {
        @Override
        String name() {
            return "heun";
        }
    }

    @Nested
    class DpmSolver2m extends Fixture {
        @Override
        String name() {
            return "dpmpp-2m";
        }
    }

    @Nested
    class DpmSolver2mKarras extends Fixture {
        @Override
        String name() {
            return "dpmpp-2m-karras";
        }
    }

    @Nested
    class Lcm extends Fixture {
        @Override
        String name() {
            return "lcm";
        }
    }
}
