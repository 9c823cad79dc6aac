package io.assay.framework.io;

import java.text.Normalizer;
import java.util.Locale;

/** File names from prompts. */
public final class Slugs {

    private Slugs() {
    }

    /** Lowercase ASCII words joined by '-', at most {@code max} characters; "image" for an empty result. */
    public static String of(String text, int max) {
        String ascii = Normalizer.normalize(text, Normalizer.Form.NFKD).replaceAll("\\p{M}+", "");
        String slug = ascii.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-+|-+$)", "");
        if (slug.length() > max) {
            slug = slug.substring(0, max).replaceAll("-+$", "");
        }
        return slug.isEmpty() ? "image" : slug;
    }
}
