package io.assay.lib.clip;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Python's {@code html.unescape}: numeric references (with the HTML5 replacements for invalid ones) and the 2231
 * HTML5 named references, including the legacy ones without ';' and longest-prefix matching. Written here because
 * the tokenizer must match Python's table and quirks exactly; the table is Python's own, generated into
 * {@code html5-entities.tsv}.
 */
final class HtmlUnescape {

    private static final Pattern CHARREF = Pattern.compile(
            "&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\\t\\n\\f <&#;]{1,32};?)");
    private static final Map<String, String> NAMED = load();
    /** cp1252 meanings of the C1 range, as html.unescape applies them to numeric references. */
    private static final String CP1252_80_9F = "\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160"
            + "\u2039\u0152\u008d\u017d\u008f\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a"
            + "\u0153\u009d\u017e\u0178";

    private HtmlUnescape() {
    }

    private static Map<String, String> load() {
        Map<String, String> m = new HashMap<>();
        try (InputStream in = HtmlUnescape.class.getResourceAsStream("html5-entities.tsv");
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("#") || line.isEmpty()) {
                    continue;
                }
                int tab = line.indexOf('\t');
                StringBuilder v = new StringBuilder();
                for (String cp : line.substring(tab + 1).split(" ")) {
                    v.appendCodePoint(Integer.parseInt(cp, 16));
                }
                m.put(line.substring(0, tab), v.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the HTML entity table", e);
        }
        return m;
    }

    /** The HTML5 named references: name (with or without its ';') to text. */
    static Map<String, String> named() {
        return NAMED;
    }

    static String unescape(String s) {
        if (s.indexOf('&') < 0) {
            return s;
        }
        return CHARREF.matcher(s).replaceAll(m -> Matcher.quoteReplacement(replace(m.group(1))));
    }

    private static String replace(String s) {
        if (s.charAt(0) == '#') {
            String digits = s.endsWith(";") ? s.substring(0, s.length() - 1) : s;
            long num;
            try {
                num = digits.charAt(1) == 'x' || digits.charAt(1) == 'X' ? Long.parseLong(digits.substring(2), 16)
                        : Long.parseLong(digits.substring(1));
            } catch (NumberFormatException e) {
                num = Long.MAX_VALUE;
            }
            if (num == 0) {
                return "\ufffd";
            }
            if (num == 0x0d) {
                return "\r";
            }
            if (num >= 0x80 && num <= 0x9f) {
                return String.valueOf(CP1252_80_9F.charAt((int) num - 0x80));
            }
            if (num >= 0xD800 && num <= 0xDFFF || num > 0x10FFFF) {
                return "\ufffd";
            }
            if (invalidCodepoint((int) num)) {
                return "";
            }
            return new String(Character.toChars((int) num));
        }
        String v = NAMED.get(s);
        if (v != null) {
            return v;
        }
        for (int x = s.length() - 1; x > 1; x--) {
            v = NAMED.get(s.substring(0, x));
            if (v != null) {
                return v + s.substring(x);
            }
        }
        return "&" + s;
    }

    private static boolean invalidCodepoint(int c) {
        return c >= 0x1 && c <= 0x8 || c == 0xb || c >= 0xe && c <= 0x1f || c >= 0x7f && c <= 0x9f
                || c >= 0xfdd0 && c <= 0xfdef || (c & 0xfffe) == 0xfffe;
    }
}
