package io.assay.plugins.noise;

import io.assay.sdk.Component;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import io.assay.sdk.diffusion.NoiseSource;
import io.assay.sdk.diffusion.NoiseStream;
import io.assay.sdk.tensor.Tensor;
import jakarta.inject.Inject;
import org.pf4j.Extension;

/**
 * Noise identical to PyTorch on CPU: {@code open(seed)} then {@code draw(shape)} returns what
 * {@code torch.manual_seed(seed); torch.randn(shape)} returns (float32), and later draws continue the same
 * generator, as a {@code torch.Generator} passed through a diffusers pipeline does. So a seed here gives the
 * same initial latents (and Euler-ancestral step noise) as diffusers on CPU. See {@link TorchCpuGenerator} for
 * what exactly is reproduced.
 *
 * <p>Seeds are taken modulo 2<sup>32</sup>, as PyTorch's Mersenne Twister does: seed {@code 2^32 + 5} gives the
 * same noise as seed {@code 5}. Noise diffusers makes on a CUDA generator is different and is not reproduced.
 */
@Extension
@Component(name = "torch-cpu", description = "torch.manual_seed(seed); torch.randn(shape) on CPU, bit-compatible")
public final class TorchCpuNoiseSource implements NoiseSource {

    private volatile boolean closed;

    /** Creates the source; it has no settings. */
    @Inject
    public TorchCpuNoiseSource() {
    }

    @Override
    public NoiseStream open(long seed) {
        if (closed) {
            throw new StageException(ErrorCode.CLOSED, "Noise source 'torch-cpu' was used after close()");
        }
        TorchCpuGenerator generator = new TorchCpuGenerator(seed);
        return shape -> {
            float[] data = new float[Shapes.count("torch-cpu", shape)];
            generator.randn(data);
            return new Tensor(shape, data);
        };
    }

    @Override
    public void close() {
        closed = true;
    }
}
