package io.assay.lib.clip;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.assay.sdk.diffusion.TokenReport;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CLIP's byte-level BPE tokenizer (openai/CLIP {@code simple_tokenizer.py}) over a Hugging Face {@code vocab.json} +
 * {@code merges.txt}: cleaning ({@link TextCleaner}), the CLIP word regex, UTF-8 bytes mapped to printable
 * characters, BPE merges by rank, vocabulary lookup; then the 77-id window layout Stable Diffusion uses
 * ({@code [BOS, ≤75 ids, EOS]} padded). Thread-safe after construction.
 */
public final class ClipTokenizer {

    private static final String BOS = "<|startoftext|>";
    private static final String EOS = "<|endoftext|>";
    private static final Pattern WORDS = Pattern.compile(
            "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+",
            Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.UNICODE_CHARACTER_CLASS);
    private static final int CACHE_LIMIT = 100_000;
    private static final String[] BYTE_ENCODER = byteEncoder();

    private final Map<String, Integer> encoder;
    private final String[] decoder;
    private final Map<String, Integer> ranks;
    private final Map<String, String[]> cache = new ConcurrentHashMap<>();
    private final int bos;
    private final int eos;
    private final int pad;

    private ClipTokenizer(Map<String, Integer> encoder, Map<String, Integer> ranks, String padToken) {
        this.encoder = encoder;
        this.ranks = ranks;
        int max = encoder.values().stream().mapToInt(Integer::intValue).max().orElse(-1);
        this.decoder = new String[max + 1];
        encoder.forEach((k, v) -> decoder[v] = k);
        this.bos = requireToken(BOS);
        this.eos = requireToken(EOS);
        this.pad = padToken == null ? eos : requireToken(padToken);
        cache.put(BOS, new String[] {BOS});
        cache.put(EOS, new String[] {EOS});
    }

    private int requireToken(String t) {
        Integer id = encoder.get(t);
        if (id == null) {
            throw new IllegalArgumentException("vocabulary has no '" + t + "' token");
        }
        return id;
    }

    /** Loads {@code vocab.json} and {@code merges.txt} (and the pad token from {@code special_tokens_map.json}). */
    public static ClipTokenizer load(Path tokenizerDir) throws IOException {
        ClipTokenizer t = fromFiles(tokenizerDir.resolve("vocab.json"), tokenizerDir.resolve("merges.txt"),
                padToken(tokenizerDir));
        return t;
    }

    /** Loads a vocabulary and merges; pad = EOS. */
    public static ClipTokenizer fromFiles(Path vocabJson, Path mergesTxt) throws IOException {
        return fromFiles(vocabJson, mergesTxt, null);
    }

    private static ClipTokenizer fromFiles(Path vocabJson, Path mergesTxt, String padToken) throws IOException {
        if (!Files.isRegularFile(vocabJson)) {
            throw new IOException("'" + vocabJson + "' does not exist");
        }
        if (!Files.isRegularFile(mergesTxt)) {
            throw new IOException("'" + mergesTxt + "' does not exist");
        }
        Map<String, Integer> enc = new HashMap<>();
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(vocabJson.toFile());
        } catch (IOException e) {
            throw new IOException("'" + vocabJson + "' is not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IOException("'" + vocabJson + "' must be a JSON object token → id");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().canConvertToInt()) {
                throw new IOException("'" + vocabJson + "': id of token '" + e.getKey() + "' is not an integer");
            }
            enc.put(e.getKey(), e.getValue().asInt());
        }
        Map<String, Integer> ranks = new HashMap<>();
        try (BufferedReader r = Files.newBufferedReader(mergesTxt, StandardCharsets.UTF_8)) {
            int lineNo = 0;
            for (String line; (line = r.readLine()) != null; ) {
                lineNo++;
                if (lineNo == 1 && line.startsWith("#version")) {
                    continue;
                }
                if (line.isEmpty()) {
                    continue;
                }
                String[] parts = line.split(" ");
                if (parts.length != 2) {
                    throw new IOException(mergesTxt + ":" + lineNo + ": expected 'A B', found '" + line + "'");
                }
                String merged = parts[0] + parts[1];
                if (!enc.containsKey(merged)) {
                    throw new IOException(mergesTxt + ":" + lineNo + ": merge '" + line + "' makes '" + merged
                            + "', which is not in " + vocabJson.getFileName());
                }
                ranks.putIfAbsent(parts[0] + " " + parts[1], ranks.size());
            }
        }
        try {
            return new ClipTokenizer(enc, ranks, padToken);
        } catch (IllegalArgumentException e) {
            throw new IOException("'" + vocabJson + "': " + e.getMessage(), e);
        }
    }

    private static String padToken(Path dir) throws IOException {
        Path special = dir.resolve("special_tokens_map.json");
        if (!Files.isRegularFile(special)) {
            return null;
        }
        JsonNode n = new ObjectMapper().readTree(special.toFile()).path("pad_token");
        if (n.isTextual()) {
            return n.asText();
        }
        if (n.path("content").isTextual()) {
            return n.get("content").asText();
        }
        return null;
    }

    /** BOS id. */
    public int bosId() {
        return bos;
    }

    /** EOS id. */
    public int eosId() {
        return eos;
    }

    /** Padding id. */
    public int padId() {
        return pad;
    }

    /** Vocabulary size. */
    public int vocabSize() {
        return encoder.size();
    }

    /** The token string of an id. */
    public String token(int id) {
        return id >= 0 && id < decoder.length ? decoder[id] : null;
    }

    /** Cleans and BPE-encodes, without window, BOS or EOS. */
    public Encoding encode(String text) {
        String cleaned = TextCleaner.clean(text);
        List<String> tokens = new ArrayList<>();
        List<TokenReport.Word> words = new ArrayList<>();
        Matcher m = WORDS.matcher(cleaned);
        while (m.find()) {
            String piece = m.group();
            StringBuilder mapped = new StringBuilder();
            for (byte b : piece.getBytes(StandardCharsets.UTF_8)) {
                mapped.append(BYTE_ENCODER[b & 0xff]);
            }
            String[] bpe = bpe(mapped.toString());
            tokens.addAll(Arrays.asList(bpe));
            words.add(new TokenReport.Word(piece, Arrays.asList(bpe)));
        }
        int[] ids = new int[tokens.size()];
        for (int i = 0; i < ids.length; i++) {
            Integer id = encoder.get(tokens.get(i));
            if (id == null) {
                throw new IllegalStateException("BPE produced '" + tokens.get(i) + "', which is not in the vocabulary");
            }
            ids[i] = id;
        }
        return new Encoding(text, cleaned, ids, List.copyOf(tokens), List.copyOf(words));
    }

    /**
     * How the model receives {@code text}: ids laid out in windows of {@code windowLength} ({@code [BOS, ids, EOS]}
     * padded), what normalization changed, the sub-word splits, and what was dropped.
     */
    public TokenReport report(String text, LongPromptPolicy policy, int windowLength) {
        Encoding e = encode(text);
        int per = windowLength - 2;
        int n = e.ids().length;
        List<String> dropped = List.of();
        int windows = 1;
        if (policy == LongPromptPolicy.CHUNK) {
            windows = Math.max(1, (n + per - 1) / per);
        } else if (n > per) {
            dropped = e.tokens().subList(per, n);
        }
        int[] ids = new int[windows * windowLength];
        Arrays.fill(ids, pad);
        for (int w = 0; w < windows; w++) {
            int from = w * per;
            int to = Math.min(n, from + per);
            int base = w * windowLength;
            ids[base] = bos;
            int k = base + 1;
            for (int i = from; i < to; i++) {
                ids[k++] = e.ids()[i];
            }
            ids[k] = eos;
        }
        return new TokenReport(text, e.cleaned(), ids, e.tokens(), e.words(), dropped, windows);
    }

    private String[] bpe(String token) {
        String[] cached = cache.get(token);
        if (cached != null) {
            return cached;
        }
        List<String> word = new ArrayList<>();
        int[] cps = token.codePoints().toArray();
        for (int i = 0; i < cps.length; i++) {
            String s = new String(Character.toChars(cps[i]));
            word.add(i == cps.length - 1 ? s + "</w>" : s);
        }
        while (word.size() > 1) {
            int best = Integer.MAX_VALUE;
            String first = null;
            String second = null;
            for (int i = 0; i + 1 < word.size(); i++) {
                Integer r = ranks.get(word.get(i) + " " + word.get(i + 1));
                if (r != null && r < best) {
                    best = r;
                    first = word.get(i);
                    second = word.get(i + 1);
                }
            }
            if (first == null) {
                break;
            }
            List<String> next = new ArrayList<>(word.size());
            for (int i = 0; i < word.size(); ) {
                if (i + 1 < word.size() && word.get(i).equals(first) && word.get(i + 1).equals(second)) {
                    next.add(first + second);
                    i += 2;
                } else {
                    next.add(word.get(i));
                    i++;
                }
            }
            word = next;
        }
        String[] out = word.toArray(String[]::new);
        if (cache.size() < CACHE_LIMIT) {
            cache.put(token, out);
        }
        return out;
    }

    /** CLIP's bytes_to_unicode table: byte value → the character BPE works on. A copy. */
    public static String[] byteToUnicode() {
        return BYTE_ENCODER.clone();
    }

    /** The pieces CLIP's word regex splits cleaned text into (what BPE then encodes one by one). */
    public static List<String> words(String cleaned) {
        List<String> out = new ArrayList<>();
        Matcher m = WORDS.matcher(cleaned);
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    /** CLIP's bytes_to_unicode: printable bytes map to themselves, the rest to code points from 256 up. */
    private static String[] byteEncoder() {
        String[] map = new String[256];
        int n = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = b >= '!' && b <= '~' || b >= 0xa1 && b <= 0xac || b >= 0xae && b <= 0xff;
            map[b] = printable ? String.valueOf((char) b) : null;
        }
        for (int b = 0; b < 256; b++) {
            if (map[b] == null) {
                map[b] = String.valueOf((char) (256 + n++));
            }
        }
        return map;
    }
}
