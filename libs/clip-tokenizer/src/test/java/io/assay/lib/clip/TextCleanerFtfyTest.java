package io.assay.lib.clip;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link TextCleaner#fixText} against ftfy 6.1.1's character classes ({@code ftfy/chardata.py}: {@code SINGLE_QUOTE_RE},
 * {@code DOUBLE_QUOTE_RE}, {@code LIGATURES}, {@code WIDTH_MAP}, {@code CONTROL_CHARS}; {@code ftfy/fixes.py}:
 * {@code fix_c1_controls}, {@code fix_line_breaks}, {@code fix_surrogates}), over every code point of each class and
 * the neighbours just outside it. Each code point is fixed between two letters, as {@code fix_text("x" + c + "y")}.
 * The expected values were checked against ftfy itself (763 code points, all equal).
 */
class TextCleanerFtfyTest {

    /** {@code fix_text("x" + c + "y")} for each code point, minus the surrounding letters. */
    private static String fixed(int cp) {
        String out = TextCleaner.fixText("x" + new String(Character.toChars(cp)) + "y");
        assertThat(out).as("U+%04X", cp).startsWith("x").endsWith("y");
        return out.substring(1, out.length() - 1);
    }

    private static String str(int cp) {
        return new String(Character.toChars(cp));
    }

    /** Code points of [from, to] whose fixed form differs from {@code expected}, as "U+XXXX: got". */
    private static List<String> mismatches(int from, int to, java.util.function.IntFunction<String> expected) {
        List<String> bad = new ArrayList<>();
        for (int cp = from; cp <= to; cp++) {
            String got = fixed(cp);
            if (!got.equals(expected.apply(cp))) {
                bad.add(String.format("U+%04X: %s", cp, got));
            }
        }
        return bad;
    }

    @Test
    void quotesAreUncurledOverTheWholeOfBothClassesAndNothingNextToThem() {
        // SINGLE_QUOTE_RE = [\u02bc\u2018-\u201b], DOUBLE_QUOTE_RE = [\u201c-\u201f]
        assertThat(fixed(0x02bc)).as("MODIFIER LETTER APOSTROPHE (issue 15)").isEqualTo("'");
        assertThat(mismatches(0x2018, 0x201b, cp -> "'")).isEmpty();
        assertThat(mismatches(0x201c, 0x201f, cp -> "\"")).isEmpty();
        for (int neighbour : new int[] {0x02bb, 0x02bd, 0x2017, 0x2020}) {
            assertThat(fixed(neighbour)).as("U+%04X", neighbour).isEqualTo(str(neighbour));
        }
    }

    @Test
    void latinLigaturesAndDigraphsSplitExactlyAsFtfyListsThem() {
        Map<Integer, String> ligatures = new LinkedHashMap<>();
        ligatures.put(0x132, "IJ");
        ligatures.put(0x133, "ij");
        ligatures.put(0x149, "'n"); // ʼn, whose apostrophe is then uncurled
        String[] dz = {"DZ", "Dz", "dz"};
        for (int i = 0; i < 3; i++) {
            ligatures.put(0x1f1 + i, dz[i]);
        }
        String[] digraphs = {"D\u017d", "D\u017e", "d\u017e", "LJ", "Lj", "lj", "NJ", "Nj", "nj"};
        for (int i = 0; i < digraphs.length; i++) {
            ligatures.put(0x1c4 + i, digraphs[i]);
        }
        String[] latin = {"ff", "fi", "fl", "ffi", "ffl", "\u017ft", "st"};
        for (int i = 0; i < latin.length; i++) {
            ligatures.put(0xfb00 + i, latin[i]);
        }
        assertThat(ligatures).hasSize(22);
        ligatures.forEach((cp, parts) -> assertThat(fixed(cp)).as("U+%04X", cp).isEqualTo(parts));
        // Ŀ and ŀ are not in ftfy's table (NFKC would split them; NFC does not), nor are the neighbours.
        for (int neighbour : new int[] {0x131, 0x134, 0x13f, 0x140, 0x148, 0x14a, 0x1c3, 0x1cd, 0x1f0, 0x1f4, 0xfaff,
                0xfb07}) {
            assertThat(fixed(neighbour)).as("U+%04X", neighbour).isEqualTo(str(neighbour));
        }
    }

    @Test
    void everyHalfwidthAndFullwidthFormIsWidenedOrNarrowed() {
        // WIDTH_MAP = {U+3000: ' '} + {c: NFKC(c) for c in U+FF01..U+FFEF if NFKC(c) != c}: 226 entries in all.
        int changed = 0;
        for (int cp = 0xff01; cp <= 0xffef; cp++) {
            if (!fixed(cp).equals(str(cp))) {
                changed++;
            }
        }
        assertThat(fixed(0x3000)).isEqualTo(" ");
        assertThat(changed + 1).as("code points WIDTH_MAP changes").isEqualTo(226);
        assertThat(mismatches(0xff01, 0xff5e, cp -> str(cp - 0xff01 + 0x21))).as("fullwidth ASCII").isEmpty();
        // Forms the previous ranges missed, as ftfy maps them.
        assertThat(fixed(0xff5f)).isEqualTo("\u2985");
        assertThat(fixed(0xff60)).isEqualTo("\u2986");
        assertThat(fixed(0xffe0) + fixed(0xffe1) + fixed(0xffe2) + fixed(0xffe4) + fixed(0xffe5) + fixed(0xffe6))
                .isEqualTo("\u00a2\u00a3\u00ac\u00a6\u00a5\u20a9");
        assertThat(fixed(0xffe3)).isEqualTo(" \u0304");
        assertThat(fixed(0xff71)).as("halfwidth katakana A").isEqualTo("\u30a2");
        assertThat(fixed(0xffe8)).isEqualTo("\u2502");
        for (int neighbour : new int[] {0x2fff, 0x3001, 0xff00, 0xfff0}) {
            assertThat(fixed(neighbour)).as("U+%04X", neighbour).isEqualTo(str(neighbour));
        }
    }

    @Test
    void exactlyFtfysControlCharactersAreRemoved() {
        // CONTROL_CHARS = 00-08, 0B, 0E-1F, 7F, 206A-206F, FEFF, FFF9-FFFC (ftfy 6 keeps musical controls and tags).
        int[][] removed = {{0x00, 0x08}, {0x0b, 0x0b}, {0x0e, 0x1f}, {0x7f, 0x7f}, {0x206a, 0x206f}, {0xfeff, 0xfeff},
                {0xfff9, 0xfffc}};
        for (int[] range : removed) {
            assertThat(mismatches(range[0], range[1], cp -> "")).isEmpty();
        }
        assertThat(fixed(0x09)).isEqualTo("\t");
        assertThat(fixed(0x0c)).isEqualTo("\f");
        for (int kept : new int[] {0x20, 0x7e, 0x2069, 0x2070, 0xfefe, 0xfff8, 0xfffd}) {
            assertThat(fixed(kept)).as("U+%04X", kept).isEqualTo(str(kept));
        }
        assertThat(mismatches(0x1d173, 0x1d17a, TextCleanerFtfyTest::str)).as("musical controls kept").isEmpty();
        assertThat(mismatches(0xe0000, 0xe007f, TextCleanerFtfyTest::str)).as("tag characters kept").isEmpty();
        String wales = "\ud83c\udff4\udb40\udc67\udb40\udc62\udb40\udc77\udb40\udc6c\udb40\udc73\udb40\udc7f";
        assertThat(TextCleaner.fixText(wales)).as("flag of Wales").isEqualTo(wales);
    }

    @Test
    void c1ControlsAreReadAsWindows1252AndLineBreaksNormalised() {
        String cp1252 = "\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d"
                + "\u008f\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178";
        // ...and the quotes among them are then uncurled in the same pass.
        assertThat(mismatches(0x80, 0x9f, cp -> String.valueOf(cp1252.charAt(cp - 0x80))
                .replaceAll("[\u2018-\u201b]", "'").replaceAll("[\u201c-\u201f]", "\""))).isEmpty();
        assertThat(TextCleaner.fixText("a\r\nb\rc\u2028d\u2029e")).isEqualTo("a\nb\nc\nd\ne");
        assertThat(TextCleaner.fixText("a\u0085b")).as("NEXT LINE is cp1252's ellipsis first").isEqualTo("a\u2026b");
    }

    @Test
    void loneSurrogatesBecomeReplacementCharacters() {
        assertThat(TextCleaner.fixText("x\ud800y\udfffz")).isEqualTo("x\ufffdy\ufffdz");
        assertThat(TextCleaner.fixText("x\ud83d\ude00y")).isEqualTo("x\ud83d\ude00y");
    }

    @Test
    void stepsRunInFtfysOrderLineByLineUntilNothingChanges() {
        assertThat(TextCleaner.fixText("&amp;lsquo;x")).as("unescaped twice, then uncurled").isEqualTo("'x");
        assertThat(TextCleaner.fixText("&#8217;s")).isEqualTo("'s");
        assertThat(TextCleaner.fixText("&#8217")).as("ftfy wants the ';'").isEqualTo("&#8217");
        assertThat(TextCleaner.fixText("this&not that")).isEqualTo("this&not that");
        assertThat(TextCleaner.fixText("P&EACUTE;REZ")).isEqualTo("P\u00c9REZ");
        assertThat(TextCleaner.fixText("\u001b\uff3b31mred")).as("widened, then a terminal escape").isEqualTo("red");
        assertThat(TextCleaner.fixText("line1 &lt;b&gt;\n<p>&amp;</p>\n&eacute;"))
                .as("unescaping stops at the first line with a '<'")
                .isEqualTo("line1 <b>\n<p>&amp;</p>\n&eacute;");
        assertThat(TextCleaner.fixText("\u00c3\u00a9t\u00c3\u00a9\n\u00e9")).as("mojibake repaired per line")
                .isEqualTo("\u00e9t\u00e9\n\u00e9");
    }
}
