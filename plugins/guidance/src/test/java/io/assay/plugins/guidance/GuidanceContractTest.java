package io.assay.plugins.guidance;

import io.assay.sdk.diffusion.Guidance;
import io.assay.sdk.testkit.TestSettings;
import io.assay.sdk.testkit.contract.GuidanceContract;
import org.junit.jupiter.api.Nested;

/**
 * The SDK test kit's {@link GuidanceContract} for every component, bound from settings as the host binds them;
 * the CFG family declares itself CFG-like (scale 1 and {@code uncond == cond} give {@code cond}).
 */
class GuidanceContractTest {

    @Nested
    class None implements GuidanceContract {
        @Override
        public Guidance create() {
            return new NoGuidance();
        }
    }

    @Nested
    class Cfg implements GuidanceContract {
        @Override
        public Guidance create() {
            return new ClassifierFreeGuidance(TestSettings.defaults(CfgSettings.class));
        }

        @Override
        public boolean cfgLike() {
            return true;
        }

        @Override
        public Guidance createAtScale(double scale) {
            return new ClassifierFreeGuidance(TestSettings.bind(CfgSettings.class, "scale = " + scale));
        }
    }

    /** Guided on the middle of the run only, so both kinds of step occur. */
    @Nested
    class CfgWithStartAndStop implements GuidanceContract {
        @Override
        public Guidance create() {
            return createAtScale(7.5);
        }

        @Override
        public boolean cfgLike() {
            return true;
        }

        @Override
        public Guidance createAtScale(double scale) {
            return new ClassifierFreeGuidance(TestSettings.bind(CfgSettings.class,
                    "scale = " + scale + ", start = 0.25, stop = 0.75"));
        }
    }

    @Nested
    class CfgRescale implements GuidanceContract {
        @Override
        public Guidance create() {
            return new RescaledClassifierFreeGuidance(TestSettings.defaults(RescaleSettings.class));
        }

        @Override
        public boolean cfgLike() {
            return true;
        }

        @Override
        public Guidance createAtScale(double scale) {
            return new RescaledClassifierFreeGuidance(TestSettings.bind(RescaleSettings.class, "scale = " + scale));
        }

        /** φ·x + (1 − φ)·x in float32 may differ from x by an ulp. */
        @Override
        public double tolerance() {
            return 1e-5;
        }
    }

    /** The contract's steps sweep σ from 14.6 to 0.03, so some are inside (0.28, 5.42] and some outside. */
    @Nested
    class CfgInterval implements GuidanceContract {
        @Override
        public Guidance create() {
            return new IntervalClassifierFreeGuidance(TestSettings.defaults(IntervalSettings.class));
        }

        @Override
        public boolean cfgLike() {
            return true;
        }

        @Override
        public Guidance createAtScale(double scale) {
            return new IntervalClassifierFreeGuidance(TestSettings.bind(IntervalSettings.class, "scale = " + scale));
        }
    }

    @Nested
    class Apg implements GuidanceContract {
        @Override
        public Guidance create() {
            return new AdaptiveProjectedGuidance(TestSettings.defaults(ApgSettings.class));
        }

        @Override
        public boolean cfgLike() {
            return true;
        }

        @Override
        public Guidance createAtScale(double scale) {
            return new AdaptiveProjectedGuidance(TestSettings.bind(ApgSettings.class, "scale = " + scale));
        }

        @Override
        public double tolerance() {
            return 1e-5;
        }
    }

    /** Reverse momentum and a tight norm threshold: per-run state and per-row norms matter. */
    @Nested
    class ApgWithMomentum implements GuidanceContract {
        @Override
        public Guidance create() {
            return createAtScale(7.5);
        }

        @Override
        public boolean cfgLike() {
            return true;
        }

        @Override
        public Guidance createAtScale(double scale) {
            return new AdaptiveProjectedGuidance(TestSettings.bind(ApgSettings.class, "scale = " + scale
                    + ", momentum = -0.5, norm-threshold = 1, formulation = diffusers"));
        }

        @Override
        public double tolerance() {
            return 1e-5;
        }
    }

    /** One term: composable is CFG. */
    @Nested
    class ComposableOneTerm implements GuidanceContract {
        @Override
        public Guidance create() {
            return createAtScale(7.5);
        }

        @Override
        public boolean cfgLike() {
            return true;
        }

        @Override
        public Guidance createAtScale(double scale) {
            return new ComposableGuidance(TestSettings.bind(ComposableSettings.class, "scale = " + scale));
        }
    }

    /** Three weighted terms, one negative. */
    @Nested
    class ComposableTerms implements GuidanceContract {
        @Override
        public Guidance create() {
            return new ComposableGuidance(TestSettings.defaults(ComposableSettings.class));
        }

        @Override
        public Guidance.Prompt prompt() {
            return new Guidance.Prompt("a red circle AND a blue square :: 0.5 AND text :: -0.3", "blurry");
        }
    }

    /** A complementary prompt and two negative terms, projected per batch row. */
    @Nested
    class PerpNeg implements GuidanceContract {
        @Override
        public Guidance create() {
            return new PerpNegGuidance(TestSettings.defaults(PerpNegSettings.class));
        }

        @Override
        public Guidance.Prompt prompt() {
            return new Guidance.Prompt("a lion AND side view :: 0.5", "front view :: 1.5 AND a tail");
        }

        @Override
        public double tolerance() {
            return 1e-5;
        }
    }

    /** Without a negative prompt perp-neg is CFG against the empty prompt. */
    @Nested
    class PerpNegWithoutNegative implements GuidanceContract {
        @Override
        public Guidance create() {
            return createAtScale(7.5);
        }

        @Override
        public Guidance.Prompt prompt() {
            return new Guidance.Prompt("a lighthouse", "");
        }

        @Override
        public boolean cfgLike() {
            return true;
        }

        @Override
        public Guidance createAtScale(double scale) {
            return new PerpNegGuidance(TestSettings.bind(PerpNegSettings.class, "scale = " + scale));
        }

        @Override
        public double tolerance() {
            return 1e-5;
        }
    }
}
