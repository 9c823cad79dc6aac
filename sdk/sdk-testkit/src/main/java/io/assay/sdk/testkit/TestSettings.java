package io.assay.sdk.testkit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.assay.sdk.ModelConfig;
import io.assay.sdk.settings.ComponentKeys;
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

    /**
     * The settings of the component class {@code component} (annotated with {@link io.assay.sdk.Component}) bound from
     * {@code hocon} as the host binds its block: only the keys it accepts ({@link io.assay.sdk.Component#keys()},
     * since SDK 1.2; every key of its record when it names none). Fails the test with the host's report on any
     * problem, a key it does not accept included.
     */
    @SuppressWarnings("unchecked")
    public static <R extends Record> R bindFor(Class<?> component, String hocon) {
        io.assay.sdk.Component c = component.getAnnotation(io.assay.sdk.Component.class);
        if (c == null) {
            Assertions.fail(component.getName() + " has no @Component annotation");
        }
        Config block = ConfigFactory.parseString(hocon);
        ConfigReport report = new ConfigReport();
        Record r = SettingsBinder.bind(block, block.origin(), "settings", c.settings(),
                ComponentKeys.accepted(component), Set.of(), "component '" + c.name() + "'", Map.of(),
                ModelConfig.NONE, "settings", report);
        if (r == null || report.hasErrors()) {
            Assertions.fail("settings of component '" + c.name() + "' did not bind from {" + hocon + "}:\n"
                    + report.format("the test's settings"));
        }
        return (R) r;
    }

    /** The record of the declared defaults (an empty block). */
    public static <R extends Record> R defaults(Class<R> type) {
        return bind(type, "");
    }
}
