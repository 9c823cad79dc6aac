package io.assay.plugins.curationio;

import io.assay.lib.websources.DatasetWriters;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import io.assay.sdk.curation.DatasetWriter;
import io.assay.sdk.curation.WebRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** A {@code libs/web-sources} writer as an SDK {@link DatasetWriter}; the subclasses choose the format. */
abstract class LibraryWriter implements DatasetWriter {

    private final String format;
    private final int shardSize;
    private final String readBy;
    private volatile boolean closed;

    LibraryWriter(String format, int shardSize, String readBy) {
        this.format = format;
        this.shardSize = shardSize;
        this.readBy = readBy;
    }

    @Override
    public final Output open(Path directory, Map<String, Object> resumeFrom) throws IOException {
        if (closed) {
            throw new StageException(ErrorCode.CLOSED, "Component '" + format + "' was closed");
        }
        io.assay.lib.websources.DatasetWriter w;
        try {
            w = DatasetWriters.open(format, directory, shardSize, resumeFrom);
        } catch (IllegalArgumentException e) {
            throw new StageException(ErrorCode.INVALID_INPUT, "Component '" + format + "': " + e.getMessage(), e);
        }
        return new Output() {
            @Override
            public void write(WebRecord record, Map<String, Object> extra) throws IOException {
                w.write(record, extra);
            }

            @Override
            public Map<String, Object> checkpoint() throws IOException {
                return w.checkpoint();
            }

            @Override
            public long written() {
                return w.written();
            }

            @Override
            public void close() throws IOException {
                w.close();
            }
        };
    }

    @Override
    public final String readBy() {
        return readBy;
    }

    /** Outputs already open stay usable until their run closes them; new ones are refused. */
    @Override
    public final void close() {
        closed = true;
    }
}
