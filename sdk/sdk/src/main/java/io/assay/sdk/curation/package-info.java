/**
 * The curation stages: where records come from ({@link io.assay.sdk.curation.RecordSource}, since SDK 1.1), how they
 * are judged ({@link io.assay.sdk.curation.ScraperFilter}: an image or its reference, its alt text, the page and its
 * link rank) and where the kept ones go ({@link io.assay.sdk.curation.DatasetWriter}, since SDK 1.1). A curation run
 * reads a source, passes every record through a chain of filters, and each record ends kept (written) or rejected
 * with the filter's reason. A stateful filter that implements {@link io.assay.sdk.curation.KeyedFilter} (since SDK
 * 1.2) can also run on a distributed engine.
 */
package io.assay.sdk.curation;
