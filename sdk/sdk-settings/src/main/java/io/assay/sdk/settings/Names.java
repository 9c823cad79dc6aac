package io.assay.sdk.settings;

import java.util.Collection;
import java.util.Locale;
import java.util.regex.Pattern;

/** Key spelling helpers: kebab-case names and did-you-mean suggestions. */
public final class Names {

    /** Lowercase kebab-case: component names, setting keys, plugin ids. */
    public static final Pattern KEBAB = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*");

    private Names() {
    }

    /** {@code timestepSpacing} → {@code timestep-spacing}. */
    public static String kebab(String camel) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < camel.length(); i++) {
            char c = camel.charAt(i);
            if (Character.isUpperCase(c)) {
                if (i > 0) {
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
    public static String enumName(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The closest candidate if it is close enough to be a likely misspelling, else null. */
    public static String suggest(String wrong, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = distance(wrong.toLowerCase(Locale.ROOT), c.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        if (best == null) {
            return null;
        }
        int allowed = Math.max(1, Math.min(3, Math.max(wrong.length(), best.length()) / 3));
        return bestDistance <= allowed || best.startsWith(wrong) && wrong.length() >= 3 ? best : null;
    }

    /** Optimal string alignment distance (Damerau–Levenshtein with adjacent transpositions). */
    public static int distance(String a, String b) {
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
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
