package com.example.assay.exampleddim;

import io.assay.sdk.testkit.contract.SettingsContract;

/** Every key documented, defaults bind, unknown keys refused — as the host binds them. */
class ExampleDdimSettingsTest implements SettingsContract {

    @Override
    public Class<? extends Record> settingsType() {
        return ExampleDdimSettings.class;
    }
}
