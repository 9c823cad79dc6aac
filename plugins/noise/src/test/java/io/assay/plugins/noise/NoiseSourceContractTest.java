package io.assay.plugins.noise;

import io.assay.sdk.diffusion.NoiseSource;
import io.assay.sdk.tensor.Npy;
import io.assay.sdk.tensor.Tensor;
import io.assay.sdk.testkit.TestSettings;
import io.assay.sdk.testkit.TestStageContext;
import io.assay.sdk.testkit.Tensors;
import io.assay.sdk.testkit.contract.NoiseSourceContract;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.io.TempDir;

/** The SDK test kit's {@link NoiseSourceContract} for the three noise sources. */
class NoiseSourceContractTest {

    @Nested
    class TorchCpu implements NoiseSourceContract {
        @Override
        public NoiseSource create() {
            return new TorchCpuNoiseSource();
        }
    }

    @Nested
    class Fast implements NoiseSourceContract {
        @Override
        public NoiseSource create() {
            return new FastNoiseSource();
        }
    }

    /**
     * {@code replay} serves a recording (standard-normal data written for the test): it ignores the seed, as it
     * declares, and serves only the recorded shape.
     */
    @Nested
    class Replay implements NoiseSourceContract {
        private static final long[] SHAPE = {1, 4, 64, 64};

        @TempDir
        Path dir;

        @Override
        public NoiseSource create() {
            Path initial = dir.resolve("init_latents.npy");
            Path steps = dir.resolve("step_noise.npy");
            try {
                if (!Files.exists(initial)) {
                    Npy.write(initial, Tensors.normal(1, SHAPE));
                    Tensor[] entries = new Tensor[4];
                    for (int i = 0; i < entries.length; i++) {
                        entries[i] = Tensors.normal(10 + i, SHAPE);
                    }
                    Npy.write(steps, Tensor.concatBatch(List.of(entries)).reshape(4, 1, 4, 64, 64));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new ReplayNoiseSource(TestSettings.bind(ReplaySettings.class, "initial = \"" + initial
                    + "\", steps = \"" + steps + "\""), new TestStageContext("noise", "replay"));
        }

        @Override
        public boolean seedDetermined() {
            return false;
        }

        @Override
        public long[] shape() {
            return SHAPE;
        }

        @Override
        public List<long[]> shapes() {
            return List.of(SHAPE);
        }

        @Override
        public long[] largeShape() {
            return SHAPE;
        }
    }
}
