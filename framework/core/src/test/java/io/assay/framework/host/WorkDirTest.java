package io.assay.framework.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkDirTest {

    @Test
    void aClosedHostLeavesNothing(@TempDir Path tmp) throws Exception {
        WorkDir w = WorkDir.create(tmp);
        assertThat(w.dir().getFileName().toString()).startsWith(WorkDir.PREFIX);
        assertThat(w.dir().resolve(WorkDir.LOCK)).isRegularFile();
        Files.createDirectories(w.dir().resolve("version-1"));
        w.close();
        assertThat(tmp).isEmptyDirectory();
    }

    @Test
    void onlyTheDirectoriesOfHostsThatAreGoneAreRemoved(@TempDir Path tmp) throws Exception {
        // The sweep runs "five minutes later": a lock file made now is past the grace period then. (A live host's
        // lock file must not be touched from its own process, not even to set its time: closing any descriptor of
        // it drops the lock.)
        Instant later = Instant.now().plus(Duration.ofMinutes(5));
        // A killed host: its lock file is there, nobody holds it.
        Path dead = Files.createDirectories(tmp.resolve(WorkDir.PREFIX + "1"));
        Files.createDirectories(dead.resolve("version-3"));
        Files.writeString(dead.resolve(WorkDir.LOCK), "");
        // A host being created that moment: its lock file is too young to judge.
        Path starting = Files.createDirectories(tmp.resolve(WorkDir.PREFIX + "2"));
        Files.setLastModifiedTime(Files.writeString(starting.resolve(WorkDir.LOCK), ""), FileTime.from(later));
        // Directories of hosts that did not lock (older Assay): removed only after a day.
        Path unlockedOld = Files.createDirectories(tmp.resolve(WorkDir.PREFIX + "3"));
        Files.setLastModifiedTime(unlockedOld, FileTime.from(later.minus(Duration.ofDays(2))));
        Path unlockedNew = Files.createDirectories(tmp.resolve(WorkDir.PREFIX + "4"));
        // Live hosts of this JVM: the caller's own directory and another.
        try (WorkDir live = WorkDir.create(tmp); WorkDir own = WorkDir.create(tmp)) {
            // Something else in the temporary directory.
            Path other = Files.createDirectories(tmp.resolve("other-" + WorkDir.PREFIX));

            assertThat(WorkDir.sweep(tmp, own.dir(), later)).isEqualTo(2);

            assertThat(dead).doesNotExist();
            assertThat(unlockedOld).doesNotExist();
            assertThat(starting).isDirectory();
            assertThat(unlockedNew).isDirectory();
            assertThat(live.dir()).isDirectory();
            assertThat(own.dir()).isDirectory();
            assertThat(other).isDirectory();
            // The sweep did not even open a live host's lock file: that alone would drop this process's lock.
            assertThat(probe(tmp, live.dir().resolve(WorkDir.LOCK))).as("seen from another process").isEqualTo("held");
        }
    }

    /** Whether another process can lock {@code file} now: "held" or "free". */
    static String probe(Path tmp, Path file) throws Exception {
        Path src = Files.writeString(tmp.resolve("Probe.java"), """
                import java.nio.channels.FileChannel;
                import java.nio.file.*;
                public class Probe {
                    public static void main(String[] a) throws Exception {
                        try (FileChannel ch = FileChannel.open(Path.of(a[0]), StandardOpenOption.WRITE)) {
                            System.out.println(ch.tryLock() == null ? "held" : "free");
                        }
                    }
                }
                """);
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), src.toString(), file.toString()).redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        Files.delete(src);
        return out;
    }

    @Test
    void aDirectoryLockedByAnotherLiveProcessStaysAndGoesOnceThatProcessIsKilled(@TempDir Path tmp)
            throws Exception {
        Path d = Files.createDirectories(tmp.resolve(WorkDir.PREFIX + "9"));
        Path lockFile = d.resolve(WorkDir.LOCK);
        Files.writeString(lockFile, "");
        // Another JVM takes the lock the way a host does (FileChannel.lock: a POSIX record lock) and waits.
        Path src = Files.writeString(tmp.resolve("Hold.java"), """
                import java.nio.channels.FileChannel;
                import java.nio.file.*;
                public class Hold {
                    public static void main(String[] a) throws Exception {
                        FileChannel ch = FileChannel.open(Path.of(a[0]), StandardOpenOption.WRITE);
                        ch.lock();
                        System.out.println("locked");
                        Thread.sleep(120_000);
                    }
                }
                """);
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), src.toString(), lockFile.toString()).redirectErrorStream(true)
                .start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            assertThat(out.readLine()).isEqualTo("locked");
            Files.setLastModifiedTime(lockFile, FileTime.from(Instant.now().minus(Duration.ofMinutes(5))));
            assertThat(WorkDir.sweep(tmp, null, Instant.now())).isZero();
            assertThat(d).isDirectory();
        } finally {
            p.destroyForcibly();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(WorkDir.sweep(tmp, null, Instant.now())).isEqualTo(1);
        assertThat(d).doesNotExist();
    }
}
