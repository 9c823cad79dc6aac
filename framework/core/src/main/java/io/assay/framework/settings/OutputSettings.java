package io.assay.framework.settings;

import io.assay.sdk.Setting;
import java.nio.file.Path;

/** The {@code output} section: where results go. */
public record OutputSettings(
        @Setting(doc = "Directory for images and reports.", defaultValue = "out") Path dir,
        @Setting(doc = "Also write init.npy and final.npy latents into this directory; unset = do not.")
        Path saveLatents,
        @Setting(doc = "Write trace.json and trace.html next to the images.", defaultValue = "false") boolean trace) {
}
