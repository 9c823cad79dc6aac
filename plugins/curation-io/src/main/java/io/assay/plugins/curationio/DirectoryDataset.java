package io.assay.plugins.curationio;

import io.assay.sdk.Component;
import jakarta.inject.Inject;
import org.pf4j.Extension;

/**
 * Kept records as a directory: {@code images/<key>.<ext>} and {@code manifest.jsonl}, which grows by whole lines whose
 * images are already in place; a checkpoint fsyncs the manifest. Read back by the {@code manifest} source.
 */
@Extension
@Component(name = "directory", description = "A directory of images and manifest.jsonl, crash-safe")
public final class DirectoryDataset extends LibraryWriter {

    /** The writer; it has no settings. */
    @Inject
    public DirectoryDataset() {
        super("directory", 1, "manifest");
    }
}
