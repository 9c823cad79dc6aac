package io.assay.framework.curation;

import io.assay.sdk.Setting;
import java.util.List;

/**
 * The {@code curation.source} block: where records come from.
 *
 * @param type the source kind
 * @param paths files or directories (relative to the config file)
 * @param seed the procedural web's seed
 * @param records the procedural web's size
 * @param countInboundLinks whether crawl sources count inbound links between their pages
 */
public record CurationSourceSettings(
        @Setting(doc = "procedural (the embedded procedural web), warc (WARC or WAT files: pages' <img src alt>, "
                + "image bytes when the crawl holds the responses), webdataset (img2dataset tar shards) or manifest "
                + "(a directory with manifest.jsonl).", defaultValue = "procedural",
                oneOf = {"procedural", "warc", "webdataset", "manifest"}) String type,
        @Setting(doc = "Files or directories to read (warc, webdataset, manifest); relative to the config file.",
                defaultValue = "[]") List<String> paths,
        @Setting(doc = "Seed of the procedural web.", defaultValue = "20261123") long seed,
        @Setting(doc = "Records in the procedural web.", defaultValue = "2400", min = 1) int records,
        @Setting(doc = "Count inbound links between the crawl's own pages (warc/wat), for link-rank.",
                defaultValue = "true") boolean countInboundLinks) {
}
