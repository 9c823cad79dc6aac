/**
 * A small ONNX model builder: {@link io.assay.lib.onnxgraph.OnnxGraph} collects inputs, outputs, nodes and
 * initializers (eager arrays or lazy {@link io.assay.lib.onnxgraph.FloatSource}s) and writes the model as a stream in
 * protobuf's canonical order, inline or with {@link io.assay.lib.onnxgraph.ExternalData}, so models larger than the
 * heap or than protobuf's 2 GiB limit are written without their weights ever being in memory.
 */
package io.assay.lib.onnxgraph;
