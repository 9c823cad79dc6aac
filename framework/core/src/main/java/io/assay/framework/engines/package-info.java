/**
 * Engines other than the local one for {@code assay curate} and {@code assay compare}: a small interface the core
 * defines, implemented outside the core's class path (the Spark engine, in {@code lib/spark/}) and found with
 * {@link java.util.ServiceLoader} only when the command line asks for it.
 */
package io.assay.framework.engines;
