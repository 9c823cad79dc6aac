package io.assay.sdk.metrics;

import io.assay.sdk.Stage;
import io.assay.sdk.tensor.RgbImage;
import java.util.List;

/**
 * How well an image matches a text (since SDK 1.1): the prompt–image similarity {@code assay compare} reports per
 * cell, e.g. CLIP score (the cosine of the image's and the text's embeddings). Higher means a better match; the scale
 * is the component's own, so compare values of one component only.
 */
public interface SimilarityMetric extends Stage {

    /**
     * Scores each image against the text at the same index.
     *
     * @return one finite score per pair, in order
     * @throws io.assay.sdk.StageException {@code INVALID_INPUT} when the lists differ in length
     */
    double[] scores(List<RgbImage> images, List<String> texts);

    /** One line for reports: the kind and the model it uses, e.g. {@code "CLIP ONNX (/models/clip/model.onnx)"}. */
    String describe();
}
