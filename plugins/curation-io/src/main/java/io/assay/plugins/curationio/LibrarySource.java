package io.assay.plugins.curationio;

import io.assay.lib.websources.RecordSources;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import io.assay.sdk.curation.RecordSource;
import io.assay.sdk.curation.WebRecord;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;

/** A {@code libs/web-sources} reader as an SDK {@link RecordSource}; the subclasses choose the kind and options. */
abstract class LibrarySource implements RecordSource {

    private final String component;
    private final io.assay.lib.websources.RecordSource source;
    private volatile boolean closed;

    /**
     * Opens the library's source; a missing path or one without matching files is {@code INVALID_INPUT}, before any
     * pass starts.
     */
    LibrarySource(String component, String type, List<Path> paths, RecordSources.Options options) {
        this.component = component;
        try {
            this.source = RecordSources.open(type, paths, options);
        } catch (IllegalArgumentException e) {
            throw new StageException(ErrorCode.INVALID_INPUT, "Component '" + component + "': " + e.getMessage(), e);
        }
    }

    @Override
    public final Iterator<WebRecord> records() {
        if (closed) {
            throw new StageException(ErrorCode.CLOSED, "Component '" + component + "' was closed");
        }
        return source.records();
    }

    @Override
    public final String describe() {
        return source.describe();
    }

    @Override
    public final void close() {
        if (!closed) {
            closed = true;
            source.close();
        }
    }
}
