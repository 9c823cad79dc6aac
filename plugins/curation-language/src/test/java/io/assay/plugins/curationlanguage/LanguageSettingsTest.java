package io.assay.plugins.curationlanguage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Validation of {@link LanguageSettings}: every message names the key. */
class LanguageSettingsTest {

    private static LanguageSettings of(List<String> keep, List<String> languages) {
        return new LanguageSettings(keep, languages, 0.05, 3, false);
    }

    @Test
    void acceptsKnownCodesAndDropsDuplicates() {
        LanguageSettings s = of(List.of("de", "de"), List.of("en", "de", "en", "uk"));
        assertThat(s.keep()).containsExactly("de");
        assertThat(s.languages()).containsExactly("en", "de", "uk");
    }

    @Test
    void unknownKeepCodeIsNamedWithTheValidOnes() {
        assertThatThrownBy(() -> of(List.of("xx"), List.of("en", "fr")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("'keep': unknown language code 'xx'; Lingua knows: af, ar, az, ")
                .hasMessageContaining(", en, eo, es, ")
                .hasMessageEndingWith(", zh, zu");
    }

    @Test
    void upperCaseCodeGetsAHint() {
        assertThatThrownBy(() -> of(List.of("EN"), List.of("en", "fr")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("'keep': unknown language code 'EN' (codes are lower case ISO 639-1: did you "
                        + "mean 'en'?); Lingua knows: ");
    }

    @Test
    void unknownCandidateIsNamed() {
        assertThatThrownBy(() -> of(List.of("en"), List.of("en", "eng")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("'languages': unknown language code 'eng'; Lingua knows: ");
    }

    @Test
    void everyKeptLanguageMustBeACandidate() {
        assertThatThrownBy(() -> of(List.of("en", "sv"), List.of("en", "fr")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'keep' lists [sv] which is not in 'languages' [en, fr]; Lingua can only detect a "
                        + "candidate language, so add it to 'languages'");
        assertThatThrownBy(() -> of(List.of("sv", "fi"), List.of("en", "fr")))
                .hasMessageStartingWith("'keep' lists [sv, fi] which are not in 'languages' [en, fr]");
    }

    @Test
    void countsAndRanges() {
        assertThatThrownBy(() -> of(List.of(), List.of("en", "fr")))
                .hasMessage("'keep' must name at least one language, e.g. [en]");
        assertThatThrownBy(() -> of(List.of("en"), List.of("en")))
                .hasMessage("'languages' must name at least 2 candidate languages (Lingua chooses among them), "
                        + "found [en]");
        assertThatThrownBy(() -> new LanguageSettings(List.of("en"), List.of("en", "fr"), 1.5, 3, false))
                .hasMessage("'min-confidence' must be in [0, 1], found 1.5");
        assertThatThrownBy(() -> new LanguageSettings(List.of("en"), List.of("en", "fr"), Double.NaN, 3, false))
                .hasMessage("'min-confidence' must be in [0, 1], found NaN");
        assertThatThrownBy(() -> new LanguageSettings(List.of("en"), List.of("en", "fr"), 0.5, 0, false))
                .hasMessage("'min-letters' must be at least 1, found 0");
        assertThatThrownBy(() -> new LanguageSettings(null, List.of("en", "fr"), 0.5, 3, false))
                .hasMessage("'keep' is missing");
    }

    @Test
    void listsAreCopied() {
        List<String> keep = new java.util.ArrayList<>(List.of("en"));
        LanguageSettings s = of(keep, List.of("en", "fr"));
        keep.add("fr");
        assertThat(s.keep()).containsExactly("en");
        assertThatThrownBy(() -> s.keep().add("fr")).isInstanceOf(UnsupportedOperationException.class);
    }
}
