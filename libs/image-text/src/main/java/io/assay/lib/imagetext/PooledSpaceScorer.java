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

    PooledSpaceScorer(Path dir, OnnxSessions sessions) {
        this.dir = dir;
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
            return ImageTextScorer.normalizeRows(out.data(), b, (int) out.dim(1));
        } catch (OrtException e) {
            throw new StageException(ErrorCode.MODEL_INVALID, "image–text scorer: " + e.getMessage(), e);
        }
    }

    @Override
    public float[][] embedImages(List<RgbImage> images) {
        float[][] out = new float[images.size()][];
        // One call per image: images of different sizes cannot share a batch.
        for (int i = 0; i < images.size(); i++) {
            try {
                String input = image.inputs().keySet().iterator().next();
                OnnxTensor in = image.floatInput(input, images.get(i).toTensor());
                Tensor e = image.run(Map.of(input, in), Set.of("image_embeds")).get("image_embeds");
                out[i] = ImageTextScorer.normalizeRows(e.data(), 1, (int) e.dim(1))[0];
            } catch (OrtException e) {
                throw new StageException(ErrorCode.MODEL_INVALID, "image–text scorer: " + e.getMessage(), e);
            }
        }
        return out;
    }

    @Override
    public void close() {
        text.close();
        if (image != null) {
            image.close();
        }
    }
}
