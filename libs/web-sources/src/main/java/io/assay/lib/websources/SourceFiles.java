package io.assay.lib.websources;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * Turns the user's paths into the ordered list of files a source reads. The order is part of the contract (records
 * come out in a stable order, so a resumed or repeated run sees the same sequence), hence sorting by name.
 */
final class SourceFiles {

    static final String MANIFEST = "manifest.jsonl";

    private static final byte[] WARC_MAGIC = "WARC/".getBytes(StandardCharsets.US_ASCII);

    private SourceFiles() {
    }

    /**
     * WARC and WAT files: by name, or by content for files named otherwise (crawlers and mirrors rename freely,
     * e.g. {@code CC-MAIN-…-00000.warc.gz.1}).
     */
    static List<Path> warcFiles(List<Path> paths) {
        Predicate<Path> accept = p -> hasWarcName(p) || looksLikeWarc(p);
        return collect(paths, accept, "WARC or WAT", true);
    }

    /** Tar shards by name; an explicitly named file is taken as a shard whatever its name. */
    static List<Path> tarFiles(List<Path> paths) {
        Predicate<Path> accept = p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".tar");
        return collect(paths, accept, ".tar", false);
    }

    /** Dataset directories; a path to a {@code manifest.jsonl} file stands for its directory. */
    static List<Path> manifestDirectories(List<Path> paths) {
        List<Path> dirs = new ArrayList<>();
        for (Path p : paths) {
            if (!Files.exists(p)) {
                throw new IllegalArgumentException("no such file or directory: " + p);
            }
            Path dir = Files.isDirectory(p) ? p : p.toAbsolutePath().getParent();
            if (!Files.isDirectory(p) && !p.getFileName().toString().equals(MANIFEST)) {
                throw new IllegalArgumentException("not a dataset directory or " + MANIFEST + ": " + p);
            }
            if (!Files.isRegularFile(dir.resolve(MANIFEST))) {
                throw new IllegalArgumentException("no " + MANIFEST + " in " + p);
            }
            dirs.add(dir);
        }
        return List.copyOf(dirs);
    }

    private static List<Path> collect(List<Path> paths, Predicate<Path> accept, String what, boolean checkFiles) {
        List<Path> files = new ArrayList<>();
        for (Path p : paths) {
            if (p == null || !Files.exists(p)) {
                throw new IllegalArgumentException("no such file or directory: " + p);
            }
            if (Files.isDirectory(p)) {
                List<Path> inside;
                try (Stream<Path> s = Files.list(p)) {
                    inside = s.filter(Files::isRegularFile)
                            .filter(f -> !f.getFileName().toString().startsWith("."))
                            .filter(accept)
                            .sorted(Comparator.comparing(f -> f.getFileName().toString()))
                            .toList();
                } catch (IOException e) {
                    throw new IllegalArgumentException("cannot list " + p + ": " + e.getMessage(), e);
                }
                if (inside.isEmpty()) {
                    throw new IllegalArgumentException("no " + what + " files in " + p);
                }
                files.addAll(inside);
            } else {
                if (checkFiles && !accept.test(p)) {
                    throw new IllegalArgumentException("not a " + what + " file: " + p);
                }
                files.add(p);
            }
        }
        return List.copyOf(files);
    }

    static boolean hasWarcName(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".warc") || n.endsWith(".warc.gz") || n.endsWith(".wat") || n.endsWith(".wat.gz");
    }

    /** Whether the file starts with a WARC version line, directly or inside a gzip member. */
    static boolean looksLikeWarc(Path p) {
        try (InputStream in = Files.newInputStream(p)) {
            byte[] head = in.readNBytes(2);
            if (head.length == 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
                try (InputStream again = Files.newInputStream(p); InputStream gz = new GZIPInputStream(again)) {
                    return Arrays.equals(gz.readNBytes(WARC_MAGIC.length), WARC_MAGIC);
                }
            }
            byte[] rest = in.readNBytes(WARC_MAGIC.length - head.length);
            byte[] all = new byte[head.length + rest.length];
            System.arraycopy(head, 0, all, 0, head.length);
            System.arraycopy(rest, 0, all, head.length, rest.length);
            return Arrays.equals(all, WARC_MAGIC);
        } catch (IOException e) {
            return false;
        }
    }
}
