package io.assay.framework.serve;

import io.assay.framework.assembly.StageKey;
import io.assay.framework.host.ComponentInfo;
import io.assay.framework.settings.RunSettings;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.Stage;
import io.assay.sdk.StageException;
import io.assay.sdk.settings.SettingsBinder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * What a request may change, and how big it may be.
 *
 * <p>An override ({@code "overrides": {"key": value}}) passes two tests: its section is on the allow-list (a fixed
 * list of {@code run} keys; any key of {@code scheduler}, {@code guidance} and {@code noise}), and the setting's
 * declared type is not a file: a key that any installed component of the section declares as a {@code Path} (or a
 * list of paths) is refused whatever its value, before anything is read, so the answer says nothing about which
 * files exist. The limits are checked on the configuration after the overrides are merged, so an override cannot
 * pass what a dedicated field may not.
 */
final class RequestPolicy {

    /**
     * The per-request limits (each a {@code serve} option).
     *
     * @param maxSteps most inference steps
     * @param maxBatch most images per request
     * @param maxSide largest width or height in pixels (and both must be multiples of 8)
     * @param maxPixels most pixels per request: width × height × batch
     * @param maxPromptChars longest prompt or negative prompt, in characters
     */
    record Limits(int maxSteps, int maxBatch, int maxSide, long maxPixels, int maxPromptChars) {
        static final Limits DEFAULTS = new Limits(500, 8, 2048, 2048L * 2048 * 2, 16384);

        /** Limits with the default prompt length. */
        Limits(int maxSteps, int maxBatch, int maxSide, long maxPixels) {
            this(maxSteps, maxBatch, maxSide, maxPixels, 16384);
        }
    }

    /** The {@code run} keys a request may set. */
    static final Set<String> RUN_KEYS = Set.of("prompt", "negative", "seed", "steps", "width", "height", "batch",
            "strength", "init-sampling");
    /** The stage sections a request may set any non-file key of. */
    static final List<StageKey> STAGES = List.of(StageKey.SCHEDULER, StageKey.GUIDANCE, StageKey.NOISE);

    private final Function<Class<? extends Stage>, List<ComponentInfo>> catalog;
    private final Limits limits;

    /**
     * @param catalog the installed components of a stage, asked at each request (plugins come and go)
     * @param limits the per-request limits
     */
    RequestPolicy(Function<Class<? extends Stage>, List<ComponentInfo>> catalog, Limits limits) {
        this.catalog = catalog;
        this.limits = limits;
    }

    Limits limits() {
        return limits;
    }

    /** The {@code path=value} overrides for {@code overrides}; refuses (400) a key a request may not set, naming it. */
    List<String> overrides(Map<String, Object> overrides) {
        List<String> sets = new ArrayList<>();
        if (overrides == null) {
            return sets;
        }
        for (Map.Entry<String, Object> e : overrides.entrySet()) {
            String key = e.getKey();
            checkKey(key);
            Object v = e.getValue();
            if (!scalar(v) && !(v instanceof List<?> l && l.stream().allMatch(RequestPolicy::scalar))) {
                throw refuse("override '" + key + "' must be a string, number, boolean or a list of those");
            }
            sets.add(key + "=" + hocon(key, v));
        }
        return sets;
    }

    /**
     * A JSON value as HOCON text, numbers exactly as given: Typesafe's own conversion turns a whole number above
     * 2^63−1 into 2^63−1, so big numbers go through as text for the settings binder to refuse by name.
     */
    private static String hocon(String key, Object v) {
        if (v instanceof List<?> l) {
            List<String> items = new ArrayList<>();
            for (Object o : l) {
                items.add(hocon(key, o));
            }
            return "[" + String.join(", ", items) + "]";
        }
        if (v instanceof String str) {
            return io.assay.framework.settings.ConfigLoader.quote(str);
        }
        if ((v instanceof Double || v instanceof Float) && !Double.isFinite(((Number) v).doubleValue())) {
            throw refuse("override '" + key + "' must be a finite number, found " + v);
        }
        if (v instanceof java.math.BigDecimal d) {
            return d.toString();
        }
        return v.toString(); // Boolean, Integer, Long, BigInteger, Double
    }

    private static boolean scalar(Object v) {
        return v instanceof String || v instanceof Number || v instanceof Boolean;
    }

    /** Refuses a key a request may not set. */
    void checkKey(String key) {
        if (key == null || !key.matches("[a-z0-9-]+\\.[a-z0-9-]+")) {
            throw refuse("override '" + clip(key) + "' is not allowed: a request may set 'run.<key>' ("
                    + String.join(", ", new TreeSet<>(RUN_KEYS)) + ") or one key of "
                    + String.join(", ", STAGES.stream().map(StageKey::key).toList()));
        }
        int dot = key.indexOf('.');
        String section = key.substring(0, dot);
        String setting = key.substring(dot + 1);
        if (section.equals("run")) {
            if (!RUN_KEYS.contains(setting)) {
                throw refuse("override '" + key + "' is not allowed: a request may set run."
                        + String.join(", run.", new TreeSet<>(RUN_KEYS)));
            }
            for (SettingsBinder.Descriptor d : SettingsBinder.describe(RunSettings.class)) {
                if (d.key().equals(setting) && isPath(d)) {
                    throw refuse("override '" + key + "' is not allowed: it names a file");
                }
            }
            return;
        }
        StageKey stage = STAGES.stream().filter(s -> s.key().equals(section)).findFirst().orElse(null);
        if (stage == null) {
            throw refuse("override '" + key + "' is not allowed: a request may set keys under run., "
                    + String.join(", ", STAGES.stream().map(s -> s.key() + ".").toList())
                    + " (never a model, plugin, output or file setting)");
        }
        if (setting.equals("name")) {
            return;
        }
        // By declared type: a key that is a file in ANY component of the section is refused, whichever component
        // the request selects (it could select another in the same request).
        boolean declared = false;
        for (ComponentInfo c : catalog.apply(stage.type())) {
            for (SettingsBinder.Descriptor d : SettingsBinder.describe(c.settingsType())) {
                if (d.key().equals(setting)) {
                    declared = true;
                    if (isPath(d)) {
                        throw refuse("override '" + key + "' is not allowed: it is a file setting ("
                                + d.typeName() + " of " + stage.key() + " '" + c.name() + "'); a request may not "
                                + "name files");
                    }
                }
            }
        }
        if (!declared) {
            throw refuse("override '" + key + "' is not a setting of any installed " + stage.key() + " component");
        }
    }

    private static boolean isPath(SettingsBinder.Descriptor d) {
        Class<?> t = d.component().getType();
        return t == Path.class || t == java.io.File.class || d.typeName().equals("list of path");
    }

    /**
     * Refuses a run bigger than the limits, naming the setting: checked on the merged configuration (width and
     * height may still be unset: the model's native size, checked again by {@link #checkSize} once known).
     */
    void checkRun(RunSettings run) {
        check(run.prompt().length() <= limits.maxPromptChars(), "run.prompt: the prompt is " + run.prompt().length()
                + " characters, over this server's limit of " + limits.maxPromptChars() + " (--max-prompt-chars)");
        check(run.negative().length() <= limits.maxPromptChars(), "run.negative: the negative prompt is "
                + run.negative().length() + " characters, over this server's limit of " + limits.maxPromptChars()
                + " (--max-prompt-chars)");
        check(run.steps() >= 1 && run.steps() <= limits.maxSteps(), "run.steps: steps must be in [1, "
                + limits.maxSteps() + "], found " + run.steps());
        check(run.batch() >= 1 && run.batch() <= limits.maxBatch(), "run.batch: batch must be in [1, "
                + limits.maxBatch() + "], found " + run.batch());
        side("run.width", run.width());
        side("run.height", run.height());
        if (run.width() != null && run.height() != null) {
            pixels(run.width(), run.height(), run.batch());
        }
    }

    /** Refuses request fields beyond the limits (null = not given). */
    void checkFields(Integer steps, Integer batch, Integer width, Integer height) {
        if (steps != null) {
            check(steps >= 1 && steps <= limits.maxSteps(), "run.steps: steps must be in [1, " + limits.maxSteps()
                    + "], found " + steps);
        }
        if (batch != null) {
            check(batch >= 1 && batch <= limits.maxBatch(), "run.batch: batch must be in [1, " + limits.maxBatch()
                    + "], found " + batch);
        }
        side("run.width", width);
        side("run.height", height);
        if (width != null && height != null && batch != null) {
            pixels(width, height, batch);
        }
    }

    /** Refuses a resolved size beyond the limits. */
    void checkSize(int width, int height, int batch, int steps) {
        check(steps >= 1 && steps <= limits.maxSteps(), "run.steps: steps must be in [1, " + limits.maxSteps()
                + "], found " + steps);
        check(batch >= 1 && batch <= limits.maxBatch(), "run.batch: batch must be in [1, " + limits.maxBatch()
                + "], found " + batch);
        side("run.width", width);
        side("run.height", height);
        pixels(width, height, batch);
    }

    private void side(String key, Integer side) {
        if (side != null) {
            check(side >= 8 && side <= limits.maxSide() && side % 8 == 0, key + ": width and height must be "
                    + "multiples of 8 in [8, " + limits.maxSide() + "], found " + side);
        }
    }

    private void pixels(long w, long h, long batch) {
        long px = w * h * batch;
        check(px <= limits.maxPixels(), "run.width × run.height × run.batch = " + px + " pixels is over this "
                + "server's budget of " + limits.maxPixels() + " (--max-pixels)");
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw refuse(message);
        }
    }

    static StageException refuse(String message) {
        return new StageException(ErrorCode.INVALID_INPUT, message);
    }

    private static String clip(String s) {
        if (s == null) {
            return "null";
        }
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }
}
