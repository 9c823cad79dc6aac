package io.assay.sdk.testkit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.assay.sdk.settings.ConfigReport;
import io.assay.sdk.settings.SettingsBinder;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Assertions;

/**
 * Builds a settings record from HOCON text exactly as the host binds a component's block
 * ({@link SettingsBinder#bind}: defaults, ranges, {@code oneOf}, unknown keys), so a test's stage gets the settings
 * a pipeline file would give it:
 *
 * <pre>
 * new ClassifierFreeGuidance(TestSettings.bind(CfgSettings.class, "scale = 1"))
 * </pre>
 */
public final class TestSettings {

    private TestSettings() {
    }

    /** The record bound from {@code hocon} (may be empty); fails the test with the host's report on any problem. */
    public static <R extends Record> R bind(Class<R> type, String hocon) {
        Config block = ConfigFactory.parseString(hocon);
        ConfigReport report = new ConfigReport();
        R r = SettingsBinder.bind(block, block.origin(), "settings", type, Set.of(), "settings record '"
                + type.getSimpleName() + "'", Map.of(), report);
        if (r == null || report.hasErrors()) {
            Assertions.fail("settings " + type.getName() + " did not bind from {" + hocon + "}:\n"
                    + report.format("the test's settings"));
        }
        return r;
    }

    /** The record of the declared defaults (an empty block). */
    public static <R extends Record> R defaults(Class<R> type) {
        return bind(type, "");
    }
}
