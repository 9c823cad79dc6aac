package io.assay.sdk;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * A model directory's configuration files (the diffusers layout), read-only: {@code model_index.json},
 * {@code scheduler/scheduler_config.json}, {@code unet/config.json}, {@code vae/config.json} or the ONNX exports'
 * {@code vae_decoder/config.json} and {@code vae_encoder/config.json}, {@code text_encoder/config.json} … (since SDK
 * 1.1). Stages receive it through {@link StageContext#model()}; the host also fills every unset
 * {@link Setting#diffusersKey()} setting from it.
 *
 * <p>Each file is a JSON object held as plain Java values: {@code String}, {@code Boolean}, {@code Long} (integral
 * numbers), {@code Double} (others, including {@code NaN} and infinities as Python writes them), {@code List} and
 * {@code Map<String, Object>}, all unmodifiable. A JSON {@code null} reads as absent: diffusers writes {@code null}
 * for "unset" (e.g. {@code trained_betas}).
 */
public final class ModelConfig {

    /** {@code model_index.json}. */
    public static final String MODEL_INDEX = "model_index.json";
    /** {@code scheduler/scheduler_config.json}. */
    public static final String SCHEDULER = "scheduler/scheduler_config.json";
    /** {@code unet/config.json}. */
    public static final String UNET = "unet/config.json";
    /** {@code vae/config.json} (diffusers' own layout). */
    public static final String VAE = "vae/config.json";
    /** {@code vae_decoder/config.json} (ONNX exports). */
    public static final String VAE_DECODER = "vae_decoder/config.json";
    /** {@code vae_encoder/config.json} (ONNX exports). */
    public static final String VAE_ENCODER = "vae_encoder/config.json";
    /** {@code text_encoder/config.json}. */
    public static final String TEXT_ENCODER = "text_encoder/config.json";

    /** No model configuration (no model directory, or a host before SDK 1.1). */
    public static final ModelConfig NONE = new ModelConfig(null, Map.of());

    private static final Map<String, List<String>> STAGE_FILES = Map.of(
            "scheduler", List.of(SCHEDULER),
            "denoiser", List.of(UNET),
            "autoencoder", List.of(VAE_DECODER, VAE_ENCODER, VAE),
            "text-encoder", List.of(TEXT_ENCODER));

    private final Path directory;
    private final Map<String, Map<String, Object>> files;

    private ModelConfig(Path directory, Map<String, Map<String, Object>> files) {
        this.directory = directory;
        this.files = files;
    }

    /**
     * A model configuration.
     *
     * @param directory the model directory the files were read from, or null
     * @param files each file's JSON object by its path relative to the directory ({@code unet/config.json}); values
     *     must be JSON-like (strings, booleans, numbers, lists, string-keyed maps, null)
     * @throws IllegalArgumentException naming the file and key of a value that is not JSON-like
     */
    public static ModelConfig of(Path directory, Map<String, ? extends Map<String, ?>> files) {
        Map<String, Map<String, Object>> copy = new TreeMap<>();
        for (Map.Entry<String, ? extends Map<String, ?>> f : requireNonNull(files, "files is null").entrySet()) {
            String name = requireNonNull(f.getKey(), "file name is null");
            copy.put(name, object(f.getValue(), name, ""));
        }
        return new ModelConfig(directory, Collections.unmodifiableMap(copy));
    }

    private static Map<String, Object> object(Map<?, ?> m, String file, String path) {
        if (m == null) {
            throw new IllegalArgumentException(file + ": " + (path.isEmpty() ? "the file" : "'" + path + "'")
                    + " is null; expected a JSON object");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!(e.getKey() instanceof String k)) {
                throw new IllegalArgumentException(file + ": key " + e.getKey() + " of '" + path + "' is not a string");
            }
            Object v = value(e.getValue(), file, path.isEmpty() ? k : path + "." + k);
            if (v != null) {
                out.put(k, v);
            }
        }
        return Collections.unmodifiableMap(out);
    }

    private static Object value(Object v, String file, String path) {
        if (v == null || v instanceof String || v instanceof Boolean || v instanceof Double || v instanceof Long) {
            return v;
        }
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof Float f) {
            return f.doubleValue();
        }
        if (v instanceof Map<?, ?> m) {
            return object(m, file, path);
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            for (int i = 0; i < l.size(); i++) {
                Object x = value(l.get(i), file, path + "[" + i + "]");
                out.add(x);
            }
            return Collections.unmodifiableList(out);
        }
        throw new IllegalArgumentException(file + ": '" + path + "' holds a " + v.getClass().getName()
                + "; expected a JSON value (string, boolean, number, list, object)");
    }

    /** The model directory, if the configuration came from one. */
    public Optional<Path> directory() {
        return Optional.ofNullable(directory);
    }

    /** Whether there is no file at all. */
    public boolean isEmpty() {
        return files.isEmpty();
    }

    /** The files present, by relative path, sorted. */
    public Set<String> files() {
        return files.keySet();
    }

    /** A file's JSON object by relative path ({@link #SCHEDULER} …), if present. */
    public Optional<Map<String, Object>> file(String relativePath) {
        return Optional.ofNullable(files.get(relativePath));
    }

    /**
     * A top-level value of a file, converted to {@code type}: {@code Integer}/{@code Long} from an integral number
     * (in range), {@code Double} from any number, else the held type ({@code String}, {@code Boolean}, {@code List},
     * {@code Map}). Empty when the file or key is absent.
     *
     * @throws StageException {@code MODEL_INVALID} naming the file, key, value and expected type on a mismatch
     */
    public <T> Optional<T> value(String relativePath, String key, Class<T> type) {
        Object v = file(relativePath).map(m -> m.get(key)).orElse(null);
        if (v == null) {
            return Optional.empty();
        }
        Object converted = convert(v, type);
        if (converted == null) {
            throw new StageException(ErrorCode.MODEL_INVALID, "Model file '" + where(relativePath) + "': '" + key
                    + "' is " + v + " (" + v.getClass().getSimpleName() + "); expected " + type.getSimpleName());
        }
        return Optional.of(type.cast(converted));
    }

    private static Object convert(Object v, Class<?> type) {
        if (type.isInstance(v)) {
            return v;
        }
        if (type == Double.class && v instanceof Number n) {
            return n.doubleValue();
        }
        if (type == Integer.class && v instanceof Long l && l == l.intValue()) {
            return l.intValue();
        }
        return null;
    }

    /** The absolute path of a file of this configuration, for messages (the relative path without a directory). */
    public String where(String relativePath) {
        return directory == null ? relativePath : directory.resolve(relativePath).toString();
    }

    /**
     * The files a bare {@link Setting#diffusersKey()} of a component of {@code stage} is looked up in, in order:
     * {@code scheduler} → {@link #SCHEDULER}; {@code denoiser} → {@link #UNET}; {@code autoencoder} →
     * {@link #VAE_DECODER}, {@link #VAE_ENCODER}, {@link #VAE}; {@code text-encoder} → {@link #TEXT_ENCODER}; any
     * other stage → none (it names the file: {@code "unet/config.json:sample_size"}).
     *
     * @param stage the pipeline's stage key, as {@link StageContext#stage()} gives it
     */
    public static List<String> filesFor(String stage) {
        return STAGE_FILES.getOrDefault(stage, List.of());
    }

    /**
     * Resolves a {@link Setting#diffusersKey()} for a component of {@code stage}: {@code "key"} is looked up in
     * {@link #filesFor(String) the stage's files} (the first file holding it wins), {@code "file:key"} (e.g.
     * {@code "scheduler/scheduler_config.json:prediction_type"}) in that file only.
     *
     * @return the file and value found, or empty
     */
    public Optional<Found> find(String stage, String diffusersKey) {
        int colon = diffusersKey.lastIndexOf(':');
        List<String> where = colon < 0 ? filesFor(stage) : List.of(diffusersKey.substring(0, colon));
        String key = diffusersKey.substring(colon + 1);
        for (String f : where) {
            Object v = file(f).map(m -> m.get(key)).orElse(null);
            if (v != null) {
                return Optional.of(new Found(f, key, v));
            }
        }
        return Optional.empty();
    }

    /**
     * A value found by {@link #find}.
     *
     * @param file the file's relative path
     * @param key the key in it
     * @param value the value (never null)
     */
    public record Found(String file, String key, Object value) {
    }

    @Override
    public String toString() {
        return "ModelConfig" + (directory == null ? "" : "(" + directory + ")") + files.keySet();
    }
}
