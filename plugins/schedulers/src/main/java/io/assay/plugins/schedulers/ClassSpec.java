package io.assay.plugins.schedulers;

import io.assay.sdk.diffusion.PredictionType;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * What one component mirrors of a diffusers scheduler class: the keys it reads, its defaults where they differ from
 * Stable Diffusion 1.5's, the diffusers keys whose behaviour this port fixes to one value, and the keys that
 * diffusers accepts but that have no effect with the fixed values.
 *
 * @param component the component name, e.g. {@code euler-ancestral}
 * @param diffusersClass the diffusers class, e.g. {@code EulerAncestralDiscreteScheduler}
 * @param keys the configuration keys the scheduler uses
 * @param defaults per-class defaults overriding {@link ConfigKey#sdDefault()}
 * @param forced values the component always uses, whatever the model directory says (an explicit setting with
 *     another value is refused)
 * @param fixed diffusers keys this port supports with one value only (value {@code null}: must be null or absent)
 * @param inert diffusers keys the class accepts that have no effect given the fixed values
 * @param predictionTypes the prediction types the diffusers class supports
 */
record ClassSpec(String component, String diffusersClass, Set<ConfigKey> keys, Map<ConfigKey, Object> defaults,
        Map<ConfigKey, Object> forced, Map<String, Object> fixed, Set<String> inert,
        Set<PredictionType> predictionTypes) {

    /** The noise-schedule keys every class reads. */
    static final Set<ConfigKey> SCHEDULE_KEYS = EnumSet.of(ConfigKey.NUM_TRAIN_TIMESTEPS, ConfigKey.BETA_START,
            ConfigKey.BETA_END, ConfigKey.BETA_SCHEDULE, ConfigKey.PREDICTION_TYPE);

    ClassSpec {
        keys = Collections.unmodifiableSet(EnumSet.copyOf(keys));
        defaults = Collections.unmodifiableMap(defaults.isEmpty() ? new EnumMap<>(ConfigKey.class) : new EnumMap<>(defaults));
        forced = Collections.unmodifiableMap(forced.isEmpty() ? new EnumMap<>(ConfigKey.class) : new EnumMap<>(forced));
        fixed = Collections.unmodifiableMap(new HashMap<>(fixed));
        inert = Collections.unmodifiableSet(new LinkedHashSet<>(inert));
        predictionTypes = Collections.unmodifiableSet(EnumSet.copyOf(predictionTypes));
    }

    /** Starts a spec that reads {@link #SCHEDULE_KEYS} plus {@code more}. */
    static Builder of(String component, String diffusersClass, ConfigKey... more) {
        return new Builder(component, diffusersClass, more);
    }

    /** The default of {@code key} for this class. */
    Object defaultOf(ConfigKey key) {
        return defaults.containsKey(key) ? defaults.get(key) : key.sdDefault();
    }

    /** Builds a {@link ClassSpec}. */
    static final class Builder {
        private final String component;
        private final String diffusersClass;
        private final Set<ConfigKey> keys = EnumSet.copyOf(SCHEDULE_KEYS);
        private final Map<ConfigKey, Object> defaults = new EnumMap<>(ConfigKey.class);
        private final Map<ConfigKey, Object> forced = new EnumMap<>(ConfigKey.class);
        private final Map<String, Object> fixed = new HashMap<>();
        private final Set<String> inert = new LinkedHashSet<>();
        private Set<PredictionType> predictionTypes = EnumSet.allOf(PredictionType.class);

        private Builder(String component, String diffusersClass, ConfigKey... more) {
            this.component = component;
            this.diffusersClass = diffusersClass;
            keys.addAll(Set.of(more));
            fixed.put("trained_betas", null);
        }

        Builder defaultValue(ConfigKey key, Object value) {
            defaults.put(key, value);
            return this;
        }

        Builder forced(ConfigKey key, Object value) {
            forced.put(key, value);
            return this;
        }

        Builder fixed(String diffusersKey, Object value) {
            fixed.put(diffusersKey, value);
            return this;
        }

        Builder inert(String... diffusersKeys) {
            inert.addAll(Set.of(diffusersKeys));
            return this;
        }

        Builder predictionTypes(PredictionType first, PredictionType... rest) {
            predictionTypes = EnumSet.of(first, rest);
            return this;
        }

        ClassSpec build() {
            return new ClassSpec(component, diffusersClass, keys, defaults, forced, fixed, inert, predictionTypes);
        }
    }
}
