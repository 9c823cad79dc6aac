package io.assay.plugins.curationlanguage;

import io.assay.sdk.Setting;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Settings of {@code language}.
 *
 * @param keep ISO 639-1 codes (lower case) of the languages whose captions are kept
 * @param languages ISO 639-1 codes of the candidate languages Lingua chooses among; must include every kept one
 * @param minConfidence how far the detected language must lead the runner-up for the detection to count
 * @param minLetters fewest letters a caption needs before detection runs
 * @param lowAccuracy whether Lingua runs in low accuracy mode (trigram models only)
 */
public record LanguageSettings(
        @Setting(doc = "ISO 639-1 codes (lower case) of the languages whose captions are kept; each must also be "
                + "in 'languages'", defaultValue = "[en]")
        List<String> keep,
        @Setting(doc = "ISO 639-1 codes of the candidate languages Lingua chooses among (at least 2; fewer is faster "
                + "and more accurate on short text); a caption in another language is attributed to the nearest "
                + "candidate or left uncertain",
                defaultValue = "[en, fr, de, es, it, pt, nl, pl, ru, ja, zh, ko, ar, tr, sv]")
        List<String> languages,
        @Setting(doc = "Confidence the detection needs to count, in [0, 1]: 1 minus the runner-up's Lingua "
                + "confidence value relative to the detected language's (1 when no other candidate scores); "
                + "below it the record is rejected as uncertain-language", defaultValue = "0.05", min = 0, max = 1)
        double minConfidence,
        @Setting(doc = "Fewest letters a caption needs (after dropping URLs, file names and tokens such as "
                + "IMG_2041 that mix Latin letters with digits or underscores); fewer is rejected as no-language "
                + "without running detection", defaultValue = "3", min = 1)
        int minLetters,
        @Setting(doc = "Lingua's low accuracy mode: trigram models only, less memory and faster, weaker on short "
                + "text", defaultValue = "false")
        boolean lowAccuracy) {

    /** Validates; messages name the key. */
    public LanguageSettings {
        keep = codes("keep", keep);
        languages = codes("languages", languages);
        if (keep.isEmpty()) {
            throw new IllegalArgumentException("'keep' must name at least one language, e.g. [en]");
        }
        if (languages.size() < 2) {
            throw new IllegalArgumentException("'languages' must name at least 2 candidate languages (Lingua chooses "
                    + "among them), found " + languages);
        }
        List<String> missing = new ArrayList<>();
        for (String k : keep) {
            if (!languages.contains(k)) {
                missing.add(k);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("'keep' lists " + missing + " which " + (missing.size() == 1 ? "is" : "are")
                    + " not in 'languages' " + languages + "; Lingua can only detect a candidate language, so add "
                    + (missing.size() == 1 ? "it" : "them") + " to 'languages'");
        }
        if (!(minConfidence >= 0 && minConfidence <= 1)) {
            throw new IllegalArgumentException("'min-confidence' must be in [0, 1], found " + minConfidence);
        }
        if (minLetters < 1) {
            throw new IllegalArgumentException("'min-letters' must be at least 1, found " + minLetters);
        }
    }

    private static List<String> codes(String key, List<String> codes) {
        if (codes == null) {
            throw new IllegalArgumentException("'" + key + "' is missing");
        }
        List<String> out = new ArrayList<>(codes.size());
        for (String c : codes) {
            if (c == null || !Languages.known(c)) {
                String hint = c == null ? "" : Languages.known(c.strip().toLowerCase(Locale.ROOT))
                        ? " (codes are lower case ISO 639-1: did you mean '" + c.strip().toLowerCase(Locale.ROOT) + "'?)"
                        : "";
                throw new IllegalArgumentException("'" + key + "': unknown language code '" + c + "'" + hint
                        + "; Lingua knows: " + String.join(", ", Languages.codes()));
            }
            if (!out.contains(c)) {
                out.add(c);
            }
        }
        return List.copyOf(out);
    }
}
