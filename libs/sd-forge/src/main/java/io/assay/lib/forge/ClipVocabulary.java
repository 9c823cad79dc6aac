package io.assay.lib.forge;

import io.assay.lib.clip.ClipTokenizer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A generated CLIP-format byte-level BPE vocabulary of exactly {@link TextSpec#VOCAB} entries, laid out as CLIP's:
 * the 256 byte symbols in {@code bytes_to_unicode} order (ids 0–255), the same with {@code </w>} (256–511), one token
 * per merge (512–49405), {@code <|startoftext|>} 49406, {@code <|endoftext|>} 49407.
 *
 * <p>The real CLIP vocabulary is not available to the project, so the 48 894 merges are made deterministically:
 * <ol>
 *   <li>BPE learned from {@code words.txt} (common English and prompt words, weighted by rank; the most frequent
 *       pair wins, ties to the lexicographically smallest), until every listed word is one token;</li>
 *   <li>every lower-case Latin-1 / Latin Extended-A letter as one token (its two UTF-8 bytes merged);</li>
 *   <li>every two-letter and three-letter a–z string, inside and at the end of a word;</li>
 *   <li>four-letter strings, most English-like first (by the product of the word list's letter-bigram counts), until the
 *       vocabulary is full.</li>
 * </ol>
 * Any text still tokenizes, since every byte is a token; listed words become one token each, others a few pieces.
 */
final class ClipVocabulary {

    static final String BOS = "<|startoftext|>";
    static final String EOS = "<|endoftext|>";
    private static final String END = "</w>";
    private static final int MERGES = TextSpec.VOCAB - 512 - 2;
    private static final long MAX_SCORE = 1L << 40;

    private final Map<String, Integer> vocab = new LinkedHashMap<>();
    private final List<String> merges = new ArrayList<>();
    private final String[] byteChar = ClipTokenizer.byteToUnicode();

    private ClipVocabulary() {
    }

    /** The token → id map (iteration order = id order), unmodifiable. */
    Map<String, Integer> vocab() {
        return java.util.Collections.unmodifiableMap(vocab);
    }

    /** The merges, each "A B", in rank order, unmodifiable. */
    List<String> merges() {
        return java.util.Collections.unmodifiableList(merges);
    }

    /** The vocabulary, generated once per class loader (it is the same every time). */
    static ClipVocabulary get() {
        return Holder.INSTANCE;
    }

    private static final class Holder {
        static final ClipVocabulary INSTANCE = generate();
    }

    /** Generates the vocabulary (pure; the same every time; about a second). */
    static ClipVocabulary generate() {
        ClipVocabulary v = new ClipVocabulary();
        v.base();
        List<String> words = words();
        v.learn(words);
        v.latinLetters();
        v.allStrings(2);
        v.allStrings(3);
        v.likelyStrings(4, words);
        if (v.merges.size() != MERGES) {
            throw new IllegalStateException("generated " + v.merges.size() + " merges, expected " + MERGES);
        }
        v.vocab.put(BOS, v.vocab.size());
        v.vocab.put(EOS, v.vocab.size());
        return v;
    }

    /** The 512 byte symbols in CLIP's order: printable bytes ascending, then the others ascending; then with </w>. */
    private void base() {
        List<String> symbols = new ArrayList<>();
        for (int pass = 0; pass < 2; pass++) {
            for (int b = 0; b < 256; b++) {
                boolean printable = b >= '!' && b <= '~' || b >= 0xa1 && b <= 0xac || b >= 0xae;
                if (printable == (pass == 0)) {
                    symbols.add(byteChar[b]);
                }
            }
        }
        symbols.forEach(s -> vocab.put(s, vocab.size()));
        symbols.forEach(s -> vocab.put(s + END, vocab.size()));
    }

    private boolean full() {
        return merges.size() >= MERGES;
    }

    /** Adds merge "a b" if its token is new and both parts exist; returns whether it was added. */
    private boolean merge(String a, String b) {
        String token = a + b;
        if (full() || vocab.containsKey(token) || !vocab.containsKey(a) || !vocab.containsKey(b)) {
            return false;
        }
        merges.add(a + " " + b);
        vocab.put(token, vocab.size());
        return true;
    }

    /**
     * Byte-level BPE training on the word list, word i weighted (n − i). A pair whose token another split already
     * made (e.g. "ab c" after "a bc") is skipped, so every merge adds one vocabulary entry, as CLIP's layout needs.
     */
    private void learn(List<String> words) {
        Set<String> skipped = new java.util.HashSet<>();
        List<List<String>> symbols = new ArrayList<>();
        Map<String, Integer> pairs = new HashMap<>();
        Map<String, Set<Integer>> where = new HashMap<>();
        for (int i = 0; i < words.size(); i++) {
            symbols.add(split(words.get(i)));
            count(symbols.get(i), i, words.size() - i, pairs, where);
        }
        while (!full()) {
            String best = null;
            int bestCount = 0;
            for (Map.Entry<String, Integer> e : pairs.entrySet()) {
                int c = e.getValue();
                if (c > 0 && !skipped.contains(e.getKey()) && (c > bestCount || c == bestCount
                        && e.getKey().compareTo(best) < 0)) {
                    best = e.getKey();
                    bestCount = c;
                }
            }
            if (best == null) {
                return;
            }
            String[] ab = best.split(" ");
            if (!merge(ab[0], ab[1])) {
                skipped.add(best);
                continue;
            }
            for (int w : new ArrayList<>(where.get(best))) {
                List<String> s = symbols.get(w);
                int weight = words.size() - w;
                count(s, w, -weight, pairs, where);
                for (int i = 0; i + 1 < s.size(); i++) {
                    if (s.get(i).equals(ab[0]) && s.get(i + 1).equals(ab[1])) {
                        s.set(i, ab[0] + ab[1]);
                        s.remove(i + 1);
                    }
                }
                count(s, w, weight, pairs, where);
            }
        }
    }

    /** Adds {@code weight} (negative: removes) for each adjacent pair of word {@code w}'s symbols. */
    private static void count(List<String> s, int w, int weight, Map<String, Integer> pairs,
            Map<String, Set<Integer>> where) {
        for (int i = 0; i + 1 < s.size(); i++) {
            String pair = s.get(i) + " " + s.get(i + 1);
            pairs.merge(pair, weight, (a, b) -> a + b == 0 ? null : a + b);
            if (weight > 0) {
                where.computeIfAbsent(pair, k -> new java.util.TreeSet<>()).add(w);
            }
        }
    }

    /** A word's initial symbols: its UTF-8 bytes as CLIP characters, the last one with </w>. */
    private List<String> split(String word) {
        List<String> out = new ArrayList<>();
        byte[] bytes = word.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            String c = byteChar[bytes[i] & 0xff];
            out.add(i == bytes.length - 1 ? c + END : c);
        }
        return out;
    }

    /** U+00C0–U+017F (minus × and ÷): each letter's two UTF-8 bytes merged, inside and at the end of a word. */
    private void latinLetters() {
        for (int cp = 0xc0; cp <= 0x17f; cp++) {
            if (cp == 0xd7 || cp == 0xf7) {
                continue;
            }
            List<String> s = split(new String(Character.toChars(cp)));
            String first = s.get(0);
            String second = s.get(1).substring(0, s.get(1).length() - END.length());
            merge(first, second);
            merge(first, second + END);
        }
    }

    /** Every a–z string of {@code length}, lexicographic, as (prefix, last letter) inside and at the end of a word. */
    private void allStrings(int length) {
        int total = (int) Math.pow(26, length);
        for (int i = 0; i < total && !full(); i++) {
            addString(letters(i, length));
        }
    }

    private void addString(String s) {
        String prefix = s.substring(0, s.length() - 1);
        String last = s.substring(s.length() - 1);
        merge(prefix, last);
        merge(prefix, last + END);
    }

    /** a–z strings of {@code length}, most English-like first (product of 1 + bigram counts), ties lexicographic. */
    private void likelyStrings(int length, List<String> words) {
        long[] bigrams = new long[26 * 26];
        for (String w : words) {
            for (int i = 0; i + 1 < w.length(); i++) {
                int a = w.charAt(i) - 'a';
                int b = w.charAt(i + 1) - 'a';
                if (a >= 0 && a < 26 && b >= 0 && b < 26) {
                    bigrams[a * 26 + b]++;
                }
            }
        }
        int total = (int) Math.pow(26, length);
        // Sort key: (max − score) · 2^20 + index, score = Π (1 + bigram count) (exact in a long for 4 letters).
        long[] keys = new long[total];
        for (int i = 0; i < total; i++) {
            long score = 1;
            for (int rest = i, k = 1; k < length; k++, rest /= 26) {
                score *= 1 + bigrams[rest / 26 % 26 * 26 + rest % 26]; // the pair of letters k-1, k from the end
            }
            keys[i] = (MAX_SCORE - score) << 20 | i;
        }
        java.util.Arrays.sort(keys);
        for (int i = 0; i < total && !full(); i++) {
            addString(letters((int) (keys[i] & 0xfffff), length));
        }
    }

    /** The {@code index}-th a–z string of {@code length} in lexicographic order. */
    private static String letters(int index, int length) {
        char[] c = new char[length];
        for (int k = length - 1; k >= 0; k--) {
            c[k] = (char) ('a' + index % 26);
            index /= 26;
        }
        return new String(c);
    }

    /** The word list: lower-case a–z words, first occurrence kept, comments skipped. */
    static List<String> words() {
        Set<String> out = new LinkedHashSet<>();
        try (InputStream in = ClipVocabulary.class.getResourceAsStream("words.txt")) {
            if (in == null) {
                throw new IllegalStateException("resource io/assay/lib/forge/words.txt is missing from the jar");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            int lineNo = 0;
            for (String line; (line = r.readLine()) != null; ) {
                lineNo++;
                String w = line.strip();
                if (w.isEmpty() || w.startsWith("#")) {
                    continue;
                }
                if (!w.matches("[a-z]+")) {
                    throw new IllegalStateException("words.txt:" + lineNo + ": '" + w
                            + "' is not a lower-case a-z word");
                }
                out.add(w);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ArrayList<>(out);
    }
}
