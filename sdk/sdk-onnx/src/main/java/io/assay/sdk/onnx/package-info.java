/**
 * ONNX Runtime for plugins, owned by the host: one {@code OrtEnvironment} per JVM, sessions cached by (model file,
 * options) and shared by every pipeline that opens the same file ({@link io.assay.sdk.onnx.OnnxSessions}),
 * execution providers chosen from config with an explicit fallback policy ({@link
 * io.assay.sdk.onnx.OnnxRuntimeSettings}), and a model wrapper ({@link io.assay.sdk.onnx.OnnxModel}) that
 * introspects inputs and outputs so stages adapt to each exporter's dtypes and ranks. Like {@code io.assay.sdk},
 * this package is loaded once by the host; plugins use it in {@code provided} scope.
 */
package io.assay.sdk.onnx;
