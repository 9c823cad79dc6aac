package io.assay.plugins.curationio;

import io.assay.sdk.Component;
import jakarta.inject.Inject;
import org.pf4j.Extension;

/** Records of webdataset shards as img2dataset writes them ({@code NNNNN.tar}: image, {@code .txt}, {@code .json}). */
@Extension
@Component(name = "webdataset", description = "webdataset .tar shards (img2dataset's layout)",
        settings = SourceSettings.class)
public final class WebDatasetRecords extends LibrarySource {

    /** Opens the shards. */
    @Inject
    public WebDatasetRecords(SourceSettings settings) {
        super("webdataset", "webdataset", settings.paths(), null);
    }
}
