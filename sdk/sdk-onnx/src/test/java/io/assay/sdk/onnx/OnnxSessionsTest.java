package io.assay.sdk.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import io.assay.sdk.tensor.Tensor;
import io.assay.sdk.testkit.References;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The model cache's policy (kept while held, then for the idle time, least recently used unloaded beyond the memory
 * budget), one load for concurrent opens of one file, the provider fallback when a session cannot be created on a
 * device, probes keyed by provider and options, and the reusable native buffers (the same numbers as a plain run).
 */
class OnnxSessionsTest {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private static Path unet() {
        return References.require("tiny-sd/model/unet/model.onnx");
    }

    private static Path textEncoder() {
        return References.require("tiny-sd/model/text_encoder/model.onnx");
    }

    /** ONNX Runtime as it is, counting what it is asked to do. */
    static class Counting implements OnnxSessions.Provisioner {
        final AtomicInteger cudaAdds = new AtomicInteger();
        final AtomicInteger cudaCreations = new AtomicInteger();
        final AtomicInteger creations = new AtomicInteger();

        @Override
        public void addProvider(OrtSession.SessionOptions options, String provider, OnnxRuntimeSettings settings) {
            if (provider.equals("cuda")) {
                cudaAdds.incrementAndGet();
            }
        }

        @Override
        public OrtSession createSession(OrtEnvironment env, Path file, String provider,
                OrtSession.SessionOptions options) throws OrtException {
            creations.incrementAndGet();
            if (provider.equals("cuda")) {
                cudaCreations.incrementAndGet();
            }
            return env.createSession(file.toString(), options);
        }
    }

    @Test
    void aReleasedModelStaysLoadedForTheIdleTimeThenIsUnloaded() {
        AtomicLong now = new AtomicLong();
        OnnxRuntimeSettings s = OnnxRuntimeSettings.cpu().withCache(600, 0);
        try (OnnxSessions sessions = new OnnxSessions(s, new Counting(), now::get)) {
            sessions.open(unet(), "onnx-unet").close();
            try (OnnxModel again = sessions.open(unet(), "onnx-unet")) {
                assertThat(sessions.sessionsCreated()).as("the second open finds it loaded").isEqualTo(1);
                assertThat(sessions.stats().inUse()).isEqualTo(1);
            }
            now.addAndGet(599 * SECOND);
            sessions.sweep();
            assertThat(sessions.stats().loaded()).as("599 s idle of 600").isEqualTo(1);
            now.addAndGet(SECOND);
            sessions.sweep();
            assertThat(sessions.stats().loaded()).as("600 s idle").isZero();
            assertThat(sessions.stats().evicted()).isEqualTo(1);
            sessions.open(unet(), "onnx-unet").close();
            assertThat(sessions.sessionsCreated()).isEqualTo(2);
        }
    }

    @Test
    void idleTimeZeroUnloadsWithTheLastHolderAndHeldModelsAreNeverUnloaded() {
        AtomicLong now = new AtomicLong();
        try (OnnxSessions sessions = new OnnxSessions(OnnxRuntimeSettings.cpu().withCache(0, 0), new Counting(),
                now::get)) {
            OnnxModel a = sessions.open(unet(), "onnx-unet");
            OnnxModel b = sessions.open(unet(), "onnx-unet");
            now.addAndGet(10_000 * SECOND);
            sessions.sweep();
            a.close();
            assertThat(sessions.stats().loaded()).as("still held by b").isEqualTo(1);
            b.close();
            assertThat(sessions.stats().loaded()).isZero();
        }
    }

    @Test
    void beyondTheBudgetTheLeastRecentlyUsedIdleModelGoesFirst() {
        AtomicLong now = new AtomicLong();
        // 1 MiB: less than the two tiny models together (each folder is well over 100 kB).
        try (OnnxSessions sessions = new OnnxSessions(OnnxRuntimeSettings.cpu().withCache(600, 1), new Counting(),
                now::get)) {
            OnnxModel unet = sessions.open(unet(), "onnx-unet");
            OnnxModel te = sessions.open(textEncoder(), "clip");
            long both = sessions.stats().loadedBytes();
            assertThat(both).as("the models' folders").isGreaterThan(1L << 20);
            assertThat(sessions.stats().loaded()).as("held models stay, whatever the budget").isEqualTo(2);
            unet.close();
            assertThat(sessions.stats().loaded()).as("the idle one over budget goes").isEqualTo(1);
            assertThat(sessions.openProviders()).containsOnlyKeys(textEncoder().toAbsolutePath().normalize()
                    .toString());
            te.close();
        }
    }

    @Test
    void fourConcurrentOpensOfOneModelLoadItOnce() throws Exception {
        Counting counting = new Counting();
        try (OnnxSessions sessions = new OnnxSessions(OnnxRuntimeSettings.cpu(), counting, System::nanoTime)) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<OnnxModel>> opened = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                opened.add(pool.submit(() -> {
                    go.await();
                    return sessions.open(unet(), "onnx-unet");
                }));
            }
            go.countDown();
            for (Future<OnnxModel> f : opened) {
                assertThat(f.get(60, TimeUnit.SECONDS).inputs()).containsKey("sample");
            }
            pool.shutdown();
            assertThat(counting.creations.get()).isEqualTo(1);
            assertThat(sessions.sessionsCreated()).isEqualTo(1);
            assertThat(sessions.stats().hits()).isEqualTo(3);
            assertThat(sessions.stats().inUse()).isEqualTo(1);
            for (Future<OnnxModel> f : opened) {
                f.get().close();
            }
        }
    }

    /** A device that is there when probed but fails when a session is created on it (no device, out of memory). */
    static class FailingCuda extends Counting {
        @Override
        public OrtSession createSession(OrtEnvironment env, Path file, String provider,
                OrtSession.SessionOptions options) throws OrtException {
            OrtSession session = super.createSession(env, file, provider, options);
            if (provider.equals("cuda")) {
                session.close();
                throw new OrtException("CUDA failure 100: no CUDA-capable device is detected");
            }
            return session;
        }
    }

    @Test
    void aSessionThatCannotBeCreatedOnCudaFallsBackToCpuOrIsRefused() {
        OnnxRuntimeSettings cuda = OnnxRuntimeSettings.cpu().withProviders(List.of("cuda"), "cpu");
        try (OnnxSessions sessions = new OnnxSessions(cuda, new FailingCuda(), System::nanoTime);
                OnnxModel m = sessions.open(unet(), "onnx-unet")) {
            assertThat(m.executionProvider()).isEqualTo("cpu");
        }
        OnnxRuntimeSettings strict = OnnxRuntimeSettings.cpu().withProviders(List.of("cuda"), "fail");
        try (OnnxSessions sessions = new OnnxSessions(strict, new FailingCuda(), System::nanoTime)) {
            assertThatThrownBy(() -> sessions.open(unet(), "onnx-unet"))
                    .isInstanceOf(StageException.class)
                    .hasMessageContaining("Execution provider 'cuda' cannot create a session")
                    .hasMessageContaining("no CUDA-capable device")
                    .satisfies(e -> assertThat(((StageException) e).code()).isEqualTo(ErrorCode.RUNTIME_UNAVAILABLE));
            assertThat(sessions.stats().loaded()).isZero();
        }
    }

    @Test
    void providersAreProbedOncePerProviderAndOptions() {
        class Probing extends FailingCuda {
        }
        Probing p = new Probing();
        OnnxRuntimeSettings device0 = OnnxRuntimeSettings.cpu().withProviders(List.of("cuda"), "cpu");
        OnnxRuntimeSettings device1 = new OnnxRuntimeSettings(List.of("cuda"), "cpu", 1, 0, 0, 0, "all", false, 0,
                600, 0, "default");
        for (OnnxRuntimeSettings s : List.of(device0, device0, device1)) {
            try (OnnxSessions sessions = new OnnxSessions(s, p, System::nanoTime)) {
                sessions.open(unet(), "onnx-unet").close();
            }
        }
        // Every session creation on cuda adds the provider once; the rest are probes: one per options.
        assertThat(p.cudaCreations.get()).as("creations tried on cuda").isEqualTo(3);
        assertThat(p.cudaAdds.get() - p.cudaCreations.get()).as("probes (device 0, device 1)").isEqualTo(2);
    }

    @Test
    void theBindingGivesARunsNumbersWithoutCopyingUnchangedInputs() throws Exception {
        for (Path unet : List.of(unet(), References.require("tiny-sd/variants/fp16/unet/model.onnx"))) {
            try (OnnxSessions sessions = new OnnxSessions(OnnxRuntimeSettings.cpu());
                    OnnxModel m = sessions.open(unet, "onnx-unet"); OnnxModel.Binding b = m.binding()) {
                long d = m.inputs().get("encoder_hidden_states").shape()[2];
                Tensor hidden = random(new long[] {2, 77, d}, 1);
                for (int step = 0; step < 3; step++) {
                    Tensor sample = random(new long[] {2, 4, 8, 8}, 10 + step);
                    double t = 900 - 100 * step;
                    b.input("sample", sample);
                    b.number("timestep", new double[] {t}, timestepShape(m));
                    b.constant("encoder_hidden_states", hidden);
                    Tensor bound = b.run("out_sample", sample.shape());
                    Map<String, OnnxTensor> in = new LinkedHashMap<>();
                    in.put("sample", m.floatInput("sample", sample));
                    in.put("timestep", m.numberInput("timestep", new double[] {t}, timestepShape(m)));
                    in.put("encoder_hidden_states", m.floatInput("encoder_hidden_states", hidden));
                    Tensor plain = m.run(in, Set.of("out_sample")).get("out_sample");
                    assertThat(bound.shape()).containsExactly(2, 4, 8, 8);
                    assertThat(bound.data()).as("%s step %d", unet, step).isEqualTo(plain.data());
                }
            }
        }
    }

    private static long[] timestepShape(OnnxModel m) {
        return m.inputs().get("timestep").rank() == 0 ? new long[0] : new long[] {1};
    }

    private static Tensor random(long[] shape, long seed) {
        java.util.Random r = new java.util.Random(seed);
        float[] d = new float[Math.toIntExact(Tensor.count(shape))];
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) r.nextGaussian();
        }
        return new Tensor(shape, d);
    }
}
