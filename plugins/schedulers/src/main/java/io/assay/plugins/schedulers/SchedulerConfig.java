package io.assay.plugins.schedulers;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import io.assay.sdk.diffusion.PredictionType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A scheduler's resolved configuration: every key the scheduler uses, with its value and where the value came from.
 *
 * <p>Resolution, per key: an explicit setting, else the model directory's {@code scheduler/scheduler_config.json},
 * else the class default. Nothing is ignored silently:
 * <ul>
 *   <li>an explicit setting the scheduler does not use is refused ({@code INVALID_SETTING});</li>
 *   <li>a JSON key diffusers' class has but this port supports with one value only ({@code trained_betas},
 *       {@code thresholding}, {@code algorithm_type} …) is refused with {@code UNSUPPORTED} when it has another
 *       value;</li>
 *   <li>every other JSON key the scheduler does not use is listed in {@link #unusedKeys()} (keys starting with
 *       {@code _}, such as {@code _class_name}, are metadata and skipped).</li>
 * </ul>
 */
public final class SchedulerConfig {

    /** Where a resolved value came from. */
    public enum Source {
        /** An explicit setting. */
        SETTING,
        /** The model directory's {@code scheduler_config.json}. */
        CONFIG_FILE,
        /** The scheduler's default. */
        DEFAULT
    }

    /** The relative location of the diffusers scheduler config inside a model directory. */
    public static final String CONFIG_FILE = "scheduler/scheduler_config.json";

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    private final ClassSpec spec;
    private final Map<ConfigKey, Object> values;
    private final Map<ConfigKey, Source> sources;
    private final Path configFile;
    private final List<String> unusedKeys;

    private SchedulerConfig(ClassSpec spec, Map<ConfigKey, Object> values, Map<ConfigKey, Source> sources,
            Path configFile, List<String> unusedKeys) {
        this.spec = spec;
        this.values = values;
        this.sources = sources;
        this.configFile = configFile;
        this.unusedKeys = List.copyOf(unusedKeys);
    }

    /**
     * Resolves and validates the configuration of the class {@code spec} from {@code settings}.
     *
     * @param baseDirectory the directory a relative {@code model-dir} is resolved against, or {@code null}
     * @throws StageException {@code INVALID_SETTING} for a bad or inapplicable value, {@code UNSUPPORTED} for a
     *     diffusers option this port does not implement, {@code MODEL_MISSING}/{@code MODEL_INVALID} for an
     *     absent model directory or an unreadable config file
     */
    static SchedulerConfig resolve(ClassSpec spec, SchedulerSettings settings, Path baseDirectory) {
        Objects.requireNonNull(spec, "spec is null");
        Objects.requireNonNull(settings, "settings is null");
        String component = spec.component();

        for (ConfigKey key : ConfigKey.values()) {
            Object explicit = key.explicit(settings);
            if (explicit == null) {
                continue;
            }
            if (!spec.keys().contains(key)) {
                throw new StageException(ErrorCode.INVALID_SETTING, "Setting '" + key.setting() + "' = " + explicit
                        + " does not apply to component '" + component + "' (diffusers " + spec.diffusersClass()
                        + " has no such option); remove it");
            }
            Object forced = spec.forced().get(key);
            if (forced != null && !forced.equals(explicit)) {
                throw new StageException(ErrorCode.INVALID_SETTING, "Setting '" + key.setting() + "' = " + explicit
                        + " contradicts component '" + component + "', which always uses " + forced);
            }
        }

        Path configFile = null;
        Map<String, JsonNode> json = Map.of();
        if (settings.modelDir() != null) {
            Path dir = settings.modelDir();
            if (!dir.isAbsolute() && baseDirectory != null) {
                dir = baseDirectory.resolve(dir);
            }
            if (!Files.isDirectory(dir)) {
                throw new StageException(ErrorCode.MODEL_MISSING, "Setting 'model-dir' of component '" + component
                        + "': directory '" + dir + "' does not exist");
            }
            Path file = dir.resolve(CONFIG_FILE);
            if (Files.isRegularFile(file)) {
                configFile = file;
                json = readJson(file);
            }
        }

        List<String> unused = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : json.entrySet()) {
            String k = e.getKey();
            if (k.startsWith("_")) {
                continue;
            }
            if (spec.fixed().containsKey(k)) {
                Object supported = spec.fixed().get(k);
                if (!jsonEquals(e.getValue(), supported)) {
                    throw new StageException(ErrorCode.UNSUPPORTED, "Component '" + component
                            + "' does not support " + k + " = " + e.getValue() + " (from '" + configFile
                            + "'); it supports only " + k + " = " + (supported == null ? "null" : supported));
                }
                continue;
            }
            boolean used = false;
            for (ConfigKey key : spec.keys()) {
                if (key.diffusersKey().equals(k) && !spec.forced().containsKey(key)) {
                    used = true;
                    break;
                }
            }
            if (!used && !spec.inert().contains(k)) {
                unused.add(k);
            }
        }

        Map<ConfigKey, Object> values = new EnumMap<>(ConfigKey.class);
        Map<ConfigKey, Source> sources = new EnumMap<>(ConfigKey.class);
        for (ConfigKey key : spec.keys()) {
            Object explicit = key.explicit(settings);
            JsonNode node = key.diffusersKey().isEmpty() ? null : json.get(key.diffusersKey());
            if (spec.forced().containsKey(key)) {
                values.put(key, spec.forced().get(key));
                sources.put(key, explicit != null ? Source.SETTING : Source.DEFAULT);
            } else if (explicit != null) {
                values.put(key, explicit);
                sources.put(key, Source.SETTING);
            } else if (node != null && !node.isNull()) {
                values.put(key, fromJson(key, node, configFile));
                sources.put(key, Source.CONFIG_FILE);
            } else {
                values.put(key, spec.defaultOf(key));
                sources.put(key, Source.DEFAULT);
            }
        }
        SchedulerConfig config = new SchedulerConfig(spec, values, sources, configFile, unused);
        config.validate();
        return config;
    }

    private static Map<String, JsonNode> readJson(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (JacksonException e) {
            throw new StageException(ErrorCode.MODEL_INVALID, "Scheduler config '" + file + "' is not valid JSON: "
                    + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new StageException(ErrorCode.MODEL_INVALID, "Cannot read scheduler config '" + file + "': "
                    + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new StageException(ErrorCode.MODEL_INVALID, "Scheduler config '" + file
                    + "' must hold a JSON object; found " + (root == null ? "nothing" : root.getNodeType()));
        }
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            out.put(e.getKey(), e.getValue());
        }
        return out;
    }

    private static boolean jsonEquals(JsonNode node, Object supported) {
        if (supported == null) {
            return node.isNull();
        }
        if (supported instanceof Boolean b) {
            return node.isBoolean() && node.booleanValue() == b;
        }
        if (supported instanceof String s) {
            return node.isTextual() && node.textValue().equals(s);
        }
        if (supported instanceof Double d) {
            return node.isNumber() && Double.compare(node.doubleValue(), d) == 0;
        }
        throw new IllegalStateException("unexpected supported value " + supported);
    }

    private static Object fromJson(ConfigKey key, JsonNode node, Path file) {
        String where = "'" + key.diffusersKey() + "' in '" + file + "'";
        switch (key.type()) {
            case INT -> {
                if (node.isNumber() && node.canConvertToExactIntegral() && node.canConvertToInt()) {
                    return node.intValue();
                }
                throw new StageException(ErrorCode.MODEL_INVALID, where + " = " + node + "; expected an integer");
            }
            case DOUBLE -> {
                if (node.isNumber()) {
                    return node.doubleValue();
                }
                throw new StageException(ErrorCode.MODEL_INVALID, where + " = " + node + "; expected a number");
            }
            case BOOLEAN -> {
                if (node.isBoolean()) {
                    return node.booleanValue();
                }
                throw new StageException(ErrorCode.MODEL_INVALID, where + " = " + node + "; expected true or false");
            }
            case STRING -> {
                if (node.isTextual()) {
                    return node.textValue();
                }
                throw new StageException(ErrorCode.MODEL_INVALID, where + " = " + node + "; expected a string");
            }
            default -> throw new IllegalStateException("unknown type " + key.type());
        }
    }

    private void validate() {
        for (ConfigKey key : spec.keys()) {
            Object v = values.get(key);
            if (!key.oneOf().isEmpty() && !key.oneOf().contains((String) v)) {
                throw invalid(key, "expected one of " + key.oneOf());
            }
        }
        int n = numTrainTimesteps();
        if (n < 1) {
            throw invalid(ConfigKey.NUM_TRAIN_TIMESTEPS, "expected a positive integer");
        }
        requireOpenUnit(ConfigKey.BETA_START, betaStart());
        requireOpenUnit(ConfigKey.BETA_END, betaEnd());
        if (uses(ConfigKey.STEPS_OFFSET) && stepsOffset() < 0) {
            throw invalid(ConfigKey.STEPS_OFFSET, "expected an integer >= 0");
        }
        if (uses(ConfigKey.CLIP_SAMPLE_RANGE) && !(clipSampleRange() > 0 && Double.isFinite(clipSampleRange()))) {
            throw invalid(ConfigKey.CLIP_SAMPLE_RANGE, "expected a finite number > 0");
        }
        if (uses(ConfigKey.ETA) && !(eta() >= 0 && Double.isFinite(eta()))) {
            throw invalid(ConfigKey.ETA, "expected a finite number >= 0");
        }
        if (uses(ConfigKey.SOLVER_ORDER) && (solverOrder() < 1 || solverOrder() > 3)) {
            throw invalid(ConfigKey.SOLVER_ORDER, "expected 1, 2 or 3");
        }
        if (uses(ConfigKey.ORIGINAL_INFERENCE_STEPS)
                && (originalInferenceSteps() < 1 || originalInferenceSteps() > n)) {
            throw invalid(ConfigKey.ORIGINAL_INFERENCE_STEPS, "expected an integer in [1, num-train-timesteps = "
                    + n + "]");
        }
        if (uses(ConfigKey.TIMESTEP_SCALING) && !(timestepScaling() > 0 && Double.isFinite(timestepScaling()))) {
            throw invalid(ConfigKey.TIMESTEP_SCALING, "expected a finite number > 0");
        }
        if (!spec.predictionTypes().contains(predictionType())) {
            throw new StageException(ErrorCode.UNSUPPORTED, "Component '" + spec.component()
                    + "' does not support prediction-type '" + values.get(ConfigKey.PREDICTION_TYPE) + "' ("
                    + describeSource(ConfigKey.PREDICTION_TYPE) + "); diffusers " + spec.diffusersClass()
                    + " supports " + spec.predictionTypes().stream().map(SchedulerConfig::diffusersName).toList());
        }
    }

    private void requireOpenUnit(ConfigKey key, double v) {
        if (!(v > 0 && v < 1)) {
            throw invalid(key, "expected a number in (0, 1)");
        }
    }

    /** An {@code INVALID_SETTING} exception naming the key, its value, where it came from and {@code expected}. */
    StageException invalid(ConfigKey key, String expected) {
        return new StageException(ErrorCode.INVALID_SETTING, "Setting '" + key.setting() + "' of component '"
                + spec.component() + "' = " + values.get(key) + " (" + describeSource(key) + ") is invalid; "
                + expected);
    }

    /** Where the value of {@code key} came from, in words. */
    String describeSource(ConfigKey key) {
        return switch (sources.get(key)) {
            case SETTING -> "set explicitly";
            case CONFIG_FILE -> "from '" + key.diffusersKey() + "' in '" + configFile + "'";
            case DEFAULT -> "the default";
        };
    }

    static String diffusersName(PredictionType type) {
        return type.name().toLowerCase(Locale.ROOT);
    }

    private boolean uses(ConfigKey key) {
        return values.containsKey(key);
    }

    private Object get(ConfigKey key) {
        Object v = values.get(key);
        if (v == null) {
            throw new IllegalStateException("component '" + spec.component() + "' does not use '" + key.setting()
                    + "'");
        }
        return v;
    }

    /** The component this configuration belongs to. */
    public String component() {
        return spec.component();
    }

    /** The diffusers class the component mirrors, e.g. {@code DDIMScheduler}. */
    public String diffusersClass() {
        return spec.diffusersClass();
    }

    /** The {@code scheduler_config.json} that supplied values, or {@code null} if none was read. */
    public Path configFile() {
        return configFile;
    }

    /**
     * The keys of {@link #configFile()} this scheduler does not use (in file order). Diffusers ignores them too
     * when it builds this class from the file ({@code from_config}); they are reported so a mismatch is visible.
     */
    public List<String> unusedKeys() {
        return unusedKeys;
    }

    /** Where the value of the setting named {@code setting} (kebab-case) came from, or {@code null} if unused. */
    public Source source(String setting) {
        for (ConfigKey key : ConfigKey.values()) {
            if (key.setting().equals(setting)) {
                return sources.get(key);
            }
        }
        throw new IllegalArgumentException("unknown setting '" + setting + "'");
    }

    /** The resolved values keyed by diffusers name (settings without one use their setting name), for traces. */
    public Map<String, Object> asMap() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<ConfigKey, Object> e : values.entrySet()) {
            String name = e.getKey().diffusersKey().isEmpty() ? e.getKey().setting() : e.getKey().diffusersKey();
            out.put(name, e.getValue());
        }
        return Collections.unmodifiableMap(out);
    }

    /** {@code num_train_timesteps}. */
    public int numTrainTimesteps() {
        return (Integer) get(ConfigKey.NUM_TRAIN_TIMESTEPS);
    }

    /** {@code beta_start}. */
    public double betaStart() {
        return (Double) get(ConfigKey.BETA_START);
    }

    /** {@code beta_end}. */
    public double betaEnd() {
        return (Double) get(ConfigKey.BETA_END);
    }

    /** {@code beta_schedule}. */
    public String betaSchedule() {
        return (String) get(ConfigKey.BETA_SCHEDULE);
    }

    /** {@code steps_offset}. */
    public int stepsOffset() {
        return (Integer) get(ConfigKey.STEPS_OFFSET);
    }

    /** {@code prediction_type}. */
    public PredictionType predictionType() {
        return switch ((String) get(ConfigKey.PREDICTION_TYPE)) {
            case "epsilon" -> PredictionType.EPSILON;
            case "v_prediction" -> PredictionType.V_PREDICTION;
            case "sample" -> PredictionType.SAMPLE;
            default -> throw new IllegalStateException("validated prediction type");
        };
    }

    /** {@code timestep_spacing}. */
    public String timestepSpacing() {
        return (String) get(ConfigKey.TIMESTEP_SPACING);
    }

    /** {@code set_alpha_to_one}. */
    public boolean setAlphaToOne() {
        return (Boolean) get(ConfigKey.SET_ALPHA_TO_ONE);
    }

    /** {@code clip_sample}. */
    public boolean clipSample() {
        return (Boolean) get(ConfigKey.CLIP_SAMPLE);
    }

    /** {@code clip_sample_range}. */
    public double clipSampleRange() {
        return (Double) get(ConfigKey.CLIP_SAMPLE_RANGE);
    }

    /** {@code use_karras_sigmas} ({@code false} for schedulers without Karras sigmas). */
    public boolean useKarrasSigmas() {
        return uses(ConfigKey.USE_KARRAS_SIGMAS) && (Boolean) get(ConfigKey.USE_KARRAS_SIGMAS);
    }

    /** DDIM's {@code eta}. */
    public double eta() {
        return (Double) get(ConfigKey.ETA);
    }

    /** {@code solver_order}. */
    public int solverOrder() {
        return (Integer) get(ConfigKey.SOLVER_ORDER);
    }

    /** {@code lower_order_final}. */
    public boolean lowerOrderFinal() {
        return (Boolean) get(ConfigKey.LOWER_ORDER_FINAL);
    }

    /** {@code original_inference_steps}. */
    public int originalInferenceSteps() {
        return (Integer) get(ConfigKey.ORIGINAL_INFERENCE_STEPS);
    }

    /** {@code timestep_scaling}. */
    public double timestepScaling() {
        return (Double) get(ConfigKey.TIMESTEP_SCALING);
    }

    @Override
    public String toString() {
        return spec.component() + asMap();
    }
}
