package io.assay.plugins.curationio;

import io.assay.sdk.Setting;
import java.nio.file.Path;
import java.util.List;

/**
 * Settings of the {@code warc} source.
 *
 * @param paths WARC or WAT files, or directories of them
 * @param countInboundLinks whether pages' inbound links are counted
 * @param maxTrackedUrls the most URLs remembered per table
 * @param maxRecordBytes the most bytes one compressed record may inflate to
 */
public record CrawlSourceSettings(
        @Setting(doc = "WARC or WAT files (.warc, .warc.gz, .wat, .wat.gz, detected by content) or directories of "
                + "them, relative to the config file", defaultValue = "[]") List<Path> paths,
        @Setting(doc = "Count, per page, the links from the crawl's other pages (for link-rank; costs an HTML parse "
                + "per page in a first pass)", defaultValue = "true") boolean countInboundLinks,
        @Setting(doc = "The most URLs kept in each in-memory table (link counts, image locations); past it pages "
                + "report inbound links -1 and images come without bytes", defaultValue = "5000000", min = 0)
        long maxTrackedUrls,
        @Setting(doc = "The most bytes one record of a compressed crawl may inflate to; a larger one (a "
                + "decompression bomb) is an unreadable record", defaultValue = "1073741824", min = 1)
        long maxRecordBytes) {

    /** Requires a path. */
    public CrawlSourceSettings {
        if (paths.isEmpty()) {
            throw new IllegalArgumentException("'paths' must name at least one WARC/WAT file or directory");
        }
    }
}
