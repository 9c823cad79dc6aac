package io.assay.plugins.curationio;

import io.assay.sdk.Component;
import jakarta.inject.Inject;
import org.pf4j.Extension;

/**
 * Kept records as webdataset shards ({@code 00000.tar}, … of {@code shard-size} records: {@code <key>.<ext>},
 * {@code <key>.txt}, {@code <key>.json}), each written under a temporary name and renamed when complete; a
 * checkpoint closes the current shard. Read back by the {@code webdataset} source.
 */
@Extension
@Component(name = "webdataset", description = "webdataset .tar shards (img2dataset's layout), crash-safe",
        settings = ShardSettings.class)
public final class WebDatasetShards extends LibraryWriter {

    /** A writer of {@code shard-size}-record shards. */
    @Inject
    public WebDatasetShards(ShardSettings settings) {
        super("webdataset", settings.shardSize(), "webdataset");
    }
}
