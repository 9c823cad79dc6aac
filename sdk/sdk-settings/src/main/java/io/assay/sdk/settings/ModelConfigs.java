package io.assay.sdk.settings;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.ModelConfig;
import io.assay.sdk.StageException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads a model directory's diffusers configuration files into a {@link ModelConfig}, the same way for the host and
 * the test kit: {@code model_index.json} and, in each immediate sub-directory, {@code config.json} and
 * {@code scheduler_config.json}. The files are untrusted input: each is at most {@link #MAX_FILE_BYTES}, nested at
 * most {@link #MAX_DEPTH} deep, and at most {@link #MAX_DIRECTORIES} sub-directories are looked at.
 */
public final class ModelConfigs {

    /** The largest configuration file read (diffusers' are a few kilobytes). */
    public static final long MAX_FILE_BYTES = 1 << 20;
    /** The deepest JSON nesting accepted. */
    public static final int MAX_DEPTH = 32;
    /** The most sub-directories looked at. */
    public static final int MAX_DIRECTORIES = 256;

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.USE_LONG_FOR_INTS)
            .build();

    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH)
                .maxStringLength((int) MAX_FILE_BYTES).build());
    }

    private ModelConfigs() {
    }

    /**
     * Reads the configuration files of {@code directory}.
     *
     * @throws StageException {@code MODEL_MISSING} if the directory does not exist; {@code MODEL_INVALID} naming the
     *     file (and line and column) of a file that is too large, not JSON, or not a JSON object
     */
    public static ModelConfig read(Path directory) {
        if (!Files.isDirectory(directory)) {
            throw new StageException(ErrorCode.MODEL_MISSING, "Model directory '" + directory + "' does not exist");
        }
        List<String> candidates = new ArrayList<>(List.of(ModelConfig.MODEL_INDEX));
        int seen = 0;
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(directory, Files::isDirectory)) {
            for (Path d : dirs) {
                if (++seen > MAX_DIRECTORIES) {
                    throw new StageException(ErrorCode.MODEL_INVALID, "Model directory '" + directory + "' has more "
                            + "than " + MAX_DIRECTORIES + " sub-directories; not a model directory?");
                }
                String name = d.getFileName().toString();
                candidates.add(name + "/config.json");
                candidates.add(name + "/scheduler_config.json");
            }
        } catch (IOException e) {
            throw new StageException(ErrorCode.MODEL_INVALID, "Model directory '" + directory + "' cannot be listed: "
                    + e.getMessage(), e);
        }
        Map<String, Map<String, Object>> files = new TreeMap<>();
        for (String rel : candidates) {
            Path f = directory.resolve(rel);
            if (Files.isRegularFile(f)) {
                files.put(rel, readObject(f));
            }
        }
        try {
            return ModelConfig.of(directory.toAbsolutePath().normalize(), files);
        } catch (IllegalArgumentException e) {
            throw new StageException(ErrorCode.MODEL_INVALID, "Model directory '" + directory + "': " + e.getMessage(),
                    e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> readObject(Path file) {
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                throw new StageException(ErrorCode.MODEL_INVALID, "Model file '" + file + "' is " + size
                        + " bytes; a configuration file may have at most " + MAX_FILE_BYTES);
            }
            Object v = JSON.readValue(file.toFile(), Object.class);
            if (!(v instanceof Map)) {
                throw new StageException(ErrorCode.MODEL_INVALID, "Model file '" + file + "' holds "
                        + (v == null ? "null" : "a JSON " + (v instanceof List ? "array" : "scalar"))
                        + "; expected a JSON object");
            }
            return (Map<String, Object>) v;
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new StageException(ErrorCode.MODEL_INVALID, "Model file '" + file + "' is not valid JSON"
                    + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr()) + ": "
                    + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new StageException(ErrorCode.MODEL_INVALID, "Model file '" + file + "' cannot be read: "
                    + e.getMessage(), e);
        }
    }
}
