package io.assay.lib.websources;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.stream.Stream;

/** The few file-system moves crash safety is built from: fsync, atomic rename, and checkpoint values. */
final class Durable {

    private Durable() {
    }

    /** A fresh output directory: absent (created) or empty, so a new run never mixes with an old one. */
    static void prepareFresh(Path dir) throws IOException {
        if (Files.exists(dir)) {
            if (!Files.isDirectory(dir)) {
                throw new FileAlreadyExistsException(dir.toString(), null, "exists and is not a directory");
            }
            try (Stream<Path> s = Files.list(dir)) {
                if (s.findAny().isPresent()) {
                    throw new DirectoryNotEmptyException(dir + " (a fresh dataset needs an empty or absent directory;"
                            + " to continue a run, pass its checkpoint)");
                }
            }
        }
        Files.createDirectories(dir);
    }

    /**
     * Makes renames and creations in the directory durable. Not every platform can open a directory (Windows
     * cannot); there the rename is as durable as the platform makes it.
     */
    static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Unsupported here; nothing better is available.
        }
    }

    /** Renames a complete temporary file into place in one step, so readers see all of it or nothing. */
    static void publish(Path tmp, Path target) throws IOException {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Verifies that a checkpoint belongs to this kind of writer. */
    static void checkFormat(Map<String, Object> checkpoint, String format) {
        Object f = checkpoint.get("format");
        if (!format.equals(f)) {
            throw new IllegalArgumentException("the checkpoint is for format '" + f + "', not '" + format + "'");
        }
    }

    /**
     * A non-negative integer from a checkpoint map. Accepts any integral {@link Number} or numeric string, because the
     * map may have been through a JSON round trip (which turns longs into ints, or numbers into text).
     */
    static long number(Map<String, Object> checkpoint, String key) {
        Object v = checkpoint.get(key);
        long n;
        if (v instanceof Number) {
            double d = ((Number) v).doubleValue();
            n = ((Number) v).longValue();
            if (d != n) {
                throw new IllegalArgumentException("checkpoint field '" + key + "' is not an integer: " + v);
            }
        } else if (v instanceof String) {
            try {
                n = Long.parseLong((String) v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("checkpoint field '" + key + "' is not an integer: " + v, e);
            }
        } else {
            throw new IllegalArgumentException("checkpoint lacks the field '" + key + "'");
        }
        if (n < 0) {
            throw new IllegalArgumentException("checkpoint field '" + key + "' is negative: " + n);
        }
        return n;
    }

    static String key(long n) {
        return String.format("%09d", n);
    }
}
