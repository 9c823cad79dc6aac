package io.assay.sdk.settings;

import com.typesafe.config.ConfigFactory;
import io.assay.sdk.Component;
import io.assay.sdk.Setting;
import io.assay.sdk.diffusion.RecommendedRanges;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Whether a component declares its settings so that they can bind: what the host checks when it loads a plugin (a
 * broken declaration refuses the plugin, naming the component and the problem, instead of failing later as if the
 * user's configuration were wrong) and what the test kit's {@code SettingsContract} checks.
 */
public final class SettingsDeclaration {

    private static final Set<Class<?>> SCALARS = Set.of(Boolean.class, Integer.class, Long.class, Double.class,
            Float.class, String.class, Path.class);
    private static final Set<Class<?>> NUMBERS = Set.of(int.class, long.class, double.class, float.class,
            Integer.class, Long.class, Double.class, Float.class);
    private static final Pattern DIFFUSERS_KEY = Pattern.compile("([A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*\\.json:)?"
            + "[A-Za-z0-9_]+");

    private SettingsDeclaration() {
    }

    /**
     * Every problem of the component class {@code component}'s declaration: its {@link Component} settings record
     * ({@link #problems}), the keys it accepts ({@link ComponentKeys#problems}, since SDK 1.2) and its
     * {@link io.assay.sdk.diffusion.Recommended} ranges, each message starting with the
     * component's name and class. Empty when it is fine; the host refuses the plugin otherwise.
     */
    public static List<String> forComponent(Class<?> component) {
        Component c = component.getAnnotation(Component.class);
        List<String> out = new ArrayList<>();
        if (c == null) {
            out.add(component.getName() + ": has no @Component annotation");
            return out;
        }
        String who = "component '" + c.name() + "' (" + component.getName() + "): ";
        problems(c.settings()).forEach(p -> out.add(who + p));
        if (out.isEmpty()) {
            ComponentKeys.problems(component).forEach(p -> out.add(who + p));
        }
        RecommendedRanges.problems(component).forEach(p -> out.add(who + p));
        return out;
    }

    /**
     * Every problem of a settings record's declaration: {@link #documented}, {@link #keys}, {@link #boundsAndChoices},
     * diffusers keys that are {@code key} or {@code file.json:key}, and the defaults (each converts as its type and
     * range require, and the record's constructor accepts them all; an {@link IllegalArgumentException} from the
     * constructor is accepted, since a record may require keys the user must set).
     */
    public static List<String> problems(Class<? extends Record> type) {
        List<String> out = new ArrayList<>(documented(type));
        if (!out.isEmpty()) {
            return out;
        }
        out.addAll(keys(type));
        out.addAll(boundsAndChoices(type));
        for (SettingsBinder.Descriptor d : SettingsBinder.describe(type)) {
            String dk = d.setting().diffusersKey();
            if (!dk.isEmpty() && !DIFFUSERS_KEY.matcher(dk).matches()) {
                out.add(who(type) + ": expected the diffusersKey of '" + d.key() + "' to be a JSON key or "
                        + "'file.json:key', but it is '" + dk + "'");
            }
        }
        if (out.isEmpty()) {
            out.addAll(defaults(type));
        }
        return out;
    }

    /** Every component carries {@link Setting} with a non-empty doc, and has a type the binder supports. */
    public static List<String> documented(Class<? extends Record> type) {
        List<String> out = new ArrayList<>();
        for (RecordComponent rc : type.getRecordComponents()) {
            Setting s = annotation(type, rc);
            if (s == null) {
                out.add(who(type) + ": expected component '" + rc.getName() + "' to carry @Setting (its key, doc and "
                        + "default), but it has none");
                continue;
            }
            if (s.doc().isBlank()) {
                out.add(who(type) + ": expected a one-line doc in @Setting of '" + rc.getName() + "', but it is empty");
            }
            if (!supported(rc)) {
                out.add(who(type) + ": expected '" + rc.getName() + "' to have a supported type (boolean, int, long, "
                        + "double, float, their boxes, String, Path, an enum, List of String/Double/Integer/Path), "
                        + "but it is " + rc.getGenericType().getTypeName());
            }
        }
        return out;
    }

    /** Keys are kebab-case and unique. */
    public static List<String> keys(Class<? extends Record> type) {
        List<String> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (SettingsBinder.Descriptor d : SettingsBinder.describe(type)) {
            if (!Names.KEBAB.matcher(d.key()).matches()) {
                out.add(who(type) + ": expected kebab-case keys, but component '" + d.component().getName()
                        + "' has the key '" + d.key() + "'");
            }
            if (!seen.add(d.key())) {
                out.add(who(type) + ": expected unique keys, but '" + d.key() + "' appears twice");
            }
        }
        return out;
    }

    /** {@code min <= max}, bounds only on numbers, {@code oneOf} only on strings. */
    public static List<String> boundsAndChoices(Class<? extends Record> type) {
        List<String> out = new ArrayList<>();
        for (SettingsBinder.Descriptor d : SettingsBinder.describe(type)) {
            Setting s = d.setting();
            Class<?> t = d.component().getType();
            if (!(s.min() <= s.max())) {
                out.add(who(type) + ": expected min <= max for '" + d.key() + "', but min = " + s.min()
                        + " and max = " + s.max());
            }
            if (!NUMBERS.contains(t) && (s.min() != Double.NEGATIVE_INFINITY || s.max() != Double.POSITIVE_INFINITY)) {
                out.add(who(type) + ": '" + d.key() + "' is a " + t.getSimpleName() + ", so expected no min/max, but "
                        + "it declares [" + s.min() + ", " + s.max() + "]");
            }
            if (s.oneOf().length > 0 && t != String.class) {
                out.add(who(type) + ": '" + d.key() + "' is a " + t.getSimpleName() + ", so expected no oneOf (only "
                        + "strings have it; enums list their constants)");
            }
        }
        return out;
    }

    /**
     * The defaults bind: each declared default converts to its type within its bounds and choices, and the record's
     * constructor accepts the defaults (when every primitive setting has one). Only an {@link IllegalArgumentException}
     * from the constructor is accepted, since a record may require keys the user must set; any other exception is a
     * bug the user could not fix.
     */
    public static List<String> defaults(Class<? extends Record> type) {
        List<String> out = new ArrayList<>();
        ConfigReport report = new ConfigReport();
        try {
            SettingsBinder.bind(ConfigFactory.empty(), null, "", type, Set.of(), who(type), Map.of(), report);
        } catch (RuntimeException e) {
            out.add(who(type) + ": binding the defaults failed: " + e);
            return out;
        }
        for (ConfigProblem p : report.errors()) {
            boolean requiredKeyMissing = p.message().startsWith("missing required setting");
            boolean refusedByTheRecord = p.key().isEmpty() && !p.message().startsWith("invalid settings:");
            if (!requiredKeyMissing && !refusedByTheRecord) {
                out.add(who(type) + ": the declared defaults do not bind: " + p.render());
            }
        }
        return out;
    }

    private static String who(Class<?> type) {
        return "settings record " + type.getName();
    }

    private static Setting annotation(Class<?> type, RecordComponent rc) {
        Setting s = rc.getAnnotation(Setting.class);
        if (s == null) {
            s = rc.getAccessor().getAnnotation(Setting.class);
        }
        if (s == null) {
            try {
                s = type.getDeclaredField(rc.getName()).getAnnotation(Setting.class);
            } catch (NoSuchFieldException e) {
                return null;
            }
        }
        return s;
    }

    private static boolean supported(RecordComponent rc) {
        Class<?> t = rc.getType();
        if (t.isPrimitive()) {
            return t != char.class && t != byte.class && t != short.class;
        }
        if (SCALARS.contains(t) || t.isEnum()) {
            return true;
        }
        if (t == List.class) {
            Type g = rc.getGenericType();
            return g instanceof ParameterizedType p && Set.of(String.class, Double.class, Integer.class, Path.class)
                    .contains(p.getActualTypeArguments()[0]);
        }
        return false;
    }
}
