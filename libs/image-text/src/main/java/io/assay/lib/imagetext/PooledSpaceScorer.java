package io.assay.lib.imagetext;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import io.assay.lib.clip.ClipTokenizer;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import io.assay.lib.clip.LongPromptPolicy;
import io.assay.sdk.onnx.OnnxModel;
import io.assay.sdk.onnx.OnnxSessions;
import io.assay.sdk.tensor.RgbImage;
import io.assay.sdk.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A model directory whose {@code image_encoder/model.onnx} maps images ({@code sample}, [-1, 1], the autoencoder's
 * input) into the pooled output space of its {@code text_encoder/model.onnx} ({@code pooler_output}). The embedded
 * world fits such an encoder in closed form (ridge regression from image latents to caption embeddings).
 */
final class PooledSpaceScorer implements ImageTextScorer {

    private static final int WINDOW = 77;

    private final Path dir;
    private final ClipTokenizer tokenizer;
    private final OnnxModel text;
    private final OnnxModel image;
    private final int side;
    private final float[] mean;

    PooledSpaceScorer(Path dir, OnnxSessions sessions) {
        this.dir = dir;
        this.side = nativeSide(dir);
        this.mean = embeddingMean(dir.resolve("image_encoder").resolve("config.json"));
        try {
            this.tokenizer = ClipTokenizer.load(dir.resolve("tokenizer"));
        } catch (IOException | RuntimeException e) {
            throw new StageException(ErrorCode.MODEL_INVALID, "image–text scorer: cannot load the tokenizer in '"
                    + dir.resolve("tokenizer") + "': " + e.getMessage(), e);
        }
        OnnxModel t = sessions.open(dir.resolve("text_encoder").resolve("model.onnx"), "image-text");
        try {
            t.requireOutput("pooler_output", Set.of(ai.onnxruntime.OnnxJavaType.FLOAT,
                    ai.onnxruntime.OnnxJavaType.FLOAT16), Set.of(2));
            this.image = sessions.open(dir.resolve("image_encoder").resolve("model.onnx"), "image-text");
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
        this.text = t;
        try {
            image.requireOutput("image_embeds", Set.of(ai.onnxruntime.OnnxJavaType.FLOAT,
                    ai.onnxruntime.OnnxJavaType.FLOAT16), Set.of(2));
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The model's native image side: unet/config.json sample_size × 8 (the autoencoder factor), else 64. */
    private static int nativeSide(Path dir) {
        Path cfg = dir.resolve("unet").resolve("config.json");
        if (java.nio.file.Files.isRegularFile(cfg)) {
            try {
                com.fasterxml.jackson.databind.JsonNode n = new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(cfg.toFile()).path("sample_size");
                if (n.isInt()) {
                    return n.asInt() * 8;
                }
            } catch (IOException e) {
                throw new StageException(ErrorCode.MODEL_INVALID, "'" + cfg + "' is not valid JSON: "
                        + e.getMessage(), e);
            }
        }
        return 64;
    }

    /**
     * The corpus mean of the normalised caption embeddings ({@code image_encoder/config.json} embedding_mean), which
     * both sides subtract before the cosine; null when absent.
     */
    private static float[] embeddingMean(Path cfg) {
        if (!java.nio.file.Files.isRegularFile(cfg)) {
            return null;
        }
        try {
            com.fasterxml.jackson.databind.JsonNode n = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(cfg.toFile()).path("embedding_mean");
            if (!n.isArray()) {
                return null;
            }
            float[] m = new float[n.size()];
            for (int i = 0; i < m.length; i++) {
                m[i] = (float) n.get(i).asDouble();
            }
            return m;
        } catch (IOException e) {
            throw new StageException(ErrorCode.MODEL_INVALID, "'" + cfg + "' is not valid JSON: " + e.getMessage(), e);
        }
    }

    /** Normalises rows, subtracts the mean, normalises again. */
    private float[][] centred(float[] data, int rows, int width) {
        float[][] out = ImageTextScorer.normalizeRows(data, rows, width);
        if (mean == null || mean.length != width) {
            return out;
        }
        float[] flat = new float[rows * width];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < width; c++) {
                flat[r * width + c] = out[r][c] - mean[c];
            }
        }
        return ImageTextScorer.normalizeRows(flat, rows, width);
    }

    @Override
    public String describe() {
        return "pooled text space: " + dir.resolve("image_encoder/model.onnx");
    }

    @Override
    public float[][] embedTexts(List<String> texts) {
        int b = texts.size();
        int[] ids = new int[b * WINDOW];
        for (int i = 0; i < b; i++) {
            System.arraycopy(tokenizer.report(texts.get(i), LongPromptPolicy.TRUNCATE, WINDOW).ids(), 0, ids,
                    i * WINDOW, WINDOW);
        }
        try {
            OnnxTensor in = text.idsInput("input_ids", ids, new long[] {b, WINDOW});
            Tensor out = text.run(Map.of("input_ids", in), Set.of("pooler_output")).get("pooler_output");
            return centred(out.data(), b, (int) out.dim(1));
        } catch (OrtException e) {
            throw new StageException(ErrorCode.MODEL_INVALID, "image–text scorer: " + e.getMessage(), e);
        }
    }

    @Override
    public float[][] embedImages(List<RgbImage> images) {
        float[][] out = new float[images.size()][];
        if (images.isEmpty()) {
            return out;
        }
        // The encoder's projection is fitted at the native size: every image is brought to it, then one batch.
        List<Tensor> parts = new java.util.ArrayList<>();
        for (RgbImage img : images) {
            parts.add(ClipPreprocessor.squareCrop(img, side).toTensor());
        }
        try {
            String input = image.inputs().keySet().iterator().next();
            OnnxTensor in = image.floatInput(input, parts.size() == 1 ? parts.get(0) : Tensor.concatBatch(parts));
            Tensor e = image.run(Map.of(input, in), Set.of("image_embeds")).get("image_embeds");
            return centred(e.data(), images.size(), (int) e.dim(1));
        } catch (OrtException e) {
            throw new StageException(ErrorCode.MODEL_INVALID, "image–text scorer: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        text.close();
        if (image != null) {
            image.close();
        }
    }
}
