package io.assay.plugins.onnxsd;

import io.assay.sdk.testkit.contract.PackagingContract;
import io.assay.sdk.testkit.contract.SettingsContract;
import org.junit.jupiter.api.Nested;

/** The test kit's settings contract for the three settings records, and the plugin's packaging contract. */
class PluginContractsTest {

    @Nested
    class Packaging implements PackagingContract {
    }

    @Nested
    class Clip implements SettingsContract {
        @Override
        public Class<? extends Record> settingsType() {
            return ClipSettings.class;
        }
    }

    @Nested
    class Unet implements SettingsContract {
        @Override
        public Class<? extends Record> settingsType() {
            return UnetSettings.class;
        }
    }

    @Nested
    class Vae implements SettingsContract {
        @Override
        public Class<? extends Record> settingsType() {
            return VaeSettings.class;
        }
    }
}
