package io.assay.framework.world;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Trains a CLIP-format byte-level BPE vocabulary on a word list until every word is one token, so applying the merges
 * in rank order (as the CLIP tokenizer does) reproduces whole words, while any other text still tokenizes through the
 * 512 byte-level symbols.
 */
final class Bpe {

    /** The result: vocabulary (token → id, in id order) and merges in rank order. */
    record Vocabulary(Map<String, Integer> vocab, List<String> merges) {
    }

    private Bpe() {
    }

    /** Trains on {@code words} (cleaned, lowercase; each counted once per occurrence). */
    static Vocabulary train(Map<String, Integer> wordCounts) {
        String[] enc = io.assay.lib.clip.ClipTokenizer.byteToUnicode();
        Map<String, Integer> vocab = new LinkedHashMap<>();
        // ids 0–255: the byte alphabet in bytes_to_unicode order; 256–511: the same with the end-of-word mark.
        List<String> alphabet = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            if (enc[b].charAt(0) < 256 && enc[b].charAt(0) == b) {
                alphabet.add(enc[b]);
            }
        }
        for (int b = 0; b < 256; b++) {
            if (!(enc[b].charAt(0) < 256 && enc[b].charAt(0) == b)) {
                alphabet.add(enc[b]);
            }
        }
        for (String a : alphabet) {
            vocab.put(a, vocab.size());
        }
        for (String a : alphabet) {
            vocab.put(a + "</w>", vocab.size());
        }
        Map<String, List<String>> split = new TreeMap<>();
        for (String w : wordCounts.keySet()) {
            StringBuilder mapped = new StringBuilder();
            for (byte b : w.getBytes(StandardCharsets.UTF_8)) {
                mapped.append(enc[b & 0xff]);
            }
            List<String> symbols = new ArrayList<>();
            String m = mapped.toString();
            for (int i = 0; i < m.length(); i++) {
                symbols.add(i == m.length() - 1 ? m.charAt(i) + "</w>" : String.valueOf(m.charAt(i)));
            }
            split.put(w, symbols);
        }
        List<String> merges = new ArrayList<>();
        while (true) {
            Map<String, Integer> pairs = new TreeMap<>();
            for (Map.Entry<String, List<String>> e : split.entrySet()) {
                List<String> s = e.getValue();
                for (int i = 0; i + 1 < s.size(); i++) {
                    pairs.merge(s.get(i) + " " + s.get(i + 1), wordCounts.get(e.getKey()), Integer::sum);
                }
            }
            if (pairs.isEmpty()) {
                break;
            }
            String best = null;
            int bestCount = -1;
            for (Map.Entry<String, Integer> p : pairs.entrySet()) {
                if (p.getValue() > bestCount) {
                    best = p.getKey();
                    bestCount = p.getValue();
                }
            }
            merges.add(best);
            String[] ab = best.split(" ");
            String merged = ab[0] + ab[1];
            vocab.putIfAbsent(merged, vocab.size());
            for (List<String> s : split.values()) {
                for (int i = 0; i + 1 < s.size(); i++) {
                    if (s.get(i).equals(ab[0]) && s.get(i + 1).equals(ab[1])) {
                        s.set(i, merged);
                        s.remove(i + 1);
                    }
                }
            }
        }
        vocab.put("<|startoftext|>", vocab.size());
        vocab.put("<|endoftext|>", vocab.size());
        return new Vocabulary(vocab, merges);
    }
}
