package io.assay.plugins.onnxsd;

import io.assay.lib.clip.ClipTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Tokenizers parsed once per plugin version (a SD 1.5 vocabulary and its merges take a noticeable time to parse),
 * keyed by the tokenizer folder and its files' sizes and modification times, so a changed file is parsed again. The
 * cache lives in this plugin's class loader, so it goes with the plugin version; it keeps the few most recently used.
 */
final class Tokenizers {

    private static final int KEPT = 4;
    private static final Map<String, ClipTokenizer> CACHE = new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ClipTokenizer> eldest) {
            return size() > KEPT;
        }
    };

    private Tokenizers() {
    }

    /** The tokenizer of {@code dir} ({@code vocab.json}, {@code merges.txt}, optional special tokens). */
    static ClipTokenizer of(Path dir) throws IOException {
        StringBuilder key = new StringBuilder(dir.toRealPath().toString());
        for (String f : new String[] {"vocab.json", "merges.txt", "special_tokens_map.json"}) {
            Path p = dir.resolve(f);
            key.append('|').append(Files.isRegularFile(p) ? Files.size(p) + "@" + Files.getLastModifiedTime(p)
                    .toMillis() : "-");
        }
        synchronized (CACHE) {
            ClipTokenizer t = CACHE.get(key.toString());
            if (t == null) {
                t = ClipTokenizer.load(dir);
                CACHE.put(key.toString(), t);
            }
            return t;
        }
    }
}
