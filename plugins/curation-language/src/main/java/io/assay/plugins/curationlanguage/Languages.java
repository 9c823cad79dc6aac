package io.assay.plugins.curationlanguage;

import com.github.pemistahl.lingua.api.Language;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** ISO 639-1 codes (lower case) of the languages Lingua knows, and back. */
final class Languages {

    private static final Map<String, Language> BY_CODE;

    static {
        Map<String, Language> m = new TreeMap<>();
        for (Language l : Language.values()) {
            if (l != Language.UNKNOWN) {
                m.put(code(l), l);
            }
        }
        BY_CODE = Collections.unmodifiableMap(m);
    }

    private Languages() {
    }

    /** Whether {@code code} is the lower-case ISO 639-1 code of a language Lingua knows. */
    static boolean known(String code) {
        return BY_CODE.containsKey(code);
    }

    /** Every known code, sorted. */
    static Iterable<String> codes() {
        return BY_CODE.keySet();
    }

    /** The language of a known code. */
    static Language of(String code) {
        Language l = BY_CODE.get(code);
        if (l == null) {
            throw new IllegalArgumentException("unknown language code '" + code + "'");
        }
        return l;
    }

    /** The lower-case ISO 639-1 code of a language. */
    static String code(Language language) {
        return language.getIsoCode639_1().name().toLowerCase(Locale.ROOT);
    }
}
