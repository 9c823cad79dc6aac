package io.assay.lib.websources;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/** Opens {@link DatasetWriter}s for the curated output. */
public final class DatasetWriters {

    private DatasetWriters() {
    }

    /**
     * Opens a writer.
     *
     * <p>Formats: {@code "webdataset"} (shards of {@code shardSize} records: {@code 00000.tar}, {@code 00001.tar}, …
     * with {@code <key>.<ext>}, {@code <key>.txt}, {@code <key>.json}; key = 9-digit running number) or
     * {@code "directory"} ({@code images/<key>.<ext>} + {@code manifest.jsonl} in the format the manifest reader
     * reads). Both read back through {@link RecordSources#open} with the original ids, captions, bytes and metadata.
     *
     * <p>{@code resumeFrom} {@code null} = fresh (the directory must be empty or absent); otherwise a map returned by
     * {@link DatasetWriter#checkpoint()}: the writer deletes/truncates anything written after that position (later
     * shards and temp files; manifest bytes beyond the length; image files not in the manifest) and continues
     * numbering from there.
     *
     * @param shardSize records per shard (webdataset only; ignored for the directory form)
     * @throws IllegalArgumentException for an unknown format, a bad shard size, or a checkpoint of another format
     * @throws IOException if the directory is not empty for a fresh start, or does not match the checkpoint
     */
    public static DatasetWriter open(String format, Path dir, int shardSize, Map<String, Object> resumeFrom)
            throws IOException {
        Objects.requireNonNull(format, "format is null");
        Objects.requireNonNull(dir, "dir is null");
        switch (format.toLowerCase(Locale.ROOT)) {
            case "webdataset":
                if (shardSize <= 0) {
                    throw new IllegalArgumentException("shardSize must be positive, got " + shardSize);
                }
                return WebDatasetWriter.open(dir, shardSize, resumeFrom);
            case "directory":
                return DirectoryWriter.open(dir, resumeFrom);
            default:
                throw new IllegalArgumentException("unknown dataset format '" + format
                        + "' (expected webdataset or directory)");
        }
    }
}
