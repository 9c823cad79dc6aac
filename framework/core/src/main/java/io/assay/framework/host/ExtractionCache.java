package io.assay.framework.host;

import io.assay.framework.io.FileTrees;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Extracted plugin archives, shared: {@code <cache>/<name>-<key>/} where the key digests the archive's real path,
 * size and modification time, so a replaced archive gets a new directory and a loaded version keeps its own.
 * Extraction goes to a temporary directory renamed into place, so concurrent processes never see half an archive.
 * Entries that would land outside the directory (zip slip) refuse the archive. The cache root is
 * {@code ASSAY_PLUGIN_CACHE}, else {@code $ASSAY_CACHE_DIR/plugins}, else {@code ~/.cache/assay/plugins}.
 */
final class ExtractionCache {

    private ExtractionCache() {
    }

    static Path root() {
        String env = System.getenv("ASSAY_PLUGIN_CACHE");
        if (env != null && !env.isBlank()) {
            return Paths.get(env);
        }
        String cache = System.getenv("ASSAY_CACHE_DIR");
        // The user's own cache, not a shared temp directory: what is cached here (extractions, the host-class scan)
        // decides what the host loads, so other users must not be able to plant it.
        return (cache != null && !cache.isBlank() ? Paths.get(cache)
                : Paths.get(System.getProperty("user.home"), ".cache", "assay")).resolve("plugins");
    }

    /** The directory holding the archive's extracted contents (plugin.properties, classes/, lib/). */
    static Path extracted(Path archive, ArchiveLimits limits) throws IOException {
        Path real = archive.toRealPath();
        String key = real + "|" + Files.size(real) + "|" + Files.getLastModifiedTime(real).toMillis();
        String name = real.getFileName().toString().replaceFirst("\\.zip$", "") + "-" + digest(key);
        Path root = root();
        Path dir = root.resolve(name);
        if (Files.isRegularFile(dir.resolve(".complete"))) {
            return dir;
        }
        Files.createDirectories(root);
        Path tmp = Files.createTempDirectory(root, ".extract-");
        try {
            long archiveBytes = Files.size(real);
            long entries = 0;
            long written = 0;
            try (InputStream in = Files.newInputStream(real); ZipInputStream zip = new ZipInputStream(in)) {
                for (ZipEntry e; (e = zip.getNextEntry()) != null;) {
                    String problem = limits.problem(++entries, written, archiveBytes);
                    if (problem != null) {
                        throw new IOException("archive " + problem);
                    }
                    Path target = tmp.resolve(e.getName()).normalize();
                    if (!target.startsWith(tmp)) {
                        throw new IOException("archive entry '" + e.getName() + "' points outside the plugin");
                    }
                    if (e.isDirectory()) {
                        Files.createDirectories(target);
                    } else {
                        Files.createDirectories(target.getParent());
                        written += copyBounded(zip, target, limits, written, archiveBytes);
                    }
                }
            }
            Files.writeString(tmp.resolve(".complete"), key, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, dir);
            } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
                // another process extracted it first: theirs is complete, use it
            }
            return dir;
        } finally {
            FileTrees.delete(tmp);
        }
    }

    /** Copies one entry, stopping as soon as the whole archive's unpacked bytes pass the limits. */
    private static long copyBounded(InputStream in, Path target, ArchiveLimits limits, long before,
            long archiveBytes) throws IOException {
        byte[] buf = new byte[1 << 16];
        long n = 0;
        try (java.io.OutputStream out = Files.newOutputStream(target)) {
            for (int r; (r = in.read(buf)) > 0;) {
                n += r;
                String problem = limits.problem(0, before + n, archiveBytes);
                if (problem != null) {
                    throw new IOException("archive " + problem);
                }
                out.write(buf, 0, r);
            }
        }
        return n;
    }

    /** Computes something slow about an archive once per (path, size, time): e.g. the host-class scan. */
    interface Fact<E extends Exception> {
        String compute() throws E;
    }

    /**
     * {@code fact} for this archive, remembered in the cache ({@code null} results included); recomputed when the
     * archive changes. A cache that cannot be written only costs time.
     */
    static <E extends Exception> String remembered(Path archive, String what, Fact<E> fact) throws E {
        Optional<Optional<String>> known = recall(archive, what);
        if (known.isPresent()) {
            return known.get().orElse(null);
        }
        String v = fact.compute();
        remember(archive, what, v);
        return v;
    }

    /** A remembered fact: empty if unknown (or unreadable), else the value (which may be null). */
    static Optional<Optional<String>> recall(Path archive, String what) {
        try {
            Path file = factFile(archive, what);
            if (Files.isRegularFile(file)) {
                String v = Files.readString(file, StandardCharsets.UTF_8);
                return Optional.of(v.isEmpty() ? Optional.empty() : Optional.of(v.substring(1)));
            }
        } catch (IOException e) {
            // unknown
        }
        return Optional.empty();
    }

    /** Remembers a fact about the archive as it is now (atomically; a cache that cannot be written is no error). */
    static void remember(Path archive, String what, String value) {
        try {
            Path file = factFile(archive, what);
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), ".fact-", ".tmp");
            Files.writeString(tmp, value == null ? "" : "=" + value, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // not remembered; computed again next time
        }
    }

    /** The prefix every cache entry of the archive as it is now starts with: {@code <name>-<key>}. */
    static String entryName(Path archive) throws IOException {
        Path real = archive.toRealPath();
        String key = real + "|" + Files.size(real) + "|" + Files.getLastModifiedTime(real).toMillis();
        return real.getFileName().toString().replaceFirst("\\.zip$", "") + "-" + digest(key);
    }

    /**
     * Garbage-collects the cache at {@link #root()}: see {@link #collect(Path, Set, Duration, Instant)}. Best effort:
     * a cache that cannot be listed or an entry that cannot be removed is left as it is.
     */
    static List<String> collect(Collection<Path> archivesInUse, Duration keep) {
        Set<String> inUse = new HashSet<>();
        for (Path a : archivesInUse) {
            try {
                if (Files.isRegularFile(a)) {
                    inUse.add(entryName(a));
                }
            } catch (IOException e) {
                // an archive that vanished is not in use
            }
        }
        return collect(root(), inUse, keep, Instant.now());
    }

    /**
     * Removes what no plugin directory needs any more. The cache is shared by every distribution and plugins
     * directory of the user, and a host only knows its own, so an entry is removed when it is not one of this host's
     * archives ({@code inUse}: {@link #entryName}s) <em>and</em> nothing has used it for {@code keep} — each host
     * marks its own entries used (their modification time) every time it runs, so another live installation's
     * entries stay. Unfinished extractions ({@code .extract-*}, {@code .fact-*}) older than a day are removed too.
     *
     * @return the names removed
     */
    static List<String> collect(Path root, Set<String> inUse, Duration keep, Instant now) {
        List<String> removed = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return removed;
        }
        List<Path> children;
        try (Stream<Path> s = Files.list(root)) {
            children = s.toList();
        } catch (IOException e) {
            return removed;
        }
        Map<String, List<Path>> entries = new TreeMap<>();
        for (Path c : children) {
            String n = c.getFileName().toString();
            if (n.startsWith(".extract-") || n.startsWith(".fact-")) {
                if (olderThan(c, Duration.ofDays(1), now)) {
                    delete(c, removed);
                }
                continue;
            }
            Matcher m = ENTRY.matcher(n);
            if (m.matches()) {
                entries.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(c);
            }
        }
        for (Map.Entry<String, List<Path>> e : entries.entrySet()) {
            if (inUse.contains(e.getKey())) {
                for (Path p : e.getValue()) {
                    touch(p, now);
                }
                continue;
            }
            if (e.getValue().stream().allMatch(p -> olderThan(p, keep, now))) {
                for (Path p : e.getValue()) {
                    delete(p, removed);
                }
            }
        }
        return removed;
    }

    /** {@code <name>-<16 hex digits>} optionally followed by {@code .<fact>}. */
    private static final Pattern ENTRY = Pattern.compile("(.+-[0-9a-f]{16})(\\.[A-Za-z0-9.-]+)?");

    private static boolean olderThan(Path p, Duration age, Instant now) {
        try {
            return Files.getLastModifiedTime(p).toInstant().isBefore(now.minus(age));
        } catch (IOException e) {
            return false;
        }
    }

    private static void touch(Path p, Instant now) {
        try {
            Files.setLastModifiedTime(p, FileTime.from(now));
        } catch (IOException e) {
            // marked next time
        }
    }

    private static void delete(Path p, List<String> removed) {
        try {
            if (Files.isDirectory(p)) {
                FileTrees.delete(p);
            } else {
                Files.deleteIfExists(p);
            }
            removed.add(p.getFileName().toString());
        } catch (IOException | RuntimeException e) {
            // in use or not ours to remove: left for next time
        }
    }

    private static Path factFile(Path archive, String what) throws IOException {
        Path real = archive.toRealPath();
        String key = real + "|" + Files.size(real) + "|" + Files.getLastModifiedTime(real).toMillis();
        return root().resolve(real.getFileName().toString().replaceFirst("\\.zip$", "") + "-" + digest(key) + "."
                + what);
    }

    private static String digest(String key) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
