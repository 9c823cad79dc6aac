/**
 * Measurement stages (since SDK 1.1): {@link io.assay.sdk.metrics.SimilarityMetric}, the prompt–image similarity an
 * experiment reports per cell. Like every stage, a metric is a plugin component selected by name in configuration.
 */
package io.assay.sdk.metrics;
