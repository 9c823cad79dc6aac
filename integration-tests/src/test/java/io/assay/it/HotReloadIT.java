package io.assay.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.Guice;
import io.assay.framework.host.Lease;
import io.assay.framework.host.PluginHost;
import io.assay.framework.host.PluginInfo;
import io.assay.sdk.NoSettings;
import io.assay.sdk.StageContext;
import io.assay.sdk.diffusion.ConditioningKind;
import io.assay.sdk.diffusion.Guidance;
import io.assay.sdk.tensor.Tensor;
import io.assay.sdk.testkit.PluginArchiveBuilder;
import java.lang.ref.WeakReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hot reload, end to end: plugin v1 and v2 of one id are compiled at test time; a run started on v1 keeps running on
 * v1 while v2 replaces it (including loading a class of v1 lazily after the swap); the next run gets v2; when the
 * last lease on v1 closes its class loader is collected. Then the directory watcher picks up a v3 dropped in.
 */
class HotReloadIT {

    /** A guidance whose output is filled with its version number; after step 5 it touches a class not loaded yet. */
    static String source(int version) {
        return """
                package io.assay.plugins.echo;

                import io.assay.sdk.*;
                import io.assay.sdk.diffusion.*;
                import io.assay.sdk.tensor.Tensor;
                import java.util.*;

                @org.pf4j.Extension
                @Component(name = "echo-version", description = "fills its output with its plugin version")
                public final class EchoGuidance implements Guidance {
                    @jakarta.inject.Inject
                    public EchoGuidance(StageContext ctx) {
                    }

                    @Override
                    public Run start(int iterations) {
                        return new Run() {
                            int calls;

                            public List<ConditioningKind> needs(StepInfo s) {
                                return List.of(ConditioningKind.COND);
                            }

                            public Tensor combine(StepInfo s, Map<ConditioningKind, Tensor> p, Tensor sample) {
                                if (++calls > 5) {
                                    Late.touch();
                                }
                                return Tensor.filled(VERSION, p.get(ConditioningKind.COND).shape());
                            }

                            public String describe() {
                                return "echo v" + (int) VERSION;
                            }
                        };
                    }

                    static final float VERSION = %d;

                    /** Loaded only after the fifth step. */
                    static final class Late {
                        static void touch() {
                        }
                    }
                }
                """.formatted(version);
    }

    /** The context the tests give the guidance. */
    static final class Ctx {
        private Ctx() {
        }

        static StageContext of() {
            return new io.assay.sdk.testkit.TestStageContext("guidance", "echo-version");
        }
    }

    static Path build(int version, Path dir) throws Exception {
        return PluginArchiveBuilder.plugin("echo", version + ".0.0")
                .source("io.assay.plugins.echo.EchoGuidance", source(version)).build(dir);
    }

    static float step(Guidance.Run run, int i) {
        Map<ConditioningKind, Tensor> p = new EnumMap<>(ConditioningKind.class);
        p.put(ConditioningKind.COND, Tensor.zeros(1, 4, 2, 2));
        return run.combine(new Guidance.StepInfo(i, 10, 999 - i, 1.0), p, Tensor.zeros(1, 4, 2, 2)).data()[0];
    }

    @Test
    void aRunInFlightFinishesOnV1WhileV2ServesNewRunsAndV1IsCollected(@TempDir Path tmp) throws Exception {
        Path build = Files.createDirectories(tmp.resolve("build"));
        Path plugins = Files.createDirectories(tmp.resolve("plugins"));
        Path v1 = build(1, build);
        Path v2 = build(2, build);
        Path v3 = build(3, build);
        Files.copy(v1, plugins.resolve("echo.zip"));

        List<String> events = Collections.synchronizedList(new ArrayList<>());
        try (PluginHost host = new PluginHost(plugins, Guice.createInjector())) {
            host.addListener(e -> events.add(e.kind() + " " + e.version()));
            host.loadAll();
            assertThat(host.plugins()).extracting(PluginInfo::version).containsExactly("1.0.0");

            Lease lease1 = host.lease();
            Guidance g1 = host.create(lease1, Guidance.class, "echo-version", new NoSettings(), Ctx.of());
            WeakReference<ClassLoader> v1Loader = new WeakReference<>(g1.getClass().getClassLoader());
            java.util.concurrent.atomic.AtomicReference<Guidance.Run> run1 =
                    new java.util.concurrent.atomic.AtomicReference<>(g1.start(10));
            List<Float> run1Results = Collections.synchronizedList(new ArrayList<>());
            CountDownLatch twoStepsDone = new CountDownLatch(1);
            CountDownLatch swapped = new CountDownLatch(1);
            Thread runner = new Thread(() -> {
                for (int i = 0; i < 10; i++) {
                    run1Results.add(step(run1.get(), i));
                    if (i == 1) {
                        twoStepsDone.countDown();
                        try {
                            swapped.await(30, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                }
            });
            runner.start();
            assertThat(twoStepsDone.await(30, TimeUnit.SECONDS)).isTrue();

            // Replace v1 by v2 mid-run.
            host.install(copyAs(v2, build.resolve("echo.zip")));
            swapped.countDown();
            try (Lease lease2 = host.lease()) {
                Guidance g2 = host.create(lease2, Guidance.class, "echo-version", new NoSettings(), Ctx.of());
                assertThat(step(g2.start(3), 0)).isEqualTo(2f);
                assertThat(g2.getClass().getClassLoader()).isNotSameAs(v1Loader.get());
                assertThat(host.plugins()).extracting(p -> p.version() + " " + p.state())
                        .containsExactly("1.0.0 RETIRING", "2.0.0 STARTED");
            }
            runner.join(30_000);
            assertThat(run1Results).as("the run in flight stayed on v1, including after v1's late class load")
                    .hasSize(10).containsOnly(1f);

            // Drop every reference to v1 and close its lease: the loader must become collectable.
            g1 = null;
            run1.set(null);
            lease1.close();
            assertThat(events).contains("REPLACED 2.0.0", "RELEASED 1.0.0");
            int gcs = 0;
            while (v1Loader.get() != null && gcs < 50) {
                System.gc();
                Thread.sleep(20);
                gcs++;
            }
            assertThat(v1Loader.get()).as("v1's class loader after %d GCs", gcs).isNull();
            System.out.println("hot reload: v1 class loader collected after " + gcs + " GC(s)");

            // The watcher: a v3 archive dropped into the directory is picked up without a call.
            host.startWatching();
            Files.copy(v3, plugins.resolve("echo.zip"), StandardCopyOption.REPLACE_EXISTING);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline && !host.plugins().stream()
                    .anyMatch(p -> p.version().equals("3.0.0") && p.state() == PluginInfo.State.STARTED)) {
                Thread.sleep(50);
            }
            try (Lease lease3 = host.lease()) {
                Guidance g3 = host.create(lease3, Guidance.class, "echo-version", new NoSettings(), Ctx.of());
                assertThat(step(g3.start(3), 0)).isEqualTo(3f);
            }
        }
    }

    private static Path copyAs(Path from, Path to) throws Exception {
        Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
        return to;
    }
}
