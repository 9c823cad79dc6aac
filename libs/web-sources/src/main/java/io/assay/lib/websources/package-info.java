/**
 * Where curation gets its records and where it puts the ones it keeps.
 *
 * <p>Readers ({@link io.assay.lib.websources.RecordSources}) turn web crawls (WARC, WAT) and existing datasets
 * (webdataset shards, manifest directories) into a stream of {@link io.assay.sdk.curation.WebRecord}s; writers
 * ({@link io.assay.lib.websources.DatasetWriters}) produce webdataset shards or a manifest directory that the same
 * readers read back.
 *
 * <p>Two rules shape everything here. Memory is bounded whatever the input size: records are produced as files are
 * read, and whatever must be remembered across a file (image locations, link counts) is keys and offsets in capped
 * tables, never bytes. And damage never aborts a run: an entry that cannot be read becomes a record whose metadata
 * carries {@code unreadable} with the reason, so the curation ledger accounts for it and the run goes on.
 */
package io.assay.lib.websources;
