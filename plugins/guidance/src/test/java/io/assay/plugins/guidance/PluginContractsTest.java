package io.assay.plugins.guidance;

import io.assay.sdk.testkit.contract.PackagingContract;
import io.assay.sdk.testkit.contract.SettingsContract;
import org.junit.jupiter.api.Nested;

/** The test kit's settings contract for every settings record of this plugin, and its packaging contract. */
class PluginContractsTest {

    @Nested
    class Packaging implements PackagingContract {
    }

    @Nested
    class Cfg implements SettingsContract {
        @Override
        public Class<? extends Record> settingsType() {
            return CfgSettings.class;
        }
    }

    @Nested
    class Rescale implements SettingsContract {
        @Override
        public Class<? extends Record> settingsType() {
            return RescaleSettings.class;
        }
    }

    @Nested
    class Interval implements SettingsContract {
        @Override
        public Class<? extends Record> settingsType() {
            return IntervalSettings.class;
        }
    }

    @Nested
    class Apg implements SettingsContract {
        @Override
        public Class<? extends Record> settingsType() {
            return ApgSettings.class;
        }
    }

    @Nested
    class Composable implements SettingsContract {
        @Override
        public Class<? extends Record> settingsType() {
            return ComposableSettings.class;
        }
    }

    @Nested
    class PerpNeg implements SettingsContract {
        @Override
        public Class<? extends Record> settingsType() {
            return PerpNegSettings.class;
        }
    }
}
