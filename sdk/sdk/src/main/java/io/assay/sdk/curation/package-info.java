/**
 * The scraper-filter stage: judging web records (an image or its reference, its alt text, the page and its link
 * rank) to decide what reaches a training set. A curation run passes every record through a chain of
 * {@link io.assay.sdk.curation.ScraperFilter}s; each record ends kept, or rejected with the filter's reason.
 */
package io.assay.sdk.curation;
