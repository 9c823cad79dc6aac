/**
 * Scraper filters for {@code assay curate}: the decisions a training set inherits before any training — which
 * image/alt-text pairs match (image–text similarity, as LAION's CLIP-score threshold), which images are big enough,
 * which captions are junk, which images repeat, and which pages rank high enough by inbound links.
 */
package io.assay.plugins.curation;
