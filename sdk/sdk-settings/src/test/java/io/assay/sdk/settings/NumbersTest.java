package io.assay.sdk.settings;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import io.assay.sdk.Setting;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Numbers are checked, not coerced: Typesafe Config alone reads 2.5 as 2 and 2^63 as 2^63−1. */
class NumbersTest {

    record Numbers(@Setting(doc = "steps", defaultValue = "20", min = 1) int steps,
            @Setting(doc = "seed", defaultValue = "0") long seed,
            @Setting(doc = "scale", defaultValue = "7.5") double scale,
            @Setting(doc = "gain", defaultValue = "1") float gain,
            @Setting(doc = "scales", defaultValue = "[1]") List<Double> scales,
            @Setting(doc = "sizes", defaultValue = "[8]") List<Integer> sizes) {
    }

    static ConfigReport bind(String hocon) {
        Config c = ConfigFactory.parseString(hocon, ConfigParseOptions.defaults().setOriginDescription("t.conf"));
        ConfigReport report = new ConfigReport();
        SettingsBinder.bind(c, null, "n", Numbers.class, Set.of(), "test", Map.of(), report);
        return report;
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "steps = 2.5                    | n.steps: expected a whole number, found 2.5",
        "steps = \"2.5\"                | n.steps: expected a whole number, found 2.5",
        "steps = 3000000000             | n.steps: expected a whole number in [-2^31, 2^31-1], found 3000000000",
        "steps = 1e400                  | n.steps: expected a whole number, found Infinity",
        "seed = 9223372036854775808     | n.seed: expected a whole number in [-2^63, 2^63-1]",
        "seed = 18446744073709551615    | n.seed: expected a whole number in [-2^63, 2^63-1]",
        "seed = -9223372036854775809    | n.seed: expected a whole number in [-2^63, 2^63-1]",
        "seed = 1.0000001               | n.seed: expected a whole number",
        "scale = NaN                    | n.scale: expected a finite number, found NaN",
        "scale = Infinity               | n.scale: expected a finite number, found ∞",
        "scale = \"-Infinity\"          | n.scale: expected a finite number, found -∞",
        "scale = 1e400                  | n.scale: expected a finite number",
        "gain = 1e39                    | n.gain: expected a number that fits a float",
        "scales = [1, NaN]              | n.scales: expected finite numbers, found NaN",
        "sizes = [8, 8.5]               | n.sizes: expected a whole number, found 8.5",
        "steps = many                   | n.steps: expected a whole number, found \"many\" (string)"})
    void refusedNamingTheKey(String hocon, String message) {
        ConfigReport r = bind(hocon);
        assertThat(r.errors()).hasSize(1);
        assertThat(r.errors().get(0).render()).contains("t.conf:1: " + message.trim()).doesNotContain("Exception");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"steps = 20", "steps = 20.0", "steps = 1e3", "seed = 9223372036854775807",
        "seed = -9223372036854775808", "seed = \"42\"", "scale = 1e300", "sizes = [8, 16]"})
    void accepted(String hocon) {
        assertThat(bind(hocon).errors()).isEmpty();
    }
}
