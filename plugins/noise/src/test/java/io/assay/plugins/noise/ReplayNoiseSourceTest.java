package io.assay.plugins.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import io.assay.sdk.diffusion.NoiseStream;
import io.assay.sdk.tensor.Npy;
import io.assay.sdk.tensor.Tensor;
import io.assay.sdk.testkit.References;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code replay} against tiny-sd case 03 (Euler ancestral, which draws noise in every step). */
class ReplayNoiseSourceTest {

    private static final String CASE = "tiny-sd/cases/03_euler_ancestral_cat_g12_64x64";
    private static final long[] LATENT = {1, 4, 8, 8};

    private static Path caseDir() {
        return References.require(CASE + "/step_noise.npy").getParent();
    }

    private static ReplayNoiseSource replay(Path base, String initial, String steps) {
        return new ReplayNoiseSource(new ReplaySettings(Path.of(initial), steps == null ? null : Path.of(steps)),
                new TestContext("replay", base));
    }

    @Test
    void servesTheRecordingsRelativeToTheBaseDirectory() throws IOException {
        Path dir = caseDir();
        Tensor init = Npy.readTensor(dir.resolve("init_latents.npy"));
        Tensor steps = Npy.readTensor(dir.resolve("step_noise.npy"));
        assertThat(steps.shape()).containsExactly(15, 1, 4, 8, 8);

        ReplayNoiseSource source = replay(dir, "init_latents.npy", "step_noise.npy");
        assertThat(source.recordedSteps()).isEqualTo(15);
        NoiseStream stream = source.open(12345);
        assertThat(stream.draw(LATENT).data()).isEqualTo(init.data());
        // Served out of order, by iteration.
        for (int i : new int[] {3, 0, 14, 7}) {
            Tensor got = stream.drawForStep(i, LATENT);
            assertThat(got.shape()).containsExactly(LATENT);
            assertThat(got.data()).isEqualTo(steps.batchItem(i).data());
        }
        // Later sequential draws take the step entries in order, like one torch.Generator would.
        assertThat(stream.draw(LATENT).data()).isEqualTo(steps.batchItem(0).data());
        assertThat(stream.draw(LATENT).data()).isEqualTo(steps.batchItem(1).data());
    }

    @Test
    void drawsAreCopies() {
        NoiseStream stream = replay(caseDir(), "init_latents.npy", "step_noise.npy").open(0);
        Tensor a = stream.drawForStep(2, LATENT);
        float before = a.data()[0];
        a.data()[0] = 1e9f;
        assertThat(stream.drawForStep(2, LATENT).data()[0]).isEqualTo(before);
    }

    @Test
    void aShapeMismatchNamesFileAndBothShapes() {
        Path dir = caseDir();
        NoiseStream stream = replay(dir, "init_latents.npy", "step_noise.npy").open(0);
        assertThatThrownBy(() -> stream.draw(new long[] {2, 4, 8, 8}))
                .isInstanceOfSatisfying(StageException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INPUT))
                .hasMessage("Replay file '" + dir.resolve("init_latents.npy") + "' records shape [1, 4, 8, 8] but "
                        + "the first draw requested shape [2, 4, 8, 8]");
        assertThatThrownBy(() -> stream.drawForStep(1, new long[] {1, 4, 16, 8}))
                .isInstanceOfSatisfying(StageException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INPUT))
                .hasMessageContaining("'" + dir.resolve("step_noise.npy") + "'")
                .hasMessageContaining("[1, 4, 8, 8]").hasMessageContaining("[1, 4, 16, 8]");
    }

    @Test
    void runningOutOfRecordingsIsAnError() {
        Path dir = caseDir();
        NoiseStream stream = replay(dir, "init_latents.npy", "step_noise.npy").open(0);
        assertThatThrownBy(() -> stream.drawForStep(15, LATENT))
                .isInstanceOfSatisfying(StageException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INPUT))
                .hasMessageContaining("'" + dir.resolve("step_noise.npy") + "' has 15 entries")
                .hasMessageContaining("needs entry 15");
        NoiseStream initialOnly = replay(dir, "init_latents.npy", null).open(0);
        initialOnly.draw(LATENT);
        assertThatThrownBy(() -> initialOnly.draw(LATENT))
                .isInstanceOfSatisfying(StageException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INPUT))
                .hasMessageContaining("no 'steps' recording").hasMessageContaining("init_latents.npy");
    }

    @Test
    void aMissingFileIsReportedAtCreation(@TempDir Path tmp) {
        assertThatThrownBy(() -> replay(tmp, "nope.npy", null))
                .isInstanceOfSatisfying(StageException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_SETTING))
                .hasMessageContaining("'initial'").hasMessageContaining("'" + tmp.resolve("nope.npy") + "'");
        assertThatThrownBy(() -> new ReplaySettings(null, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'initial' is required");
    }

    @Test
    void torchCpuRegeneratesTheRecordedNoiseFromTheCaseSeeds() throws IOException {
        // case.json: latents_seed 13 made init_latents, a separate generator seeded 113 made every step's noise.
        Path dir = caseDir();
        Tensor init = Npy.readTensor(dir.resolve("init_latents.npy"));
        Tensor steps = Npy.readTensor(dir.resolve("step_noise.npy"));
        TorchCpuNoiseSource torch = new TorchCpuNoiseSource();
        assertClose(torch.open(13).draw(LATENT), init);
        NoiseStream stepStream = torch.open(113);
        for (int i = 0; i < 15; i++) {
            assertClose(stepStream.drawForStep(i, LATENT), steps.batchItem(i));
        }
    }

    /**
     * Reference case 06 (img2img, DDIM, strength 0.6): 20 inference steps of which the loop runs the last 12
     * (iterations 8 to 19) on [1, 4, 8, 8] latents. DDIM there draws no noise, so the recordings are generated: noise
     * drawn for the 12 executed iterations, or for all 20 of the schedule.
     */
    @Test
    void imageToImageRecordingsServeByScheduleOrByExecutedIteration(@TempDir Path tmp) throws IOException {
        String json = Files.readString(References.require(IMG2IMG_CASE + "/case.json"));
        int iterations = jsonInt(json, "num_inference_steps");
        int executed = jsonInt(json, "num_loop_iterations");
        assertThat(iterations).isEqualTo(20);
        assertThat(executed).isEqualTo(12);
        int first = iterations - executed;
        long[] latent = {1, 4, jsonInt(json, "height") / 8, jsonInt(json, "width") / 8};

        Npy.write(tmp.resolve("init.npy"), new TorchCpuNoiseSource().open(0).draw(latent));
        Tensor perExecuted = record(tmp.resolve("executed.npy"), executed, latent, 42);
        Tensor perSchedule = record(tmp.resolve("schedule.npy"), iterations, latent, 43);
        record(tmp.resolve("other.npy"), 15, latent, 44);

        ReplayNoiseSource.ReplayStream byExecution = stream(tmp, "executed.npy");
        byExecution.beginLoop(first, iterations);
        for (int i = first; i < iterations; i++) {
            assertThat(byExecution.drawForStep(i, latent).data()).as("iteration %d", i)
                    .isEqualTo(perExecuted.batchItem(i - first).data());
        }
        ReplayNoiseSource.ReplayStream bySchedule = stream(tmp, "schedule.npy");
        bySchedule.beginLoop(first, iterations);
        for (int i = first; i < iterations; i++) {
            assertThat(bySchedule.drawForStep(i, latent).data()).as("iteration %d", i)
                    .isEqualTo(perSchedule.batchItem(i).data());
        }
        // Without the loop (text-to-image from iteration 0), both mean the same: entry i serves iteration i.
        ReplayNoiseSource.ReplayStream fromZero = stream(tmp, "executed.npy");
        fromZero.beginLoop(0, executed);
        assertThat(fromZero.drawForStep(3, latent).data()).isEqualTo(perExecuted.batchItem(3).data());

        ReplayNoiseSource.ReplayStream other = stream(tmp, "other.npy");
        assertThatThrownBy(() -> other.beginLoop(first, iterations))
                .isInstanceOfSatisfying(StageException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INPUT))
                .hasMessage("Replay 'steps' file '" + tmp.resolve("other.npy") + "' has 15 entries; this run accepts 20"
                        + " (one per iteration of its schedule) or 12 (one per executed iteration, 8 to 19)");
        assertThatThrownBy(() -> byExecution.drawForStep(iterations, latent))
                .isInstanceOf(StageException.class).hasMessageContaining("has 12 entries");
    }

    @Test
    void theLoopIsTracedAndItsBoundsChecked(@TempDir Path tmp) throws IOException {
        long[] latent = {1, 4, 8, 8};
        Npy.write(tmp.resolve("init.npy"), new TorchCpuNoiseSource().open(0).draw(latent));
        record(tmp.resolve("executed.npy"), 12, latent, 1);
        TestContext context = new TestContext("replay", tmp);
        ReplayNoiseSource source = new ReplayNoiseSource(
                new ReplaySettings(Path.of("init.npy"), Path.of("executed.npy")), context);
        ReplayNoiseSource.ReplayStream s = (ReplayNoiseSource.ReplayStream) source.open(0);
        s.beginLoop(8, 20);
        assertThat(context.events).extracting(TestContext.Event::name).contains("replay-loop");
        Map<String, ?> loop = context.events.get(context.events.size() - 1).fields();
        assertThat(loop.get("entry-0-serves-iteration")).isEqualTo(8);
        assertThat(loop.get("recorded-steps")).isEqualTo(12);
        assertThatThrownBy(() -> s.beginLoop(20, 20)).isInstanceOf(IllegalArgumentException.class);
    }

    private static final String IMG2IMG_CASE = "tiny-sd/cases/06_img2img_ddim_s0.6_g7.5_64x64";

    private static int jsonInt(String json, String key) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + key + "\":\\s*(\\d+)").matcher(json);
        assertThat(m.find()).as("%s in case.json", key).isTrue();
        return Integer.parseInt(m.group(1));
    }

    /** {@code n} draws of {@code shape} from torch-cpu noise seeded {@code seed}, stacked as [n, ...] and written. */
    private static Tensor record(Path file, int n, long[] shape, long seed) throws IOException {
        NoiseStream rng = new TorchCpuNoiseSource().open(seed);
        int per = Math.toIntExact(Tensor.count(shape));
        float[] data = new float[n * per];
        for (int k = 0; k < n; k++) {
            System.arraycopy(rng.draw(shape).data(), 0, data, k * per, per);
        }
        long[] stacked = new long[shape.length + 1];
        stacked[0] = n;
        System.arraycopy(shape, 0, stacked, 1, shape.length);
        Tensor t = new Tensor(stacked, data);
        Npy.write(file, t);
        return t;
    }

    private static ReplayNoiseSource.ReplayStream stream(Path dir, String steps) {
        return (ReplayNoiseSource.ReplayStream) replay(dir, "init.npy", steps).open(0);
    }

    private static void assertClose(Tensor actual, Tensor expected) {
        // Bit-identical (torch-cpu reproduces torch's AVX2 kernel exactly).
        assertThat(actual.size()).isEqualTo(expected.size());
        assertThat(actual.data()).isEqualTo(expected.data());
    }
}
