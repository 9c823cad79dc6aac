package io.assay.lib.imagetext;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import io.assay.lib.clip.ClipTokenizer;
import io.assay.lib.clip.LongPromptPolicy;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import io.assay.sdk.onnx.OnnxModel;
import io.assay.sdk.onnx.OnnxSessions;
import io.assay.sdk.tensor.RgbImage;
import io.assay.sdk.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A CLIP model exported to ONNX as one graph ({@code input_ids}, {@code attention_mask}, {@code pixel_values} →
 * {@code text_embeds}, {@code image_embeds}, as Hugging Face's exporter writes CLIPModel), with its tokenizer
 * ({@code vocab.json}, {@code merges.txt} beside the model or in {@code tokenizer/}) and
 * {@code preprocessor_config.json}. Texts are embedded with a blank image and images with an empty text, since
 * the joint graph needs every input.
 */
final class ClipOnnxScorer implements ImageTextScorer {

    private static final int WINDOW = 77;

    private final OnnxModel model;
    private final ClipTokenizer tokenizer;
    private final ClipPreprocessor preprocessor;
    private final boolean hasMask;

    ClipOnnxScorer(Path dir, OnnxSessions sessions) {
        Path tokDir = Files.isRegularFile(dir.resolve("vocab.json")) ? dir : dir.resolve("tokenizer");
        try {
            this.tokenizer = ClipTokenizer.load(tokDir);
        } catch (IOException | RuntimeException e) {
            throw new StageException(ErrorCode.MODEL_INVALID, "CLIP scorer: cannot load vocab.json and merges.txt "
                    + "from '" + tokDir + "': " + e.getMessage(), e);
        }
        this.preprocessor = ClipPreprocessor.read(dir.resolve("preprocessor_config.json"));
        this.model = sessions.open(dir.resolve("model.onnx"), "clip-scorer");
        try {
            model.requireInput("input_ids", Set.of(OnnxJavaType.INT32, OnnxJavaType.INT64), Set.of(2));
            model.requireInput("pixel_values", Set.of(OnnxJavaType.FLOAT, OnnxJavaType.FLOAT16), Set.of(4));
            model.requireOutput("text_embeds", Set.of(OnnxJavaType.FLOAT, OnnxJavaType.FLOAT16), Set.of(2));
            model.requireOutput("image_embeds", Set.of(OnnxJavaType.FLOAT, OnnxJavaType.FLOAT16), Set.of(2));
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
        this.hasMask = model.inputs().containsKey("attention_mask");
    }

    @Override
    public String describe() {
        return "CLIP ONNX: " + model.file();
    }

    @Override
    public float[][] embedTexts(List<String> texts) {
        int[][] ids = new int[texts.size()][];
        for (int i = 0; i < texts.size(); i++) {
            ids[i] = tokenizer.report(texts.get(i), LongPromptPolicy.TRUNCATE, WINDOW).ids();
        }
        Tensor blank = new Tensor(new long[] {1, 3, preprocessor.crop(), preprocessor.crop()},
                new float[3 * preprocessor.crop() * preprocessor.crop()]);
        return run(ids, blank, "text_embeds");
    }

    @Override
    public float[][] embedImages(List<RgbImage> images) {
        int[][] ids = {tokenizer.report("", LongPromptPolicy.TRUNCATE, WINDOW).ids()};
        return run(ids, preprocessor.pixelValues(images), "image_embeds");
    }

    private float[][] run(int[][] ids, Tensor pixels, String output) {
        int b = ids.length;
        int[] flat = new int[b * WINDOW];
        int[] mask = new int[b * WINDOW];
        for (int i = 0; i < b; i++) {
            System.arraycopy(ids[i], 0, flat, i * WINDOW, WINDOW);
            // Attend up to and including the first end-of-text token.
            for (int k = 0; k < WINDOW; k++) {
                mask[i * WINDOW + k] = 1;
                if (k > 0 && ids[i][k] == tokenizer.eosId()) {
                    break;
                }
            }
        }
        try {
            Map<String, OnnxTensor> in = new LinkedHashMap<>();
            in.put("input_ids", model.idsInput("input_ids", flat, new long[] {b, WINDOW}));
            if (hasMask) {
                in.put("attention_mask", model.idsInput("attention_mask", mask, new long[] {b, WINDOW}));
            }
            in.put("pixel_values", model.floatInput("pixel_values", pixels));
            Tensor out = model.run(in, Set.of(output)).get(output);
            return ImageTextScorer.normalizeRows(out.data(), (int) out.dim(0), (int) out.dim(1));
        } catch (OrtException e) {
            throw new StageException(ErrorCode.MODEL_INVALID, "CLIP scorer: running '" + model.file() + "' failed: "
                    + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        model.close();
    }
}
