package io.assay.plugins.schedulers;

import io.assay.sdk.testkit.contract.PackagingContract;
import io.assay.sdk.testkit.contract.SettingsContract;
import org.junit.jupiter.api.Nested;

/** The test kit's settings and packaging contracts for this plugin. */
class PluginContractsTest {

    @Nested
    class Packaging implements PackagingContract {
    }

    @Nested
    class Settings implements SettingsContract {
        @Override
        public Class<? extends Record> settingsType() {
            return SchedulerSettings.class;
        }
    }
}
