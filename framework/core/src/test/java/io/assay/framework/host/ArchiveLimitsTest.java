package io.assay.framework.host;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ArchiveLimitsTest {

    final ArchiveLimits limits = new ArchiveLimits(10, 1000L << 20, 100);

    @Test
    void withinTheLimitsIsNoProblem() {
        assertThat(limits.problem(10, 1000L << 20, 20L << 20)).isNull();
        assertThat(limits.problem(1, 60L << 20, 1)).as("below the ratio floor a tiny archive may expand a lot")
                .isNull();
    }

    @Test
    void eachLimitIsNamedBySetting() {
        assertThat(limits.problem(11, 0, 1)).contains("11 entries", "plugins.max-archive-entries (10)");
        assertThat(limits.problem(1, (1000L << 20) + 1, 1L << 30)).contains("plugins.max-archive-bytes");
        assertThat(limits.problem(1, 200L << 20, 1L << 20)).contains("(200:1)", "plugins.max-archive-ratio (100:1)",
                "zip bomb");
    }
}
