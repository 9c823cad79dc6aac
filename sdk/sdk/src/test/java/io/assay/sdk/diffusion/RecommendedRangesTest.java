package io.assay.sdk.diffusion;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RecommendedRangesTest {

    @Recommended(steps = {2, 8}, guidance = {1, 2}, reason = "LCM-distilled models")
    static final class Lcm {
    }

    @Recommended(steps = {8, 2}, guidance = {-1, 2, 3})
    static final class Broken {
    }

    @Test
    void warnsOutsideTheRangesOnly() {
        assertThat(RecommendedRanges.warnings(Lcm.class, "scheduler 'lcm'", 4, 1.5)).isEmpty();
        assertThat(RecommendedRanges.warnings(Lcm.class, "scheduler 'lcm'", 2, 1.0)).isEmpty();
        assertThat(RecommendedRanges.warnings(Lcm.class, "scheduler 'lcm'", 20, 7.5)).containsExactly(
                "scheduler 'lcm' is meant for 2 to 8 steps; this run has 20 (LCM-distilled models)",
                "scheduler 'lcm' is meant for a guidance scale of 1 to 2; this run has 7.5 (LCM-distilled models)");
        assertThat(RecommendedRanges.warnings(Lcm.class, "scheduler 'lcm'", 9, null)).hasSize(1);
        assertThat(RecommendedRanges.warnings(String.class, "x", 1000, 100.0)).isEmpty();
    }

    @Test
    void aBrokenDeclarationIsReportedAndNeverWarns() {
        assertThat(RecommendedRanges.problems(Lcm.class)).isEmpty();
        assertThat(RecommendedRanges.problems(Broken.class)).hasSize(3).anySatisfy(p -> assertThat(p)
                .contains("steps must be {} or {min, max}").contains("[8, 2]"))
                .anySatisfy(p -> assertThat(p).contains("guidance must be").contains("[-1.0, 2.0, 3.0]"))
                .anySatisfy(p -> assertThat(p).contains("expected a reason"));
        assertThat(RecommendedRanges.warnings(Broken.class, "x", 100, 100.0)).isEmpty();
    }
}
