package io.assay.framework.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on an output directory ({@code <dir>/.assay.lock}, an OS file lock holding the owner's PID), so
 * two runs that resume from and write into the same directory cannot interleave. The OS drops the lock when the
 * process ends, even on kill -9, so a stale lock file never blocks a later run. Nothing in the holding process may
 * open the lock file itself: on Linux, closing any descriptor of a file drops every lock the process holds on it.
 */
public final class OutLock implements AutoCloseable {

    /** The lock file's name inside the directory. */
    public static final String FILE = ".assay.lock";

    /** The directory is locked by another run. */
    public static final class Held extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Held(String message) {
            super(message);
        }
    }

    /**
     * Directories this process holds. Checked before a channel is opened: on Linux, closing any descriptor of a file
     * drops every lock the process holds on it, so a refused second run in the same JVM must not even open one.
     */
    private static final java.util.Set<Path> HELD = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final Path key;
    private final FileChannel channel;
    private final FileLock lock;

    private OutLock(Path key, FileChannel channel, FileLock lock) {
        this.key = key;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Locks {@code dir} (creating it) for {@code command}.
     *
     * @throws Held naming the holder's PID when another run holds it
     * @throws IOException when the directory or the lock file cannot be created
     */
    public static OutLock acquire(Path dir, String command) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(FILE);
        Path key = dir.toRealPath();
        if (!HELD.add(key)) {
            throw held(dir, command, String.valueOf(ProcessHandle.current().pid()), file);
        }
        try {
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock l;
            try {
                l = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                l = null;
            }
            if (l == null) {
                String holder = holder(ch);
                ch.close();
                throw held(dir, command, holder, file);
            }
            ch.truncate(0);
            ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)),
                    0);
            ch.force(false);
            return new OutLock(key, ch, l);
        } catch (IOException | RuntimeException e) {
            HELD.remove(key);
            throw e;
        }
    }

    private static Held held(Path dir, String command, String pid, Path file) {
        return new Held("'" + dir + "' is in use by another " + command + " run (PID " + pid + ", lock file '"
                + file + "'); wait for it to finish or give another --out");
    }

    private static String holder(FileChannel ch) {
        try {
            ByteBuffer b = ByteBuffer.allocate(32);
            int n = ch.read(b, 0);
            String s = n <= 0 ? "" : new String(b.array(), 0, n, StandardCharsets.US_ASCII).trim();
            return s.matches("\\d+") ? s : "unknown";
        } catch (IOException e) {
            return "unknown";
        }
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
            HELD.remove(key);
        }
    }
}
