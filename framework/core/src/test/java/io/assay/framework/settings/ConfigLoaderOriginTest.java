package io.assay.framework.settings;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import io.assay.sdk.settings.ConfigProblem;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Overrides from dedicated flags keep the flag as their origin, so problems name what the user typed. */
class ConfigLoaderOriginTest {

    @Test
    void aFlagsOverrideCarriesTheFlagAndASetCarriesSet() {
        ConfigLoader loader = new ConfigLoader(ConfigLoader.frameworkReference());
        Config c = loader.load(null, List.of(ConfigLoader.fromFlag("--scheduler", "scheduler.name", "\"eulr\""),
                "run.steps=12"), null);
        assertThat(c.getString("scheduler.name")).isEqualTo("eulr");
        assertThat(c.getInt("run.steps")).isEqualTo(12);
        assertThat(ConfigProblem.describe(c.getValue("scheduler.name").origin())).isEqualTo("command line --scheduler");
        assertThat(ConfigProblem.describe(c.getValue("run.steps").origin())).isEqualTo(ConfigLoader.SET_ORIGIN);
    }

    @Test
    void aPlainStringFromAFlagKeepsTheFlagToo() {
        ConfigLoader loader = new ConfigLoader(ConfigLoader.frameworkReference());
        Config c = loader.load(null, List.of(ConfigLoader.fromFlag("--negative", "run.negative", "blurry, {bad")),
                null);
        assertThat(c.getString("run.negative")).isEqualTo("blurry, {bad");
        assertThat(ConfigProblem.describe(c.getValue("run.negative").origin())).isEqualTo("command line --negative");
    }
}
