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
import java.nio.file.Path;
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

    private static void assertClose(Tensor actual, Tensor expected) {
        // Bit-identical (torch-cpu reproduces torch's AVX2 kernel exactly).
        assertThat(actual.size()).isEqualTo(expected.size());
        assertThat(actual.data()).isEqualTo(expected.data());
    }
}
