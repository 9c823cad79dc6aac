package io.assay.lib.clip;

import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * openai/CLIP's text cleaning: {@code ftfy.fix_text}, then {@code html.unescape} twice, strip, collapse whitespace,
 * lowercase. The ftfy part covers what its defaults (6.1.1) do to prompts: HTML unescaping when the text has no
 * '<', terminal-escape removal, C1 controls read as Windows-1252, Latin ligatures, full-/half-width forms, curly
 * quotes, line breaks, control characters, NFC, and the common mojibake (UTF-8 that was decoded as Windows-1252 or
 * Latin-1, e.g. {@code cafÃ©}), repaired when the whole text re-encodes to valid UTF-8. ftfy's segment-wise repair of
 * partly broken text is not reproduced. No Java library implements ftfy's rules, hence this class.
 */
public final class TextCleaner {

    private static final Pattern TERMINAL_ESCAPES = Pattern.compile("\u001b\\[((?:\\d|;)*)([a-zA-Z])");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern CONTROL = Pattern.compile(
            "[\\x00-\\x08\\x0b\\x0e-\\x1f\\x7f\\u206a-\\u206f\\ufeff\\ufff9-\\ufffc]|\\ud834[\\udd73-\\udd7a]"
                    + "|\\udb40[\\udc00-\\udc7f]");
    private static final String C1_CP1252 = "\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160"
            + "\u2039\u0152\u008d\u017d\u008f\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a"
            + "\u0153\u009d\u017e\u0178";

    private TextCleaner() {
    }

    /** The cleaned, lowercased text the BPE regex splits. */
    public static String clean(String text) {
        String s = fixText(text);
        s = HtmlUnescape.unescape(HtmlUnescape.unescape(s)).strip();
        s = WHITESPACE.matcher(s).replaceAll(" ").strip();
        return s.toLowerCase(Locale.ROOT);
    }

    /** The subset of {@code ftfy.fix_text} described in the class comment. */
    static String fixText(String text) {
        String s = text;
        if (s.indexOf('<') < 0) {
            s = HtmlUnescape.unescape(s);
        }
        s = TERMINAL_ESCAPES.matcher(s).replaceAll("");
        s = fixMojibake(s);
        s = fixC1(s);
        s = fixLigaturesAndWidth(s);
        s = uncurl(s);
        s = s.replace("\r\n", "\n").replace('\r', '\n').replace('\u2028', '\n').replace('\u2029', '\n')
                .replace('\u0085', '\n');
        s = CONTROL.matcher(s).replaceAll("");
        return Normalizer.normalize(s, Normalizer.Form.NFC);
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

    private static String fixLigaturesAndWidth(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            boolean ligature = cp >= 0xfb00 && cp <= 0xfb06 || cp == 0x132 || cp == 0x133 || cp == 0x13f
                    || cp == 0x140 || cp == 0x149 || cp >= 0x1c4 && cp <= 0x1cc || cp >= 0x1f1 && cp <= 0x1f3;
            boolean width = cp >= 0xff01 && cp <= 0xff5e || cp == 0x3000 || cp >= 0xff61 && cp <= 0xffdc
                    || cp >= 0xffe8 && cp <= 0xffee;
            if (ligature || width) {
                b.append(Normalizer.normalize(new String(Character.toChars(cp)), Normalizer.Form.NFKC));
            } else {
                b.appendCodePoint(cp);
            }
        }
        return b.toString();
    }

    private static String uncurl(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\u2018', '\u2019', '\u201a', '\u201b' -> b.append('\'');
                case '\u201c', '\u201d', '\u201e', '\u201f' -> b.append('"');
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
