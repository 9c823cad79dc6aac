package io.assay.plugins.curationlanguage;

import com.github.pemistahl.lingua.api.Language;
import com.github.pemistahl.lingua.api.LanguageDetector;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Which languages' models live {@code language} instances use.
 *
 * <p>Lingua 1.2.2 keeps its n-gram models in static maps shared by every detector of the class loader (here: of this
 * plugin), and {@link LanguageDetector#unloadLanguageModels()} removes the models of all the detector's languages. So
 * that closing one instance does not unload models another live instance still uses (it would reload them, seconds
 * and hundreds of megabytes, on its next judge), each instance registers its languages here, and only languages no
 * live instance uses any more are unloaded, all n-gram orders, whatever the accuracy mode.
 */
final class LoadedModels {

    private static final Map<Language, Integer> USERS = new EnumMap<>(Language.class);

    private LoadedModels() {
    }

    /** Registers a user of these languages' models; call before loading them. */
    static void acquire(Set<Language> languages) {
        synchronized (USERS) {
            for (Language l : languages) {
                USERS.merge(l, 1, Integer::sum);
            }
        }
    }

    /**
     * Deregisters a user; unloads the models of the languages nobody uses any more.
     *
     * @return the languages whose models were unloaded
     */
    static Set<Language> release(Set<Language> languages) {
        synchronized (USERS) {
            Set<Language> unused = EnumSet.noneOf(Language.class);
            for (Language l : languages) {
                Integer n = USERS.get(l);
                if (n == null || n <= 1) {
                    USERS.remove(l);
                    unused.add(l);
                } else {
                    USERS.put(l, n - 1);
                }
            }
            if (!unused.isEmpty()) {
                // Lingua's (Kotlin-internal, public in bytecode) constructor: a detector over exactly these languages,
                // nothing preloaded, high accuracy, so that unloading removes every n-gram order. The builder would
                // refuse fewer than two languages. Done under the lock, so a concurrent acquire cannot load in between.
                new LanguageDetector(EnumSet.copyOf(unused), 0.0, false, false, unused.size()).unloadLanguageModels();
            }
            return unused;
        }
    }
}
