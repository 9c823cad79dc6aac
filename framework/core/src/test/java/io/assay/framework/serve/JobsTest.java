package io.assay.framework.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class JobsTest {

    /** A job that holds its slot until {@code release} opens. */
    private static Jobs.Work holding(CountDownLatch started, CountDownLatch release) {
        return job -> {
            started.countDown();
            assertThat(release.await(30, TimeUnit.SECONDS)).isTrue();
            return Map.of("ok", true);
        };
    }

    private static void awaitSettled(Jobs.Job job) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while ((job.state.equals("queued") || job.state.equals("running")) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(job.state).isEqualTo("done");
    }

    @Test
    void aClientMayHoldItsSlotsOnlyAndGetsThemBackWhenAnswered() throws Exception {
        try (Jobs jobs = new Jobs(2, 8, 2)) {
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch started = new CountDownLatch(2);
            Jobs.Job a1 = jobs.submit("generate", "10.0.0.1", 60_000, holding(started, release));
            Jobs.Job a2 = jobs.submit("generate", "10.0.0.1", 60_000, holding(started, release));
            assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(jobs.open("10.0.0.1")).isEqualTo(2);
            // A third from the same address is refused; another address still gets in (queued behind the two).
            assertThatThrownBy(() -> jobs.submit("generate", "10.0.0.1", 60_000, j -> Map.of()))
                    .isInstanceOf(Jobs.ClientBusy.class)
                    .hasMessageContaining("10.0.0.1").hasMessageContaining("2 job(s)").hasMessageContaining(
                            "--client-slots");
            assertThat(jobs.open("10.0.0.1")).as("the refused one holds nothing").isEqualTo(2);
            Jobs.Job b = jobs.submit("generate", "10.0.0.2", 60_000, j -> Map.of("ok", true));
            assertThat(jobs.open("10.0.0.2")).isEqualTo(1);
            release.countDown();
            awaitSettled(a1);
            awaitSettled(a2);
            awaitSettled(b);
            // No waiting: a job gives its slot back before its answer is visible.
            assertThat(jobs.open("10.0.0.1")).isZero();
            assertThat(jobs.open("10.0.0.2")).isZero();
            awaitSettled(jobs.submit("generate", "10.0.0.1", 60_000, j -> Map.of("ok", true)));
        }
    }

    @Test
    void theMomentAJobIsAnsweredItIsNoLongerCountedAsRunningNorHoldsItsClientsSlot() throws Exception {
        // A client that reads an answer and at once asks /api/status, or sends its next request, must not find the
        // answered job still counted (a CI run saw "running": 1 after the answer when the count dropped later).
        try (Jobs jobs = new Jobs(1, 4, 1)) {
            int counted = 0;
            for (int i = 0; i < 400; i++) {
                Jobs.Job job;
                try {
                    job = jobs.submit("generate", "10.0.0.9", 60_000, j -> Map.of("ok", true));
                } catch (Jobs.ClientBusy stillHeld) {
                    counted++;
                    Thread.sleep(50);
                    continue;
                }
                while (job.state.equals("queued") || job.state.equals("running")) {
                    Thread.onSpinWait();
                }
                if (jobs.running() != 0 || jobs.open("10.0.0.9") != 0) {
                    counted++;
                }
            }
            assertThat(counted).as("answers seen while their job was still counted, of 400").isZero();
        }
    }

    @Test
    void aRunThatNeverReturnsIsAbandonedAndCountedSoBeforeItsAnswerIsVisible() throws Exception {
        try (Jobs jobs = new Jobs(1, 2)) {
            // Deaf to interrupts, like a plugin in an endless loop; the watchdog gives up GRACE_MILLIS past 200 ms.
            Jobs.Job stuck = jobs.submit("generate", 200, j -> {
                long until = System.currentTimeMillis() + 8_000;
                while (System.currentTimeMillis() < until) {
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException ignored) {
                        // keeps going
                    }
                }
                return Map.of();
            });
            while (stuck.state.equals("queued") || stuck.state.equals("running")) {
                Thread.onSpinWait();
            }
            assertThat(jobs.abandoned()).as("abandoned, read the moment the job is answered").isEqualTo(1);
            assertThat(jobs.running()).isZero();
            assertThat(stuck.state).isEqualTo("failed");
            assertThat(stuck.errorStatus).isEqualTo(504);
            assertThat(stuck.error).contains("abandoned");
            Jobs.Job next = jobs.submit("generate", 60_000, j -> Map.of("ok", true));
            awaitSettled(next);
            assertThat(next.result).containsEntry("ok", true);
        }
    }

    @Test
    void withoutClientSlotsOneAddressMayFillTheQueue() throws Exception {
        try (Jobs jobs = new Jobs(1, 3)) {
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch started = new CountDownLatch(1);
            jobs.submit("generate", "127.0.0.1", 60_000, holding(started, release));
            assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < 3; i++) {
                jobs.submit("generate", "127.0.0.1", 60_000, j -> Map.of());
            }
            assertThatThrownBy(() -> jobs.submit("generate", "127.0.0.1", 60_000, j -> Map.of()))
                    .isInstanceOf(Jobs.Busy.class);
            assertThat(jobs.open("127.0.0.1")).isZero();
            release.countDown();
        }
    }
}
