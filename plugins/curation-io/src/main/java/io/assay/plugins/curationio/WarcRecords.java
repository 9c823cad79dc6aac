package io.assay.plugins.curationio;

import io.assay.lib.websources.RecordSources;
import io.assay.sdk.Component;
import jakarta.inject.Inject;
import org.pf4j.Extension;

/**
 * Image/alt-text pairs of web crawls: each page's {@code <img src alt>} in WARC or WAT files, with the image bytes
 * when the crawl holds the image's response, inbound-link counts between the crawl's pages, and a damaged record
 * (corrupt gzip member, lying Content-Length, decompression bomb) costing one unreadable record, never the run.
 */
@Extension
@Component(name = "warc", description = "WARC/WAT crawls: pages' <img src alt>, image bytes when the crawl holds them",
        settings = CrawlSourceSettings.class)
public final class WarcRecords extends LibrarySource {

    /** Opens the crawl's files (read lazily, pass by pass). */
    @Inject
    public WarcRecords(CrawlSourceSettings settings) {
        super("warc", "warc", settings.paths(), new RecordSources.Options(settings.countInboundLinks(),
                settings.maxTrackedUrls(), settings.maxRecordBytes()));
    }
}
