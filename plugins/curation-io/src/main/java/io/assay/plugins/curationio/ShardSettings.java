package io.assay.plugins.curationio;

import io.assay.sdk.Setting;

/**
 * Settings of the {@code webdataset} writer.
 *
 * @param shardSize records per shard
 */
public record ShardSettings(
        @Setting(doc = "Records per shard (NNNNN.tar)", defaultValue = "1000", min = 1, max = 1000000) int shardSize) {
}
