package io.assay.lib.onnxgraph;

import java.util.Objects;

/**
 * Where initializers go when a model is written with external data: one data file beside the model (named
 * {@code location}, relative to the model's folder, as {@code TensorProto.external_data} records it) holding every
 * initializer of at least {@code sizeThreshold} bytes; smaller ones stay inline in the model file.
 *
 * @param location      the data file's name, e.g. {@code model.onnx_data}
 * @param sizeThreshold tensors of at least this many bytes go to the data file (0 = all)
 */
public record ExternalData(String location, long sizeThreshold) {

    /** Hugging Face optimum's layout: {@code model.onnx_data}, tensors of 1024 bytes or more. */
    public static final ExternalData OPTIMUM = new ExternalData("model.onnx_data", 1024);

    /** Validates the record. */
    public ExternalData {
        Objects.requireNonNull(location, "location is null");
        if (location.isEmpty() || location.contains("/") || location.contains("\\") || location.equals("..")) {
            throw new IllegalArgumentException("external data location must be a plain file name, found '"
                    + location + "'");
        }
        if (sizeThreshold < 0) {
            throw new IllegalArgumentException("sizeThreshold must be >= 0, found " + sizeThreshold);
        }
    }
}
