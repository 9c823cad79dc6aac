package io.assay.plugins.onnxsd;

import io.assay.sdk.diffusion.Autoencoder;
import io.assay.sdk.diffusion.Denoiser;
import io.assay.sdk.diffusion.TextEncoder;
import io.assay.sdk.onnx.OnnxRuntimeSettings;
import io.assay.sdk.onnx.OnnxSessions;
import io.assay.sdk.tensor.Tensor;
import io.assay.sdk.testkit.ModelDirectories;
import io.assay.sdk.testkit.TestSettings;
import io.assay.sdk.testkit.TestStageContext;
import io.assay.sdk.testkit.Tensors;
import io.assay.sdk.testkit.contract.AutoencoderContract;
import io.assay.sdk.testkit.contract.DenoiserContract;
import io.assay.sdk.testkit.contract.TextEncoderContract;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SDK test kit's stage contracts for {@code clip}, {@code onnx-unet} and {@code onnx-vae} on the tiny SD model of
 * {@code ../shared/reference/tiny-sd} (random weights, SD 1.5's shapes: hidden size 32, 4 latent channels, factor 8):
 * the base export, the {@code vae-latent-parameters} variant (whose encoder can sample) and a copy without
 * {@code vae_encoder/} (which must refuse to encode with UNSUPPORTED).
 */
class StageContractsTest {

    @TempDir
    static Path tmp;

    static OnnxSessions sessions;
    static Path base;
    static Path latentParameters;
    static Path withoutEncoder;

    @BeforeAll
    static void models() throws IOException {
        sessions = new OnnxSessions(OnnxRuntimeSettings.cpu());
        base = ModelDirectories.tinySd("base", tmp.resolve("base"));
        latentParameters = ModelDirectories.tinySd("vae-latent-parameters", tmp.resolve("latent-parameters"));
        withoutEncoder = ModelDirectories.tinySd("base", tmp.resolve("no-encoder"));
        ModelDirectories.deleteTree(withoutEncoder.resolve("vae_encoder"));
    }

    @AfterAll
    static void close() {
        if (sessions != null) {
            sessions.close();
        }
    }

    static String dir(Path p) {
        return "model-dir = \"" + p + "\"";
    }

    @Nested
    class Clip implements TextEncoderContract {
        @Override
        public TextEncoder create() {
            return new ClipTextEncoder(TestSettings.bind(ClipSettings.class, dir(base)),
                    new TestStageContext("text-encoder", "clip"), sessions);
        }
    }

    /** {@code long-prompt = chunk}: the long prompt takes two windows and drops nothing. */
    @Nested
    class ClipChunked implements TextEncoderContract {
        @Override
        public TextEncoder create() {
            return new ClipTextEncoder(TestSettings.bind(ClipSettings.class, dir(base) + ", long-prompt = chunk"),
                    new TestStageContext("text-encoder", "clip"), sessions);
        }
    }

    @Nested
    class Unet implements DenoiserContract {
        @Override
        public Denoiser create() {
            return new OnnxUnetDenoiser(TestSettings.bind(UnetSettings.class, dir(base)),
                    new TestStageContext("denoiser", "onnx-unet"), sessions);
        }

        @Override
        public long[] latentShape() {
            return new long[] {1, 4, 8, 8};
        }

        @Override
        public Tensor conditioning() {
            return Tensors.normal(17, 1, 77, 32);
        }
    }

    /** The base export's encoder gives the distribution's mean only, so SAMPLE is refused. */
    @Nested
    class Vae implements AutoencoderContract {
        @Override
        public Autoencoder create() {
            return new OnnxVaeAutoencoder(TestSettings.bind(VaeSettings.class, dir(base)),
                    new TestStageContext("autoencoder", "onnx-vae"), sessions);
        }

        @Override
        public boolean supportsSampling() {
            return false;
        }
    }

    @Nested
    class VaeWithLatentParameters implements AutoencoderContract {
        @Override
        public Autoencoder create() {
            return new OnnxVaeAutoencoder(TestSettings.bind(VaeSettings.class, dir(latentParameters)),
                    new TestStageContext("autoencoder", "onnx-vae"), sessions);
        }
    }

    @Nested
    class VaeWithoutEncoder implements AutoencoderContract {
        @Override
        public Autoencoder create() {
            return new OnnxVaeAutoencoder(TestSettings.bind(VaeSettings.class, dir(withoutEncoder)),
                    new TestStageContext("autoencoder", "onnx-vae"), sessions);
        }

        @Override
        public boolean supportsEncode() {
            return false;
        }
    }

    /** Tiled decoding of the 8×8 test latents in 6×6 tiles overlapping by 2: four tiles, blended. */
    @Nested
    class VaeTiled implements AutoencoderContract {
        @Override
        public Autoencoder create() {
            return new OnnxVaeAutoencoder(TestSettings.bind(VaeSettings.class, dir(base)
                    + ", tiled-decode = true, tile-size = 6, tile-overlap = 2"),
                    new TestStageContext("autoencoder", "onnx-vae"), sessions);
        }

        @Override
        public boolean supportsSampling() {
            return false;
        }
    }
}
