package io.assay.sdk.settings;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigOriginFactory;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import io.assay.sdk.ModelConfig;
import io.assay.sdk.Setting;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Binds a HOCON block to a settings record declared with {@link Setting}: converts and validates every value,
 * applies defaults, refuses unknown keys (with a did-you-mean), and reports every problem with file:line and the full
 * key instead of stopping at the first.
 *
 * <p>Where a value comes from, first match wins: the block; the caller's fallbacks (e.g. {@code model-dir} from
 * {@code model.dir}); the model's configuration for a setting with a {@link Setting#diffusersKey()} (the
 * {@link #bind(Config, ConfigOrigin, String, Class, Set, String, Map, ModelConfig, String, ConfigReport) overload}
 * taking a {@link ModelConfig}); the declared default.
 */
public final class SettingsBinder {

    private SettingsBinder() {
    }

    /**
     * One declared setting.
     *
     * @param key the config key (kebab-case)
     * @param component the record component
     * @param setting its annotation
     */
    public record Descriptor(String key, RecordComponent component, Setting setting) {

        /** The Java type as users read it: {@code int}, {@code List<String>}, {@code Path}, an enum's values … */
        public String typeName() {
            Class<?> t = component.getType();
            if (t.isEnum()) {
                StringBuilder b = new StringBuilder();
                for (Object c : t.getEnumConstants()) {
                    b.append(b.length() == 0 ? "" : "|").append(Names.enumName((Enum<?>) c));
                }
                return b.toString();
            }
            if (t == List.class) {
                return "list of " + elementType(component).getSimpleName().toLowerCase(Locale.ROOT);
            }
            if (t == Path.class) {
                return "path";
            }
            if (t == int.class) {
                return "integer"; // as Integer reads: a user sees one name for a whole number however it is declared
            }
            return t.getSimpleName().toLowerCase(Locale.ROOT);
        }

        /** Whether the setting may be left unset (it then arrives as null). */
        public boolean optional() {
            return setting.defaultValue().isEmpty() && !component.getType().isPrimitive();
        }
    }

    /** The settings a record declares, in declaration order. */
    public static List<Descriptor> describe(Class<? extends Record> type) {
        List<Descriptor> out = new ArrayList<>();
        for (RecordComponent rc : type.getRecordComponents()) {
            Setting s = rc.getAnnotation(Setting.class);
            if (s == null) {
                s = annotationOnAccessorOrField(type, rc);
            }
            if (s == null) {
                throw new IllegalArgumentException("settings record " + type.getName() + " component '" + rc.getName()
                        + "' has no @Setting annotation");
            }
            out.add(new Descriptor(s.key().isEmpty() ? Names.kebab(rc.getName()) : s.key(), rc, s));
        }
        return out;
    }

    private static Setting annotationOnAccessorOrField(Class<?> type, RecordComponent rc) {
        Setting s = rc.getAccessor().getAnnotation(Setting.class);
        if (s != null) {
            return s;
        }
        try {
            return type.getDeclaredField(rc.getName()).getAnnotation(Setting.class);
        } catch (NoSuchFieldException e) {
            return null;
        }
    }

    /**
     * Binds {@code block} to {@code type}, filling settings the block and {@code fallbacks} leave unset from
     * {@code model} where they declare a {@link Setting#diffusersKey()} (since SDK 1.1). Host and test kit both bind
     * this way.
     *
     * @param model the pipeline's model configuration ({@link ModelConfig#NONE} for none)
     * @param stage the component's stage key ({@code scheduler}, {@code denoiser} …), which decides the files a bare
     *     diffusers key is looked up in ({@link ModelConfig#filesFor})
     * @see #bind(Config, ConfigOrigin, String, Class, Set, String, Map, ConfigReport) the other parameters
     */
    public static <R extends Record> R bind(Config block, ConfigOrigin blockOrigin, String prefix, Class<R> type,
            Set<String> reserved, String owner, Map<String, ConfigValue> fallbacks, ModelConfig model, String stage,
            ConfigReport report) {
        Map<String, ConfigValue> all = new LinkedHashMap<>(modelFallbacks(type, model, stage));
        all.putAll(fallbacks);
        return bind(block, blockOrigin, prefix, type, reserved, owner, all, report);
    }

    /**
     * Binds {@code block} for a component that accepts only {@code accepted} of {@code type}'s keys
     * ({@link ComponentKeys#accepted}, since SDK 1.2): a key of the record outside {@code accepted} is refused at its
     * file and line, naming the key, {@code owner} and the keys it accepts, and is never filled from {@code fallbacks}
     * or {@code model} (it keeps its declared default); the accepted keys bind as the
     * {@link #bind(Config, ConfigOrigin, String, Class, Set, String, Map, ModelConfig, String, ConfigReport) overload
     * without it} binds them.
     *
     * @param accepted the keys the component accepts (all of {@code type}'s for a component that names none)
     */
    public static <R extends Record> R bind(Config block, ConfigOrigin blockOrigin, String prefix, Class<R> type,
            Set<String> accepted, Set<String> reserved, String owner, Map<String, ConfigValue> fallbacks,
            ModelConfig model, String stage, ConfigReport report) {
        int before = report.errors().size();
        List<String> refused = new ArrayList<>();
        for (String k : keysInOrder(type)) {
            if (!accepted.contains(k)) {
                refused.add(k);
            }
        }
        Config kept = block;
        for (String k : refused) {
            ConfigValue v = block.root().get(k);
            if (v != null && !reserved.contains(k)) {
                report.error(ConfigProblem.at(v.origin(), join(prefix, k), owner + " does not accept the setting '"
                        + k + "' (its settings record " + type.getSimpleName() + " is shared with components that "
                        + "do); it accepts: " + (accepted.isEmpty() ? "none" : String.join(", ", accepted))));
                kept = kept.root().withoutKey(k).toConfig();
            }
        }
        Map<String, ConfigValue> all = new LinkedHashMap<>(modelFallbacks(type, model, stage));
        all.putAll(fallbacks);
        all.keySet().removeAll(refused);
        R r = bind(kept, blockOrigin, prefix, type, reserved, owner, all, report);
        return report.errors().size() > before ? null : r;
    }

    /**
     * The values {@code model} gives the settings of {@code type} that declare a {@link Setting#diffusersKey()}, by
     * setting key; each value's origin names the model file and its key, so a problem with it is reported there.
     */
    public static Map<String, ConfigValue> modelFallbacks(Class<? extends Record> type, ModelConfig model,
            String stage) {
        Map<String, ConfigValue> out = new LinkedHashMap<>();
        for (Descriptor d : describe(type)) {
            String dk = d.setting().diffusersKey();
            if (dk.isEmpty()) {
                continue;
            }
            model.find(stage, dk).ifPresent(f -> out.put(d.key(), ConfigValueFactory.fromAnyRef(f.value(),
                    model.where(f.file()) + " key '" + f.key() + "'")));
        }
        return out;
    }

    /**
     * Binds {@code block} to {@code type}.
     *
     * @param block the block's values (may be empty)
     * @param blockOrigin where the block was declared (for whole-record problems), or null
     * @param prefix the block's full path, e.g. {@code scheduler}
     * @param type the settings record
     * @param reserved keys of the block that are not settings (e.g. {@code name})
     * @param owner how unknown-key messages name the owner, e.g. {@code component 'euler'}
     * @param fallbacks values used when the block does not set a key (e.g. {@code model-dir} from {@code model.dir})
     * @param report where problems go
     * @return the record, or null if any problem was found
     */
    public static <R extends Record> R bind(Config block, ConfigOrigin blockOrigin, String prefix, Class<R> type,
            Set<String> reserved, String owner, Map<String, ConfigValue> fallbacks, ConfigReport report) {
        List<Descriptor> descriptors = describe(type);
        Map<String, Descriptor> byKey = new LinkedHashMap<>();
        for (Descriptor d : descriptors) {
            byKey.put(d.key(), d);
        }
        int before = report.errors().size();
        for (Map.Entry<String, ConfigValue> e : block.root().entrySet()) {
            String k = e.getKey();
            if (reserved.contains(k) || byKey.containsKey(k)) {
                continue;
            }
            String hint = Names.suggest(k, byKey.keySet());
            String msg = "unknown key for " + owner + (hint != null ? "; did you mean '" + hint + "'?"
                    : byKey.isEmpty() ? "; it takes no settings" : "; known keys: " + String.join(", ", byKey.keySet()));
            report.error(ConfigProblem.at(e.getValue().origin(), join(prefix, k), msg));
        }
        Object[] args = new Object[descriptors.size()];
        Class<?>[] types = new Class<?>[descriptors.size()];
        for (int i = 0; i < descriptors.size(); i++) {
            Descriptor d = descriptors.get(i);
            types[i] = d.component().getType();
            ConfigValue v = block.root().get(d.key());
            if (v == null || v.valueType() == ConfigValueType.NULL) {
                v = fallbacks.get(d.key());
            }
            String path = join(prefix, d.key());
            if (v == null || v.valueType() == ConfigValueType.NULL) {
                if (d.setting().defaultValue().isEmpty()) {
                    if (types[i].isPrimitive()) {
                        report.error(ConfigProblem.at(blockOrigin, path, "missing required setting ("
                                + d.typeName() + "): " + d.setting().doc()));
                    }
                    args[i] = null;
                    continue;
                }
                v = defaultValue(type, d);
            }
            args[i] = convert(d, v, path, report);
        }
        if (report.errors().size() > before) {
            return null;
        }
        try {
            Constructor<R> c = type.getDeclaredConstructor(types);
            c.setAccessible(true);
            return c.newInstance(args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            report.error(ConfigProblem.at(blockOrigin, prefix, cause instanceof IllegalArgumentException
                    ? cause.getMessage() : "invalid settings: " + cause));
            return null;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot construct settings record " + type.getName(), e);
        }
    }

    /** The parsed default; its origin names the record and component, so a broken default is not blamed on a file. */
    private static ConfigValue defaultValue(Class<?> type, Descriptor d) {
        return ConfigFactory.parseString("v = " + d.setting().defaultValue()).getValue("v").withOrigin(
                ConfigOriginFactory.newSimple("the default of " + type.getSimpleName() + "."
                        + d.component().getName()));
    }

    private static String join(String prefix, String key) {
        return prefix.isEmpty() ? key : prefix + "." + key;
    }

    private static Object convert(Descriptor d, ConfigValue v, String path, ConfigReport report) {
        Class<?> t = d.component().getType();
        Setting s = d.setting();
        ConfigOrigin origin = v.origin();
        Config one = ConfigFactory.empty().withValue("v", v);
        try {
            if (t == boolean.class || t == Boolean.class) {
                return one.getBoolean("v");
            }
            if (t == int.class || t == Integer.class) {
                BigDecimal w = whole(v, path, Integer.MIN_VALUE, Integer.MAX_VALUE, "[-2^31, 2^31-1]", report);
                return w == null ? null : (int) checkRange(w.intValue(), s, path, origin, report);
            }
            if (t == long.class || t == Long.class) {
                BigDecimal w = whole(v, path, Long.MIN_VALUE, Long.MAX_VALUE, "[-2^63, 2^63-1]", report);
                return w == null ? null : (long) checkRange(w.longValue(), s, path, origin, report);
            }
            if (t == double.class || t == Double.class) {
                return checkRange(one.getDouble("v"), s, path, origin, report);
            }
            if (t == float.class || t == Float.class) {
                double x = one.getDouble("v");
                if (Double.isFinite(x) && Float.isInfinite((float) x)) {
                    report.error(ConfigProblem.at(origin, path, "expected a number that fits a float, found "
                            + fmt(x)));
                    return null;
                }
                return (float) checkRange(x, s, path, origin, report);
            }
            if (t == String.class) {
                String str = one.getString("v");
                if (s.oneOf().length > 0 && !List.of(s.oneOf()).contains(str)) {
                    String hint = Names.suggest(str, List.of(s.oneOf()));
                    report.error(ConfigProblem.at(origin, path, "expected one of " + String.join(", ", s.oneOf())
                            + ", found \"" + str + "\"" + (hint != null ? "; did you mean '" + hint + "'?" : "")));
                }
                return str;
            }
            if (t == Path.class) {
                return resolvePath(one.getString("v"), origin);
            }
            if (t.isEnum()) {
                return enumValue(t, one.getString("v"), path, origin, report);
            }
            if (t == List.class) {
                Class<?> e = elementType(d.component());
                if (e == String.class) {
                    return List.copyOf(one.getStringList("v"));
                }
                if (e == Double.class) {
                    List<Double> xs = List.copyOf(one.getDoubleList("v"));
                    for (Double x : xs) {
                        if (!Double.isFinite(x)) {
                            report.error(ConfigProblem.at(origin, path, "expected finite numbers, found " + fmt(x)));
                            return null;
                        }
                    }
                    return xs;
                }
                if (e == Integer.class) {
                    List<Integer> xs = new ArrayList<>();
                    for (ConfigValue item : one.getList("v")) {
                        BigDecimal w = whole(item, path, Integer.MIN_VALUE, Integer.MAX_VALUE, "[-2^31, 2^31-1]",
                                report);
                        if (w == null) {
                            return null;
                        }
                        xs.add(w.intValue());
                    }
                    return List.copyOf(xs);
                }
                if (e == Path.class) {
                    List<Path> paths = new ArrayList<>();
                    for (ConfigValue item : one.getList("v")) {
                        if (item.valueType() != ConfigValueType.STRING) {
                            throw new ConfigException.WrongType(item.origin(), "list of paths");
                        }
                        paths.add(resolvePath((String) item.unwrapped(), item.origin()));
                    }
                    return List.copyOf(paths);
                }
            }
            throw new IllegalStateException("unsupported settings type " + d.component().getGenericType() + " of '"
                    + path + "'");
        } catch (ConfigException.WrongType | ConfigException.BadValue e) {
            report.error(ConfigProblem.at(origin, path, "expected " + expected(d) + ", found " + found(v)));
            return null;
        }
    }

    /**
     * A whole number as written, checked rather than coerced: Typesafe Config's {@code getInt} would read
     * {@code 2.5} as 2 and a seed above 2^63−1 as 2^63−1; here both are reported (null = reported).
     */
    private static BigDecimal whole(ConfigValue v, String path, long lo, long hi, String range,
            ConfigReport report) {
        String text;
        if (v.valueType() == ConfigValueType.NUMBER) {
            text = v.render(com.typesafe.config.ConfigRenderOptions.concise());
        } else if (v.valueType() == ConfigValueType.STRING) {
            text = ((String) v.unwrapped()).trim();
        } else {
            throw new ConfigException.WrongType(v.origin(), path, "a whole number", v.valueType().name());
        }
        BigDecimal d;
        try {
            d = new BigDecimal(text);
        } catch (NumberFormatException e) {
            throw new ConfigException.WrongType(v.origin(), path, "a whole number", "'" + text + "'");
        }
        if (d.signum() != 0 && d.stripTrailingZeros().scale() > 0) {
            report.error(ConfigProblem.at(v.origin(), path, "expected a whole number, found " + text
                    + " (not rounded)"));
            return null;
        }
        if (d.compareTo(BigDecimal.valueOf(lo)) < 0 || d.compareTo(BigDecimal.valueOf(hi)) > 0) {
            report.error(ConfigProblem.at(v.origin(), path, "expected a whole number in " + range + ", found "
                    + text));
            return null;
        }
        return d;
    }

    private static double checkRange(double x, Setting s, String path, ConfigOrigin origin, ConfigReport report) {
        if (!Double.isFinite(x)) {
            report.error(ConfigProblem.at(origin, path, "expected a finite number, found " + fmt(x)));
            return x;
        }
        if (x < s.min() || x > s.max()) {
            report.error(ConfigProblem.at(origin, path, "expected a number in [" + fmt(s.min()) + ", " + fmt(s.max())
                    + "], found " + fmt(x)));
        }
        return x;
    }

    private static String fmt(double x) {
        if (Double.isNaN(x)) {
            return "NaN";
        }
        if (Double.isInfinite(x)) {
            return x > 0 ? "∞" : "-∞";
        }
        return x == Math.rint(x) && Math.abs(x) < 1e15 ? Long.toString((long) x) : Double.toString(x);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object enumValue(Class<?> t, String raw, String path, ConfigOrigin origin, ConfigReport report) {
        String norm = raw.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        List<String> names = new ArrayList<>();
        for (Object c : t.getEnumConstants()) {
            String n = Names.enumName((Enum<?>) c);
            if (n.equals(norm)) {
                return c;
            }
            names.add(n);
        }
        String hint = Names.suggest(norm, names);
        report.error(ConfigProblem.at(origin, path, "expected one of " + String.join(", ", names) + ", found \""
                + raw + "\"" + (hint != null ? "; did you mean '" + hint + "'?" : "")));
        return null;
    }

    /** Resolves a path setting: {@code ~/} is the home directory; relative paths are against the setting's file. */
    public static Path resolvePath(String raw, ConfigOrigin origin) {
        if (raw.equals("~") || raw.startsWith("~/")) {
            return Paths.get(System.getProperty("user.home") + raw.substring(1)).normalize();
        }
        Path p = Paths.get(raw);
        if (p.isAbsolute()) {
            return p.normalize();
        }
        if (origin != null && origin.filename() != null) {
            Path parent = Paths.get(origin.filename()).toAbsolutePath().getParent();
            if (parent != null) {
                return parent.resolve(p).normalize();
            }
        }
        return p.toAbsolutePath().normalize();
    }

    static Class<?> elementType(RecordComponent rc) {
        Type g = rc.getGenericType();
        if (g instanceof ParameterizedType pt && pt.getActualTypeArguments()[0] instanceof Class<?> c) {
            return c;
        }
        return String.class;
    }

    private static String expected(Descriptor d) {
        Class<?> t = d.component().getType();
        if (t == boolean.class || t == Boolean.class) {
            return "a boolean (true or false)";
        }
        if (t == int.class || t == Integer.class || t == long.class || t == Long.class) {
            return "a whole number";
        }
        if (t == double.class || t == Double.class || t == float.class || t == Float.class) {
            return "a number";
        }
        if (t == List.class) {
            return "a list of " + elementType(d.component()).getSimpleName().toLowerCase(Locale.ROOT) + "s";
        }
        return "a string";
    }

    private static String found(ConfigValue v) {
        String type = v.valueType().name().toLowerCase(Locale.ROOT);
        String rendered = v.render(com.typesafe.config.ConfigRenderOptions.concise());
        if (rendered.length() > 60) {
            rendered = rendered.substring(0, 57) + "...";
        }
        return rendered + " (" + type + ")";
    }

    /** The keys a record declares, in declaration order. */
    public static List<String> keysInOrder(Class<? extends Record> type) {
        List<String> out = new ArrayList<>();
        for (Descriptor d : describe(type)) {
            out.add(d.key());
        }
        return out;
    }

    /** All keys a record declares (for did-you-mean across sections). */
    public static Set<String> keys(Class<? extends Record> type) {
        Set<String> out = new TreeSet<>();
        for (Descriptor d : describe(type)) {
            out.add(d.key());
        }
        return out;
    }
}
