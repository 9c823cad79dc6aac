package io.assay.framework.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Atomic file writes: the content goes to a hidden temporary file in the target's directory and is moved into place
 * in one step, so a reader (or a user after Ctrl-C) sees the old file or the complete new one, never a part.
 */
public final class AtomicFiles {

    private AtomicFiles() {
    }

    /** Something that writes a file's content. */
    @FunctionalInterface
    public interface Writer {
        /** Writes the content. */
        void write(OutputStream out) throws IOException;
    }

    /**
     * Writes {@code file} atomically.
     *
     * @throws IOException a {@link FileSystemException} naming {@code file} (not the temporary file) and the
     *     operating system's reason ("No space left on device", "File too large"); the temporary file is gone and
     *     an existing {@code file} is untouched
     */
    public static void write(Path file, Writer writer) throws IOException {
        try {
            writeOrThrow(file, writer);
        } catch (FileSystemException e) {
            if (e.getFile() != null && !e.getFile().contains(".part")) {
                throw e; // names a real path already (the directory, say)
            }
            throw named(file, e);
        } catch (IOException e) {
            throw named(file, e);
        }
    }

    private static FileSystemException named(Path file, IOException e) {
        FileSystemException f = new FileSystemException(file.toString(), null, cause(e));
        f.initCause(e);
        return f;
    }

    /** The innermost message of {@code e}'s causes: the operating system's words, not a wrapper's. */
    static String cause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
    }

    private static void writeOrThrow(Path file, Writer writer) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".part");
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                writer.write(out);
            }
            try {
                // createTempFile makes the file private (0600); results are ordinary files (0644).
                Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: keep its defaults
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Writes bytes atomically. */
    public static void write(Path file, byte[] bytes) throws IOException {
        write(file, out -> out.write(bytes));
    }

    /** Writes UTF-8 text atomically. */
    public static void writeString(Path file, String text) throws IOException {
        write(file, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
