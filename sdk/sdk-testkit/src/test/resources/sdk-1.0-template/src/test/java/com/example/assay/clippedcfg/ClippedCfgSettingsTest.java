package com.example.assay.clippedcfg;

import io.assay.sdk.testkit.contract.SettingsContract;

/** Every key documented, defaults bind, unknown keys refused — as the host binds them. */
class ClippedCfgSettingsTest implements SettingsContract {

    @Override
    public Class<? extends Record> settingsType() {
        return ClippedCfgSettings.class;
    }
}
