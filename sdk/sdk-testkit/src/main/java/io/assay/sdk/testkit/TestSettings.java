package io.assay.sdk.testkit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.assay.sdk.ModelConfig;
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
        return bind(type, hocon, ModelConfig.NONE, "settings");
    }

    /**
     * The record bound from {@code hocon} for a component of {@code stage} in a pipeline whose model has the
     * configuration {@code model} (read one with {@link io.assay.sdk.settings.ModelConfigs#read}): settings the block
     * leaves unset that declare a {@link io.assay.sdk.Setting#diffusersKey()} come from the model, as the host fills
     * them (since SDK 1.1).
     *
     * @param stage the stage key, e.g. {@code scheduler} (it decides which files a bare diffusers key is read from)
     */
    public static <R extends Record> R bind(Class<R> type, String hocon, ModelConfig model, String stage) {
        Config block = ConfigFactory.parseString(hocon);
        ConfigReport report = new ConfigReport();
        R r = SettingsBinder.bind(block, block.origin(), stage, type, Set.of(), "settings record '"
                + type.getSimpleName() + "'", Map.of(), model, stage, report);
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
