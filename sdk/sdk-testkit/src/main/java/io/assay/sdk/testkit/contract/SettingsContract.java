package io.assay.sdk.testkit.contract;

import static io.assay.sdk.testkit.contract.Checks.check;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.assay.sdk.settings.ConfigProblem;
import io.assay.sdk.settings.ConfigReport;
import io.assay.sdk.settings.SettingsBinder;
import io.assay.sdk.settings.SettingsDeclaration;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The contract of a settings record, checked with the binder the host uses ({@link SettingsBinder}) and the check it
 * runs when it loads a plugin ({@link SettingsDeclaration}): every component has {@code @Setting} with a doc and a
 * supported type, every key is kebab-case and unique, numeric bounds and {@code oneOf} make sense, the declared
 * defaults bind (an empty block, plus {@link #requiredSettings()}) and components without a default are optional
 * (non-primitive); an unknown or misspelt key is refused with a message naming it (with "did you mean" for a near
 * miss); a value of the wrong type is refused naming the key.
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

    /** Fails with every problem, one per line, if there is any. */
    private static void none(List<String> problems) {
        check(problems.isEmpty(), String.join("\n", problems));
    }

    /** Every component carries {@code @Setting} with a non-empty doc, and has a type the binder supports. */
    @Test
    default void everyComponentIsADocumentedSetting() {
        none(SettingsDeclaration.documented(settingsType()));
    }

    /** Keys are kebab-case and unique. */
    @Test
    default void keysAreKebabCaseAndUnique() {
        none(SettingsDeclaration.keys(settingsType()));
    }

    /** {@code min <= max}, bounds only on numbers, {@code oneOf} only on strings. */
    @Test
    default void boundsAndChoicesFitTheirTypes() {
        none(SettingsDeclaration.boundsAndChoices(settingsType()));
    }

    /**
     * The check an SDK 1.1 host runs when it loads the plugin passes (else it refuses the plugin): the above, diffusers
     * keys of the form {@code key} or {@code file.json:key}, every default converting within its bounds and choices,
     * and the record's constructor taking the defaults without an exception other than
     * {@link IllegalArgumentException}.
     */
    @Test
    default void declarationPassesTheHostsLoadCheck() {
        none(SettingsDeclaration.problems(settingsType()));
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
