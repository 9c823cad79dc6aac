package io.assay.plugins.onnxsd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reading the parts of a model directory in the SD ONNX layout. */
final class ModelDir {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelDir() {
    }

    /** {@code dir/part}, which must exist. */
    static Path require(Path dir, String part, String component) {
        if (dir == null) {
            throw new StageException(ErrorCode.MODEL_MISSING, "Component '" + component + "' needs a model "
                    + "directory (model.dir or " + component + ".model-dir)");
        }
        if (!Files.isDirectory(dir)) {
            throw new StageException(ErrorCode.MODEL_MISSING, "Component '" + component + "': model directory '"
                    + dir + "' does not exist");
        }
        Path p = dir.resolve(part);
        if (!Files.exists(p)) {
            throw new StageException(ErrorCode.MODEL_MISSING, "Component '" + component + "': model directory '"
                    + dir + "' has no '" + part + "' (the SD ONNX layout has tokenizer/, text_encoder/model.onnx, "
                    + "unet/model.onnx, vae_encoder/model.onnx, vae_decoder/model.onnx, scheduler/)");
        }
        return p;
    }

    /** A JSON file's root, or null if the file does not exist; malformed JSON is a MODEL_INVALID naming the file. */
    static JsonNode json(Path file, String component) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new StageException(ErrorCode.MODEL_INVALID, "Component '" + component + "': '" + file
                    + "' is not valid JSON: " + e.getMessage(), e);
        }
    }

    /** Validates {@code model_index.json} when present (a model directory with a broken index is refused). */
    static void checkIndex(Path dir, String component) {
        json(dir.resolve("model_index.json"), component);
    }
}
