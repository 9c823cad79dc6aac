package io.assay.lib.clip;

import java.text.Normalizer;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * openai/CLIP's text cleaning: {@code ftfy.fix_text}, then {@code html.unescape} twice, strip, collapse whitespace,
 * lowercase.
 *
 * <p>The ftfy part follows ftfy 6.1.1's defaults step by step: the text is fixed one line at a time (HTML unescaping
 * stops for good at the first line holding a '<'), and each line goes through ftfy's steps in ftfy's order, again
 * until nothing changes: {@code unescape_html} (ftfy's own: entities ending in ';', plus upper-cased Latin ones such
 * as {@code &EACUTE;}), the common mojibake (UTF-8 that was decoded as Windows-1252 or Latin-1, e.g. {@code cafÃ©},
 * repaired when the whole line re-encodes to valid UTF-8), {@code fix_c1_controls}, {@code fix_latin_ligatures},
 * {@code fix_character_width}, {@code uncurl_quotes}, {@code fix_line_breaks}, {@code fix_surrogates},
 * {@code remove_terminal_escapes}, {@code remove_control_chars}, NFC. The character classes are ftfy 6.1.1's
 * ({@code ftfy/chardata.py}). ftfy's badness heuristic and its repair of partly broken lines
 * ({@code decode_inconsistent_utf8}) are not reproduced. No Java library implements ftfy's rules, hence this class.
 */
public final class TextCleaner {

    private static final Pattern TERMINAL_ESCAPES = Pattern.compile("\u001b\\[((?:\\d|;)*)([a-zA-Z])");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+", Pattern.UNICODE_CHARACTER_CLASS);
    /** ftfy's {@code HTML_ENTITY_RE}. */
    private static final Pattern HTML_ENTITY = Pattern.compile("&#?[0-9A-Za-z]{1,24};");
    private static final String C1_CP1252 = "\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160"
            + "\u2039\u0152\u008d\u017d\u008f\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a"
            + "\u0153\u009d\u017e\u0178";
    /** ftfy's {@code LIGATURES}: Latin ligatures and legacy digraphs (not ŀ/Ŀ, and ﬅ keeps its long s). */
    private static final Map<Integer, String> LIGATURES = Map.ofEntries(
            Map.entry(0x132, "IJ"), Map.entry(0x133, "ij"), Map.entry(0x149, "\u02bcn"),
            Map.entry(0x1f1, "DZ"), Map.entry(0x1f2, "Dz"), Map.entry(0x1f3, "dz"),
            Map.entry(0x1c4, "D\u017d"), Map.entry(0x1c5, "D\u017e"), Map.entry(0x1c6, "d\u017e"),
            Map.entry(0x1c7, "LJ"), Map.entry(0x1c8, "Lj"), Map.entry(0x1c9, "lj"),
            Map.entry(0x1ca, "NJ"), Map.entry(0x1cb, "Nj"), Map.entry(0x1cc, "nj"),
            Map.entry(0xfb00, "ff"), Map.entry(0xfb01, "fi"), Map.entry(0xfb02, "fl"), Map.entry(0xfb03, "ffi"),
            Map.entry(0xfb04, "ffl"), Map.entry(0xfb05, "\u017ft"), Map.entry(0xfb06, "st"));
    /** Rounds of fixing a line before giving up on a fixed point (ftfy has no cap; real text needs two or three). */
    private static final int MAX_ROUNDS = 16;
    private static final Map<String, String> FTFY_ENTITIES = ftfyEntities();

    private TextCleaner() {
    }

    /** The cleaned, lowercased text the BPE regex splits. */
    public static String clean(String text) {
        String s = fixText(text);
        s = HtmlUnescape.unescape(HtmlUnescape.unescape(s)).strip();
        s = WHITESPACE.matcher(s).replaceAll(" ").strip();
        return s.toLowerCase(Locale.ROOT);
    }

    /** {@code ftfy.fix_text} with its default settings, as described in the class comment. */
    static String fixText(String text) {
        StringBuilder out = new StringBuilder(text.length());
        boolean unescapeHtml = true;
        for (int pos = 0; pos < text.length(); ) {
            int newline = text.indexOf('\n', pos);
            int end = newline < 0 ? text.length() : newline + 1;
            String line = text.substring(pos, end);
            unescapeHtml &= line.indexOf('<') < 0;
            out.append(fixLine(line, unescapeHtml));
            pos = end;
        }
        return out.toString();
    }

    private static String fixLine(String line, boolean unescapeHtml) {
        String s = line;
        for (int round = 0; round < MAX_ROUNDS; round++) {
            String before = s;
            if (unescapeHtml) {
                s = unescapeHtml(s);
            }
            s = fixMojibake(s);
            s = fixC1(s);
            s = translate(s, TextCleaner::ligature);
            s = translate(s, TextCleaner::width);
            s = translate(s, TextCleaner::uncurl);
            s = s.replace("\r\n", "\n").replace('\r', '\n').replace('\u2028', '\n').replace('\u2029', '\n')
                    .replace('\u0085', '\n');
            s = fixSurrogates(s);
            s = TERMINAL_ESCAPES.matcher(s).replaceAll("");
            s = translate(s, cp -> isControl(cp) ? "" : null);
            s = Normalizer.normalize(s, Normalizer.Form.NFC);
            if (s.equals(before)) {
                break;
            }
        }
        return s;
    }

    /**
     * ftfy's {@code unescape_html}: only entities ending in ';' (HTML5 names, numeric references, and upper-cased
     * variants of lower-case names, e.g. {@code &NTILDE;} for Ñ), so that text such as "this&not that" is kept.
     */
    static String unescapeHtml(String s) {
        if (s.indexOf('&') < 0) {
            return s;
        }
        return HTML_ENTITY.matcher(s).replaceAll(m -> Matcher.quoteReplacement(ftfyEntity(m.group())));
    }

    private static String ftfyEntity(String entity) {
        String named = FTFY_ENTITIES.get(entity);
        if (named != null) {
            return named;
        }
        if (entity.startsWith("&#")) {
            String unescaped = HtmlUnescape.unescape(entity);
            return unescaped.indexOf(';') >= 0 ? entity : unescaped;
        }
        return entity;
    }

    /** ftfy's {@code HTML_ENTITIES}: the HTML5 names ending in ';', plus upper-case forms of lower-case ones. */
    private static Map<String, String> ftfyEntities() {
        Map<String, String> entities = new HashMap<>();
        for (Map.Entry<String, String> e : HtmlUnescape.named().entrySet()) {
            String name = e.getKey();
            if (!name.endsWith(";")) {
                continue;
            }
            entities.put("&" + name, e.getValue());
            if (name.equals(name.toLowerCase(Locale.ROOT))) {
                String upper = "&" + name.toUpperCase(Locale.ROOT);
                if (HtmlUnescape.unescape(upper).equals(upper)) {
                    entities.put(upper, e.getValue().toUpperCase(Locale.ROOT));
                }
            }
        }
        return Map.copyOf(entities);
    }

    /** ftfy's {@code LIGATURES}, or {@code null} to keep the code point. */
    static String ligature(int cp) {
        return LIGATURES.get(cp);
    }

    /** ftfy's {@code WIDTH_MAP}: U+3000 and the NFKC forms of U+FF01..U+FFEF, or {@code null} to keep. */
    static String width(int cp) {
        if (cp == 0x3000) {
            return " ";
        }
        if (cp < 0xff01 || cp > 0xffef) {
            return null;
        }
        String c = new String(Character.toChars(cp));
        String alternate = Normalizer.normalize(c, Normalizer.Form.NFKC);
        return alternate.equals(c) ? null : alternate;
    }

    /** ftfy's {@code SINGLE_QUOTE_RE} ({@code [\u02bc\u2018-\u201b]}) and {@code DOUBLE_QUOTE_RE} ({@code [\u201c-\u201f]}). */
    static String uncurl(int cp) {
        if (cp == 0x2bc || cp >= 0x2018 && cp <= 0x201b) {
            return "'";
        }
        return cp >= 0x201c && cp <= 0x201f ? "\"" : null;
    }

    /** ftfy 6.1.1's {@code CONTROL_CHARS} (musical-notation controls and tag characters are kept since ftfy 6). */
    static boolean isControl(int cp) {
        return cp <= 0x08 || cp == 0x0b || cp >= 0x0e && cp <= 0x1f || cp == 0x7f || cp >= 0x206a && cp <= 0x206f
                || cp == 0xfeff || cp >= 0xfff9 && cp <= 0xfffc;
    }

    /** ftfy's {@code fix_surrogates} for a Java string: a surrogate that is not half of a pair becomes U+FFFD. */
    private static String fixSurrogates(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean paired = Character.isHighSurrogate(c) && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(i + 1));
            if (paired) {
                if (b != null) {
                    b.append(c).append(s.charAt(i + 1));
                }
                i++;
            } else if (Character.isSurrogate(c)) {
                if (b == null) {
                    b = new StringBuilder(s.substring(0, i));
                }
                b.append('\ufffd');
            } else if (b != null) {
                b.append(c);
            }
        }
        return b == null ? s : b.toString();
    }

    /** Replaces each code point {@code map} has a replacement for ({@code null}: kept). */
    private static String translate(String s, IntFunction<String> map) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            String r = map.apply(cp);
            if (r != null && b == null) {
                b = new StringBuilder(s.length()).append(s, 0, i);
            }
            if (b != null) {
                if (r != null) {
                    b.append(r);
                } else {
                    b.appendCodePoint(cp);
                }
            }
            i += Character.charCount(cp);
        }
        return b == null ? s : b.toString();
    }

    /**
     * If every character maps to one byte in "sloppy" Windows-1252 (cp1252, with its five undefined bytes and the C1
     * range taken as Latin-1) and those bytes are valid UTF-8 containing a multi-byte sequence, the text was UTF-8
     * decoded in the wrong encoding: decode it as UTF-8.
     */
    static String fixMojibake(String s) {
        byte[] bytes = new byte[s.length()];
        boolean multibyte = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            int b;
            int cp1252 = C1_CP1252.indexOf(c);
            if (c < 0x80) {
                b = c;
            } else if (cp1252 >= 0 && c > 0xff) {
                b = 0x80 + cp1252;
            } else if (c <= 0xff) {
                b = c;
            } else {
                return s;
            }
            multibyte |= b >= 0x80;
            bytes[i] = (byte) b;
        }
        if (!multibyte) {
            return s;
        }
        try {
            String decoded = java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
            return decoded;
        } catch (java.nio.charset.CharacterCodingException e) {
            return s;
        }
    }

    private static String fixC1(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x80 && c <= 0x9f) {
                if (b == null) {
                    b = new StringBuilder(s.substring(0, i));
                }
                b.append(C1_CP1252.charAt(c - 0x80));
            } else if (b != null) {
                b.append(c);
            }
        }
        return b == null ? s : b.toString();
    }
}
