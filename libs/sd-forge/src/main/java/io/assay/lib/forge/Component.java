package io.assay.lib.forge;

import io.assay.lib.onnxgraph.OnnxGraph;

/**
 * One model of the pipeline, built but not yet written: its folder name in the model directory, its graph (weights
 * still lazy) and its parameter count.
 *
 * @param folder     {@code text_encoder}, {@code unet}, {@code vae_encoder} or {@code vae_decoder}
 * @param graph      the model, weights generated when written
 * @param parameters trainable parameters (weights, biases, norm scales and shifts, embeddings)
 */
public record Component(String folder, OnnxGraph graph, long parameters) {

    /** The opset every forged model uses: ONNX Runtime ≥ 1.16 runs it, and it has LayerNormalization. */
    public static final int OPSET = 17;
    /** The IR version torch writes with opset 17 (ONNX Runtime ≥ 1.16 reads up to 9). */
    public static final int IR_VERSION = 8;

    static OnnxGraph graph(String name) {
        return new OnnxGraph(name).opset(OPSET).irVersion(IR_VERSION).producer("assay-forge");
    }
}
