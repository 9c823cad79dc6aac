package io.assay.framework.cli;

import java.text.Normalizer;
import java.util.Locale;

/** File names from prompts. */
final class Slugs {

    private Slugs() {
    }

    /** Lowercase ASCII words joined by '-', at most {@code max} characters; "image" for an empty result. */
    static String of(String text, int max) {
        String ascii = Normalizer.normalize(text, Normalizer.Form.NFKD).replaceAll("\\p{M}+", "");
        String slug = ascii.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-+|-+$)", "");
        if (slug.length() > max) {
            slug = slug.substring(0, max).replaceAll("-+$", "");
        }
        return slug.isEmpty() ? "image" : slug;
    }
}
