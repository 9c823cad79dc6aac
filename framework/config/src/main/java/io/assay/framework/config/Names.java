package io.assay.framework.config;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** Key spelling (camelCase and enum constants to kebab-case) and did-you-mean suggestions. */
public final class Names {

    private Names() {
    }

    /** {@code timestepSpacing} → {@code timestep-spacing}. */
    public static String kebab(String camel) {
        StringBuilder b = new StringBuilder(camel.length() + 4);
        for (int i = 0; i < camel.length(); i++) {
            char c = camel.charAt(i);
            if (Character.isUpperCase(c)) {
                if (i > 0 && camel.charAt(i - 1) != '-') {
                    b.append('-');
                }
                b.append(Character.toLowerCase(c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** {@code V_PREDICTION} → {@code v-prediction}. */
    public static String enumKey(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * The candidate closest to {@code given} by optimal-string-alignment (Damerau–Levenshtein) distance, if it is
     * close enough to be a plausible typo: at most 1 edit for names up to 4 characters, 2 up to 8, else 3.
     */
    public static Optional<String> suggest(String given, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        String g = given.toLowerCase(Locale.ROOT);
        for (String c : candidates) {
            int d = distance(g, c.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        if (best == null || bestDistance == 0 && best.equals(given)) {
            return Optional.empty();
        }
        int len = Math.max(given.length(), best.length());
        int allowed = len <= 4 ? 1 : len <= 8 ? 2 : 3;
        return bestDistance <= allowed ? Optional.of(best) : Optional.empty();
    }

    /**
     * Optimal string alignment distance: insertions, deletions, substitutions and transpositions of adjacent
     * characters each cost 1. Written here because the suggestion needs nothing more than this one function.
     */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                int v = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    v = Math.min(v, d[i - 2][j - 2] + 1);
                }
                d[i][j] = v;
            }
        }
        return d[a.length()][b.length()];
    }
}
