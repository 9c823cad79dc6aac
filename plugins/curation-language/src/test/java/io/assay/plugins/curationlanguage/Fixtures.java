package io.assay.plugins.curationlanguage;

import io.assay.sdk.curation.WebRecord;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Records, settings and the caption corpus for the tests. */
final class Fixtures {

    /** The default candidate languages, as declared on {@link LanguageSettings}. */
    static final List<String> DEFAULT_LANGUAGES = List.of("en", "fr", "de", "es", "it", "pt", "nl", "pl", "ru", "ja",
            "zh", "ko", "ar", "tr", "sv");

    private static LanguageFilter defaults;

    private Fixtures() {
    }

    /**
     * One filter with the default settings, shared by the test classes and never closed: it keeps the default
     * languages' models loaded (Lingua shares them per class loader), so other instances over them build quickly.
     */
    static synchronized LanguageFilter defaults() {
        if (defaults == null) {
            defaults = new LanguageFilter(settings(List.of("en"), 0.05));
        }
        return defaults;
    }

    static LanguageSettings settings(List<String> keep, double minConfidence) {
        return new LanguageSettings(keep, DEFAULT_LANGUAGES, minConfidence, 3, false);
    }

    static WebRecord record(String caption) {
        return new WebRecord("r-" + Integer.toHexString(caption.hashCode()), "https://example.com/i.jpg",
                "https://example.com/", caption, null, -1, Map.of());
    }

    static List<WebRecord> records(List<String> captions) {
        return captions.stream().map(Fixtures::record).toList();
    }

    /** A caption of the corpus and its language. */
    record Labelled(String language, String caption) {
    }

    /** src/test/resources/captions.tsv: alt-text style captions in en, fr, de and es, 15 each. */
    static List<Labelled> corpus() {
        try (InputStream in = Fixtures.class.getResourceAsStream("/captions.tsv")) {
            List<Labelled> out = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] p = line.split("\t");
                out.add(new Labelled(p[0], p[1]));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
