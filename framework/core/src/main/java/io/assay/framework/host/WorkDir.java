package io.assay.framework.host;

import io.assay.framework.io.FileTrees;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A plugin host's scratch directory in the temporary directory ({@code assay-plugins-*}), holding an exclusive lock on
 * its {@code .lock} file for as long as the host lives. A host that is closed deletes its directory; one whose process
 * was killed (a timed-out job, {@code kill -9}, a crash) cannot, so every new host removes the directories whose lock
 * nobody holds — their owner is gone. The operating system releases a dead process's locks, which makes this exact
 * where a pid or an age would guess: a server that has been running for a month keeps its directory.
 */
final class WorkDir implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WorkDir.class);
    static final String PREFIX = "assay-plugins-";
    static final String LOCK = ".lock";
    /**
     * A directory is created a moment before its lock is taken: one younger than this is left alone. Directories
     * without a lock file (made before hosts locked them) are removed once older than {@link #UNLOCKED_AGE}.
     */
    static final Duration GRACE = Duration.ofMinutes(1);
    static final Duration UNLOCKED_AGE = Duration.ofDays(1);

    /**
     * The directories hosts of this JVM hold. A sweep skips them before opening their lock file: on Linux, closing any
     * descriptor of a file drops every lock the process holds on it, so merely probing a live host's lock from the
     * same process would release it.
     */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path dir;
    private final FileChannel channel;
    private final FileLock lock;

    private WorkDir(Path dir, FileChannel channel, FileLock lock) {
        this.dir = dir;
        this.channel = channel;
        this.lock = lock;
    }

    /** Creates and locks a new directory in {@code parent}. */
    static WorkDir create(Path parent) throws IOException {
        Path dir = Files.createTempDirectory(parent, PREFIX).toAbsolutePath().normalize();
        HELD.add(dir);
        FileChannel ch = null;
        try {
            ch = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            return new WorkDir(dir, ch, ch.lock());
        } catch (IOException | RuntimeException e) {
            if (ch != null) {
                ch.close();
            }
            FileTrees.delete(dir);
            HELD.remove(dir);
            throw e;
        }
    }

    /** The directory. */
    Path dir() {
        return dir;
    }

    /**
     * Removes the directories of {@code parent} left by hosts that are gone: a lock file nobody holds (older than
     * {@link #GRACE}), or no lock file and older than {@link #UNLOCKED_AGE}. Never fails: what cannot be removed now
     * is left for the next host.
     *
     * @return how many directories were removed
     */
    static int sweep(Path parent, Path own, Instant now) {
        int removed = 0;
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(parent, PREFIX + "*")) {
            for (Path d : dirs) {
                Path n = d.toAbsolutePath().normalize();
                if (n.equals(own) || HELD.contains(n) || !Files.isDirectory(d) || !abandoned(d, now)) {
                    continue;
                }
                try {
                    FileTrees.delete(d);
                    removed++;
                } catch (IOException e) {
                    LOG.debug("Could not remove the abandoned plugin directory '{}': {}", d, e.toString());
                }
            }
        } catch (IOException e) {
            LOG.debug("Could not list '{}' for abandoned plugin directories: {}", parent, e.toString());
        }
        return removed;
    }

    private static boolean abandoned(Path d, Instant now) {
        Path lockFile = d.resolve(LOCK);
        try {
            if (!Files.exists(lockFile)) {
                return Files.getLastModifiedTime(d).toInstant().isBefore(now.minus(UNLOCKED_AGE));
            }
            if (!Files.getLastModifiedTime(lockFile).toInstant().isBefore(now.minus(GRACE))) {
                return false;
            }
            try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
                FileLock l = ch.tryLock();
                if (l == null) {
                    return false; // another process's host holds it
                }
                l.release();
                return true;
            } catch (OverlappingFileLockException e) {
                return false; // not expected (HELD is checked first), and then held all the same
            }
        } catch (IOException e) {
            return false;
        }
    }

    /** Releases the lock and deletes the directory. */
    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
            try {
                FileTrees.delete(dir);
            } finally {
                HELD.remove(dir);
            }
        }
    }
}
