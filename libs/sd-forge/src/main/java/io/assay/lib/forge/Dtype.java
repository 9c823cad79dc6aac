package io.assay.lib.forge;

import io.assay.lib.onnxgraph.OnnxGraph;

/**
 * Precision of a forged model's weights and float inputs/outputs. {@link #FP16} mirrors an fp16 export's interface
 * ({@code --fp16}): float16 weights and float16 float inputs and outputs, {@code input_ids} int32, {@code timestep}
 * int64; inside, every weight and float input is Cast to float32 and the graph computes in float32 (ONNX Runtime
 * folds the weight casts when the session is created), as the reference {@code tiny-sd/variants/fp16} does.
 */
public enum Dtype {
    /** float32 weights and tensors. */
    FP32(OnnxGraph.FLOAT),
    /** float16 weights and float tensors, float32 compute. */
    FP16(OnnxGraph.FLOAT16);

    private final int onnxType;

    Dtype(int onnxType) {
        this.onnxType = onnxType;
    }

    /** The ONNX element type of weights and float inputs/outputs. */
    public int onnxType() {
        return onnxType;
    }

    /** Lower-case name as used on the command line and in {@code torch_dtype}: {@code fp32}, {@code fp16}. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The transformers/diffusers {@code torch_dtype} value. */
    String torchDtype() {
        return this == FP16 ? "float16" : "float32";
    }
}
