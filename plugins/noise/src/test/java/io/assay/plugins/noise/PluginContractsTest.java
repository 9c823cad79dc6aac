package io.assay.plugins.noise;

import io.assay.sdk.testkit.contract.PackagingContract;
import io.assay.sdk.testkit.contract.SettingsContract;
import org.junit.jupiter.api.Nested;

/** The test kit's settings contract for {@code replay}'s settings, and the plugin's packaging contract. */
class PluginContractsTest {

    @Nested
    class Packaging implements PackagingContract {
    }

    @Nested
    class Replay implements SettingsContract {
        @Override
        public Class<? extends Record> settingsType() {
            return ReplaySettings.class;
        }

        /** {@code initial} has no default: the record refuses to be built without it. */
        @Override
        public String requiredSettings() {
            return "initial = \"init_latents.npy\"";
        }
    }
}
