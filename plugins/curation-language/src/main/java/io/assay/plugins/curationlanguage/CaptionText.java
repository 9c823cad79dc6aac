package io.assay.plugins.curationlanguage;

import java.util.regex.Pattern;

/**
 * The part of a caption that can carry a language: URLs, file names ({@code IMG_2041.jpg}) and tokens mixing Latin
 * letters with digits or underscores ({@code IMG_2041}, {@code DSC00017}, {@code 1920x1080}, {@code mp4}) are
 * dropped; what remains is detected, and its letters counted.
 *
 * @param text the remaining text
 * @param letters how many letters (code points with {@link Character#isLetter(int)}) it holds
 */
record CaptionText(String text, int letters) {

    private static final Pattern URL = Pattern.compile("(?i)(?:[a-z][a-z0-9+.-]*://|www\\.)\\S*");
    private static final Pattern FILE_NAME = Pattern.compile(
            "(?i)\\S*\\.(?:jpe?g|png|gif|webp|bmp|tiff?|svg|heic|avif|ico|mp4|pdf)(?=$|[\\s,;:!?)\\]\"'])");

    /** Cleans a caption. */
    static CaptionText of(String caption) {
        String s = FILE_NAME.matcher(URL.matcher(caption).replaceAll(" ")).replaceAll(" ");
        StringBuilder out = new StringBuilder(s.length());
        int letters = 0;
        int i = 0;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            if (!wordPart(cp)) {
                out.appendCodePoint(cp);
                i += Character.charCount(cp);
                continue;
            }
            // A run of letters, digits, marks and underscores: dropped if it mixes Latin letters with digits or
            // underscores (a file or camera name, a resolution), kept otherwise ("2023年の写真" stays).
            int start = i;
            boolean latin = false;
            boolean digitOrUnderscore = false;
            int runLetters = 0;
            while (i < s.length()) {
                int c = s.codePointAt(i);
                if (!wordPart(c)) {
                    break;
                }
                if (Character.isLetter(c)) {
                    runLetters++;
                    latin |= Character.UnicodeScript.of(c) == Character.UnicodeScript.LATIN;
                } else if (Character.isDigit(c) || c == '_') {
                    digitOrUnderscore = true;
                }
                i += Character.charCount(c);
            }
            if (latin && digitOrUnderscore) {
                out.append(' ');
            } else {
                out.append(s, start, i);
                letters += runLetters;
            }
        }
        return new CaptionText(out.toString().strip(), letters);
    }

    private static boolean wordPart(int cp) {
        if (Character.isLetterOrDigit(cp) || cp == '_') {
            return true;
        }
        int t = Character.getType(cp);
        return t == Character.NON_SPACING_MARK || t == Character.COMBINING_SPACING_MARK
                || t == Character.ENCLOSING_MARK;
    }
}
