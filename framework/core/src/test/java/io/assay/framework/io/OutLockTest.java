package io.assay.framework.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutLockTest {

    @Test
    void aSecondLockIsRefusedNamingTheHolderAndTheFirstStillHolds(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("out");
        try (OutLock first = OutLock.acquire(out, "curate")) {
            // (Not read here: on Linux, closing any descriptor of the lock file would drop this process's lock.)
            for (int i = 0; i < 2; i++) {
                assertThatThrownBy(() -> OutLock.acquire(out, "curate"))
                        .isInstanceOf(OutLock.Held.class)
                        .hasMessageContaining("is in use by another curate run (PID " + ProcessHandle.current().pid());
            }
            // Another process sees the lock too (the refused attempts above did not drop it).
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), Probe.class.getName(), out.toString())
                    .redirectErrorStream(true).start();
            String said = new String(p.getInputStream().readAllBytes()).trim();
            assertThat(p.waitFor()).as(said).isEqualTo(6);
            assertThat(said).contains("PID " + ProcessHandle.current().pid());
        }
        assertThat(Files.readString(out.resolve(OutLock.FILE)).trim())
                .isEqualTo(String.valueOf(ProcessHandle.current().pid()));
        try (OutLock again = OutLock.acquire(out, "curate")) {
            assertThat(again).isNotNull();
        }
    }

    /** Tries the lock from another JVM: exit 0 when it got it, 6 when refused. */
    public static final class Probe {
        public static void main(String[] args) throws Exception {
            try (OutLock l = OutLock.acquire(Path.of(args[0]), "compare")) {
                System.exit(0);
            } catch (OutLock.Held h) {
                System.out.println(h.getMessage());
                System.exit(6);
            }
        }
    }
}
