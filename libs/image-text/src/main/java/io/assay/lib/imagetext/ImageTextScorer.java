package io.assay.lib.imagetext;

import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import io.assay.sdk.onnx.OnnxSessions;
import io.assay.sdk.tensor.RgbImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Embeds images and texts into one space and scores how well an image matches a text (cosine similarity), as CLIP
 * score filtering and prompt-adherence metrics do. Implementations hold ONNX sessions; close them.
 */
public interface ImageTextScorer extends AutoCloseable {

    /** A short description for reports: the kind and the model file(s). */
    String describe();

    /** One L2-normalised embedding per text. */
    float[][] embedTexts(List<String> texts);

    /** One L2-normalised embedding per image. */
    float[][] embedImages(List<RgbImage> images);

    /** Cosine similarity of each image with the text at the same index. */
    default double[] scores(List<RgbImage> images, List<String> texts) {
        if (images.size() != texts.size()) {
            throw new IllegalArgumentException(images.size() + " images but " + texts.size() + " texts");
        }
        if (images.isEmpty()) {
            return new double[0];
        }
        float[][] a = embedImages(images);
        float[][] b = embedTexts(texts);
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = dot(a[i], b[i]);
        }
        return out;
    }

    /** Cosine similarity of one image and one text. */
    default double score(RgbImage image, String text) {
        return scores(List.of(image), List.of(text))[0];
    }

    @Override
    void close();

    /**
     * Opens the scorer a directory holds: a CLIP export ({@code model.onnx} with {@code pixel_values} and
     * {@code input_ids}, tokenizer files beside it or in {@code tokenizer/}) or a model directory with
     * {@code image_encoder/model.onnx} whose embeddings live in the text encoder's pooled space (the embedded world).
     *
     * @throws StageException {@code MODEL_INVALID} naming the directory when it holds neither
     */
    static ImageTextScorer open(Path dir, OnnxSessions sessions) {
        if (Files.isRegularFile(dir.resolve("image_encoder").resolve("model.onnx"))) {
            return new PooledSpaceScorer(dir, sessions);
        }
        if (Files.isRegularFile(dir.resolve("model.onnx"))) {
            return new ClipOnnxScorer(dir, sessions);
        }
        throw new StageException(ErrorCode.MODEL_INVALID, "'" + dir + "' holds no image–text model: expected a CLIP "
                + "export (model.onnx with input_ids, attention_mask, pixel_values → text_embeds, image_embeds) or a "
                + "model directory with image_encoder/model.onnx");
    }

    /** Whether {@link #open} would find a model in {@code dir}. */
    static boolean present(Path dir) {
        return Files.isRegularFile(dir.resolve("image_encoder").resolve("model.onnx"))
                || Files.isRegularFile(dir.resolve("model.onnx"));
    }

    /** The dot product (the cosine for normalised vectors). */
    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    /** Scales each row to unit L2 norm (a zero row stays zero). */
    static float[][] normalizeRows(float[] data, int rows, int width) {
        float[][] out = new float[rows][width];
        for (int r = 0; r < rows; r++) {
            double n = 0;
            for (int c = 0; c < width; c++) {
                double v = data[r * width + c];
                n += v * v;
            }
            double inv = n > 0 ? 1 / Math.sqrt(n) : 0;
            for (int c = 0; c < width; c++) {
                out[r][c] = (float) (data[r * width + c] * inv);
            }
        }
        return out;
    }
}
