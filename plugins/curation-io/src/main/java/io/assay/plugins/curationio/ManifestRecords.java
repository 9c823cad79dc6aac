package io.assay.plugins.curationio;

import io.assay.sdk.Component;
import jakarta.inject.Inject;
import org.pf4j.Extension;

/**
 * Records of dataset directories: {@code manifest.jsonl} next to the images it names (what the {@code directory}
 * writer writes); an image path leaving the directory is refused, not followed.
 */
@Extension
@Component(name = "manifest", description = "Dataset directories: manifest.jsonl and its images",
        settings = SourceSettings.class)
public final class ManifestRecords extends LibrarySource {

    /** Opens the directories. */
    @Inject
    public ManifestRecords(SourceSettings settings) {
        super("manifest", "manifest", settings.paths(), null);
    }
}
