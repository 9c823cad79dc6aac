package io.assay.framework.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * SHA-256 of every file in a model directory, for provenance. Hashing a 4 GB SD checkpoint takes seconds, so digests
 * are remembered in a small JSON cache keyed by absolute path, size and modification time (a changed file is hashed
 * again). The cache is written atomically; a missing or unreadable cache only costs time.
 */
public final class ModelFiles {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ModelFiles() {
    }

    /**
     * Digests of the regular files under {@code dir} (hidden files and directories skipped), keyed by the path
     * relative to {@code dir} with '/' separators, sorted.
     *
     * @param cacheFile where digests are remembered, or null
     */
    public static synchronized Map<String, String> sha256(Path dir, Path cacheFile) throws IOException {
        Map<String, String> cache = new TreeMap<>();
        if (cacheFile != null && Files.isRegularFile(cacheFile)) {
            try {
                @SuppressWarnings("unchecked")
                Map<String, String> m = JSON.readValue(cacheFile.toFile(), TreeMap.class);
                cache.putAll(m);
            } catch (IOException e) {
                // a damaged cache is rebuilt below
            }
        }
        Map<String, String> out = new TreeMap<>();
        boolean changed = false;
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(Files::isRegularFile)
                    .filter(p -> !hidden(dir.relativize(p)))
                    .sorted().toList();
        }
        for (Path f : files) {
            String key = f.toAbsolutePath().normalize() + "|" + Files.size(f) + "|"
                    + Files.getLastModifiedTime(f).toMillis();
            String digest = cache.get(key);
            if (digest == null) {
                digest = digest(f);
                cache.put(key, digest);
                changed = true;
            }
            out.put(dir.relativize(f).toString().replace('\\', '/'), digest);
        }
        if (changed && cacheFile != null) {
            try {
                Files.createDirectories(cacheFile.toAbsolutePath().getParent());
                AtomicFiles.write(cacheFile, JSON.writeValueAsBytes(cache));
            } catch (IOException e) {
                // Only a cache (the digests are computed again next time): a full or read-only disk must not stop
                // the run that needed them.
            }
        }
        return out;
    }

    private static boolean hidden(Path relative) {
        for (Path part : relative) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    /** SHA-256 of a file, hex. */
    public static String digest(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 20];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new UncheckedIOException(new IOException("SHA-256 unavailable", e));
        }
    }
}
