/**
 * SDK 1.1 curation and measurement stages over the project's libraries: {@link io.assay.sdk.curation.RecordSource}s
 * ({@code warc}, {@code webdataset}, {@code manifest}) and {@link io.assay.sdk.curation.DatasetWriter}s
 * ({@code webdataset}, {@code directory}) from {@code libs/web-sources}, and the {@code clip-score}
 * {@link io.assay.sdk.metrics.SimilarityMetric} from {@code libs/image-text}. The libraries are bundled in the
 * plugin's {@code lib/}; the components only adapt them to the SDK (closing, errors as
 * {@link io.assay.sdk.StageException}).
 */
package io.assay.plugins.curationio;
