/**
 * {@code assay bench}: the Assay pipeline measured against a plain ONNX Runtime program over the same model files,
 * interleaved in one process. Sits below the CLI and uses the runtime, assembly and engine like a generate run.
 */
package io.assay.framework.bench;
