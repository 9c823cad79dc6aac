package io.assay.sdk.testkit.contract;

import static io.assay.sdk.testkit.contract.Checks.check;
import static io.assay.sdk.testkit.contract.Checks.fail;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.assay.sdk.Setting;
import io.assay.sdk.settings.ConfigProblem;
import io.assay.sdk.settings.ConfigReport;
import io.assay.sdk.settings.SettingsBinder;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The contract of a settings record, checked with the binder the host uses ({@link SettingsBinder}): every component
 * has {@link Setting} with a doc and a supported type, every key is kebab-case and unique, numeric bounds and
 * {@code oneOf} make sense, the declared defaults bind (an empty block, plus {@link #requiredSettings()}) and
 * components without a default are optional (non-primitive); an unknown or misspelt key is refused with a message
 * naming it (with "did you mean" for a near miss); a value of the wrong type is refused naming the key.
 */
public interface SettingsContract {

    /** The settings record under test. */
    Class<? extends Record> settingsType();

    /**
     * HOCON for the settings the record requires (its compact constructor refuses them unset), e.g.
     * {@code initial = "noise.npy"}; empty by default.
     */
    default String requiredSettings() {
        return "";
    }

    /** Binds {@code hocon} as the host binds a component block; returns the record (null on errors). */
    private Record bind(String hocon, ConfigReport report) {
        Config block = ConfigFactory.parseString(hocon);
        return SettingsBinder.bind(block, block.origin(), "settings", settingsType(), Set.of(),
                "component 'under-test'", Map.of(), report);
    }

    private String who() {
        return "settings record " + settingsType().getName();
    }

    private static boolean supported(RecordComponent rc) {
        Class<?> t = rc.getType();
        if (t.isPrimitive()) {
            return t != char.class && t != byte.class && t != short.class;
        }
        if (Set.of(Boolean.class, Integer.class, Long.class, Double.class, Float.class, String.class, Path.class)
                .contains(t) || t.isEnum()) {
            return true;
        }
        if (t == List.class) {
            Type g = rc.getGenericType();
            return g instanceof ParameterizedType p && Set.of(String.class, Double.class, Integer.class)
                    .contains(p.getActualTypeArguments()[0]);
        }
        return false;
    }

    /** Every component carries {@code @Setting} with a non-empty doc, and has a type the binder supports. */
    @Test
    default void everyComponentIsADocumentedSetting() {
        for (RecordComponent rc : settingsType().getRecordComponents()) {
            Setting s = rc.getAnnotation(Setting.class);
            if (s == null) {
                throw fail(who() + ": expected component '" + rc.getName() + "' to carry @Setting (its key, doc and "
                        + "default), but it has none");
            }
            check(!s.doc().isBlank(), who() + ": expected a one-line doc in @Setting of '" + rc.getName()
                    + "', but it is empty");
            check(supported(rc), who() + ": expected '" + rc.getName() + "' to have a supported type (boolean, "
                    + "int, long, double, float, their boxes, String, Path, an enum, List of String/Double/Integer), "
                    + "but it is " + rc.getGenericType().getTypeName());
        }
    }

    /** Keys are kebab-case and unique. */
    @Test
    default void keysAreKebabCaseAndUnique() {
        Set<String> seen = new HashSet<>();
        for (SettingsBinder.Descriptor d : SettingsBinder.describe(settingsType())) {
            check(Checks.KEBAB.matcher(d.key()).matches(), who() + ": expected kebab-case keys, but component '"
                    + d.component().getName() + "' has the key '" + d.key() + "'");
            check(seen.add(d.key()), who() + ": expected unique keys, but '" + d.key() + "' appears twice");
        }
    }

    /** {@code min <= max}, bounds only on numbers, {@code oneOf} only on strings. */
    @Test
    default void boundsAndChoicesFitTheirTypes() {
        for (SettingsBinder.Descriptor d : SettingsBinder.describe(settingsType())) {
            Setting s = d.setting();
            Class<?> t = d.component().getType();
            boolean numeric = Set.of(int.class, long.class, double.class, float.class, Integer.class, Long.class,
                    Double.class, Float.class).contains(t);
            check(s.min() <= s.max(), who() + ": expected min <= max for '" + d.key() + "', but min = " + s.min()
                    + " and max = " + s.max());
            check(numeric || (s.min() == Double.NEGATIVE_INFINITY && s.max() == Double.POSITIVE_INFINITY), who()
                    + ": '" + d.key() + "' is a " + t.getSimpleName() + ", so expected no min/max, but it declares ["
                    + s.min() + ", " + s.max() + "]");
            check(s.oneOf().length == 0 || t == String.class, who() + ": '" + d.key() + "' is a "
                    + t.getSimpleName() + ", so expected no oneOf (only strings have it; enums list their constants)");
        }
    }

    /**
     * The declared defaults bind: an empty block (plus {@link #requiredSettings()}) gives a record with no problem;
     * every component without a default is optional (a non-primitive type that arrives as null).
     */
    @Test
    default void declaredDefaultsBind() {
        Set<String> required = ConfigFactory.parseString(requiredSettings()).root().keySet();
        for (SettingsBinder.Descriptor d : SettingsBinder.describe(settingsType())) {
            if (d.setting().defaultValue().isEmpty() && !required.contains(d.key())) {
                check(!d.component().getType().isPrimitive(), who() + ": '" + d.key() + "' has no default, so "
                        + "expected an optional (non-primitive) type that arrives as null, but it is "
                        + d.component().getType() + " (give it a default or box it)");
            }
        }
        ConfigReport report = new ConfigReport();
        Record r = bind(requiredSettings(), report);
        check(r != null && !report.hasErrors(), who() + ": expected the declared defaults"
                + (requiredSettings().isBlank() ? "" : " plus {" + requiredSettings() + "}") + " to bind, but the "
                + "binder reported:\n" + report.format("an empty settings block"));
    }

    /** A key the record does not declare is refused, naming it; a near miss of a real key suggests that key. */
    @Test
    default void unknownKeysAreRefusedNamingThem() {
        List<SettingsBinder.Descriptor> ds = SettingsBinder.describe(settingsType());
        String stranger = "no-such-setting-here";
        List<String> attempts = new ArrayList<>(List.of(stranger));
        String real = null;
        String misspelt = null;
        for (SettingsBinder.Descriptor d : ds) {
            if (d.key().length() >= 4 && (real == null || d.key().length() > real.length())) {
                real = d.key();
            }
        }
        if (real != null) {
            // Swap two middle letters: a typo close enough for a suggestion.
            int i = real.length() / 2;
            char[] c = real.toCharArray();
            char tmp = c[i];
            c[i] = c[i - 1];
            c[i - 1] = tmp;
            misspelt = new String(c);
            if (misspelt.equals(real)) {
                misspelt = real + "x";
            }
            attempts.add(misspelt);
        }
        for (String key : attempts) {
            String block = requiredSettings() + "\n\"" + key + "\" = 1";
            ConfigReport report = new ConfigReport();
            Record r = bind(block, report);
            ConfigProblem p = report.errors().stream().filter(e -> e.key().endsWith(key) || e.message().contains(key))
                    .findFirst().orElse(null);
            check(r == null && p != null, who() + ": expected the unknown key '" + key + "' to be refused with a "
                    + "problem naming it, but the binder reported: " + (report.hasErrors()
                            ? report.format("the block") : "nothing"));
            if (key.equals(misspelt)) {
                check(p.message().contains("did you mean '" + real + "'"), who() + ": expected the misspelt key '"
                        + key + "' to suggest '" + real + "' (did you mean), but the message is: " + p.message());
            }
        }
    }

    /** A value of the wrong type for a number, boolean, enum or list is refused, naming the key. */
    @Test
    default void wrongValueTypesAreRefusedNamingTheKey() {
        for (SettingsBinder.Descriptor d : SettingsBinder.describe(settingsType())) {
            Class<?> t = d.component().getType();
            if (t == String.class || t == Path.class) {
                continue;
            }
            String bad = t == List.class ? "{ not = a-list }" : "\"certainly-not-a-" + d.typeName().replace('|', '-')
                    + "\"";
            ConfigReport report = new ConfigReport();
            Record r = bind(requiredSettings() + "\n\"" + d.key() + "\" = " + bad, report);
            boolean named = report.errors().stream().anyMatch(e -> e.key().endsWith(d.key()));
            check(r == null && named, who() + ": expected '" + d.key() + " = " + bad + "' (a " + d.typeName()
                    + " setting) to be refused naming the key, but the binder reported: "
                    + (report.hasErrors() ? report.format("the block") : "nothing"));
        }
    }
}
