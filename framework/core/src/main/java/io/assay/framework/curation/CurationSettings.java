package io.assay.framework.curation;

import io.assay.sdk.Setting;

/**
 * The {@code curation} section's own keys (besides {@code source}, {@code filters} and {@code output}).
 *
 * @param format the kept dataset's format
 * @param shardSize records per webdataset shard
 * @param checkpointEvery records between checkpoints
 * @param maxPixels the decoder's pixel budget
 * @param examples examples per filter and reason in the report
 */
public record CurationSettings(
        @Setting(doc = "Kept dataset format: webdataset (NNNNN.tar shards of <key>.png/.txt/.json, as img2dataset "
                + "writes) or directory (images/ + manifest.jsonl).", defaultValue = "webdataset",
                oneOf = {"webdataset", "directory"}) String format,
        @Setting(doc = "Records per webdataset shard.", defaultValue = "1000", min = 1) int shardSize,
        @Setting(doc = "Records between checkpoints (a killed run resumes from the last one).", defaultValue = "500",
                min = 1) int checkpointEvery,
        @Setting(doc = "Images declaring more pixels than this are unreadable (decompression bombs).",
                defaultValue = "40000000", min = 1) long maxPixels,
        @Setting(doc = "Examples per filter and reason shown in report.html.", defaultValue = "6", min = 0)
        int examples) {
}
