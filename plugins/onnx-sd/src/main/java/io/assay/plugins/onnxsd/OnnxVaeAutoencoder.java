package io.assay.plugins.onnxsd;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import com.fasterxml.jackson.databind.JsonNode;
import io.assay.sdk.Component;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageContext;
import io.assay.sdk.StageException;
import io.assay.sdk.diffusion.Autoencoder;
import io.assay.sdk.diffusion.LatentSampling;
import io.assay.sdk.diffusion.NoiseStream;
import io.assay.sdk.onnx.OnnxModel;
import io.assay.sdk.onnx.OnnxSessions;
import io.assay.sdk.onnx.TensorSpec;
import io.assay.sdk.tensor.Tensor;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.pf4j.Extension;

/**
 * The VAE of a SD model directory: {@code vae_decoder/model.onnx} ({@code latent_sample} → {@code sample}) and, when
 * present, {@code vae_encoder/model.onnx} whose output is either {@code latent_sample} {@code [b, 4, h, w]} (the
 * distribution's mean, as the older exporters and the reference write it) or {@code latent_parameters}
 * {@code [b, 8, h, w]} (mean ‖ log-variance, optimum ≥ 1.23). Latents in and out are scaled by the scaling factor.
 * The encoder is opened on first use, so text-to-image never loads it.
 */
@Extension
@Component(name = "onnx-vae", description = "SD VAE (AutoencoderKL) on ONNX Runtime", settings = VaeSettings.class)
public final class OnnxVaeAutoencoder implements Autoencoder {

    static final String NAME = "onnx-vae";

    private final OnnxSessions sessions;
    private final Path encoderFile;
    private final OnnxModel decoder;
    private OnnxModel encoder;
    private String encoderOutput;
    private final float scaling;
    private final int factor;
    private final int channels;
    private final VaeSettings settings;
    private volatile boolean closed;

    /** Opens and validates the decoder (the encoder waits for the first image to encode). */
    @Inject
    public OnnxVaeAutoencoder(VaeSettings settings, StageContext ctx, OnnxSessions sessions) {
        this.settings = settings;
        this.sessions = sessions;
        Path dir = settings.modelDir();
        Path decFile = ModelDir.require(dir, "vae_decoder/model.onnx", NAME);
        ModelDir.checkIndex(dir, NAME);
        JsonNode cfg = ModelDir.json(dir.resolve("vae_decoder/config.json"), NAME);
        if (cfg == null) {
            cfg = ModelDir.json(dir.resolve("vae_encoder/config.json"), NAME);
        }
        this.scaling = (float) (settings.scalingFactor() != null ? settings.scalingFactor()
                : cfg != null && cfg.path("scaling_factor").isNumber() ? cfg.get("scaling_factor").asDouble()
                : 0.18215);
        this.factor = cfg != null && cfg.path("block_out_channels").isArray()
                ? 1 << (cfg.get("block_out_channels").size() - 1) : 8;
        Set<OnnxJavaType> floats = Set.of(OnnxJavaType.FLOAT, OnnxJavaType.FLOAT16);
        this.decoder = sessions.open(decFile, NAME);
        try {
            TensorSpec in = decoder.requireInput("latent_sample", floats, Set.of(4));
            decoder.requireOutput("sample", floats, Set.of(4));
            this.channels = cfg != null && cfg.path("latent_channels").isInt() ? cfg.get("latent_channels").asInt()
                    : in.shape()[1] > 0 ? (int) in.shape()[1] : 4;
        } catch (RuntimeException e) {
            decoder.close();
            throw e;
        }
        Path encFile = dir.resolve("vae_encoder/model.onnx");
        this.encoderFile = Files.exists(encFile) ? encFile : null;
    }

    /** The encoder, opened and validated on first use. */
    private synchronized OnnxModel encoder() {
        if (encoder == null) {
            Set<OnnxJavaType> floats = Set.of(OnnxJavaType.FLOAT, OnnxJavaType.FLOAT16);
            OnnxModel enc = sessions.open(encoderFile, NAME);
            try {
                enc.requireInput("sample", floats, Set.of(4));
                if (enc.outputs().containsKey("latent_sample")) {
                    enc.requireOutput("latent_sample", floats, Set.of(4));
                    encoderOutput = "latent_sample";
                } else if (enc.outputs().containsKey("latent_parameters")) {
                    enc.requireOutput("latent_parameters", floats, Set.of(4));
                    encoderOutput = "latent_parameters";
                } else {
                    throw enc.invalid("has neither output 'latent_sample' nor 'latent_parameters'; its outputs are "
                            + OnnxModel.describe(enc.outputs()));
                }
            } catch (RuntimeException e) {
                enc.close();
                throw e;
            }
            encoder = enc;
        }
        return encoder;
    }

    @Override
    public int downsamplingFactor() {
        return factor;
    }

    @Override
    public int latentChannels() {
        return channels;
    }

    @Override
    public double scalingFactor() {
        return scaling;
    }

    @Override
    public Tensor encode(Tensor image, LatentSampling sampling, NoiseStream noise) {
        checkOpen();
        if (encoderFile == null) {
            throw StageException.unsupported(NAME, "encoding images: the model directory has no vae_encoder/");
        }
        OnnxModel encoder = encoder();
        if (image.rank() != 4 || image.dim(1) != 3 || image.dim(2) % factor != 0 || image.dim(3) % factor != 0) {
            throw new StageException(ErrorCode.INVALID_INPUT, "Component 'onnx-vae': image must be [B, 3, H, W] with"
                    + " H and W multiples of " + factor + " but is " + image.shapeString());
        }
        Map<String, OnnxTensor> in = new LinkedHashMap<>();
        try {
            in.put("sample", encoder.floatInput("sample", image));
        } catch (OrtException e) {
            throw new StageException(ErrorCode.INTERNAL, "Component 'onnx-vae': cannot build input: " + e, e);
        }
        Tensor out = encoder.run(in, Set.of(encoderOutput)).get(encoderOutput);
        int b = out.intDim(0);
        int h = out.intDim(2);
        int w = out.intDim(3);
        int plane = h * w;
        float[] o = out.data();
        int c = encoderOutput.equals("latent_parameters") ? out.intDim(1) / 2 : out.intDim(1);
        float[] latents = new float[b * c * plane];
        Tensor eps = null;
        if (sampling == LatentSampling.SAMPLE) {
            if (encoderOutput.equals("latent_sample")) {
                throw StageException.unsupported(NAME, "sampling latents: this encoder exports only the mean "
                        + "('latent_sample'); use init-sampling = mean");
            }
            eps = noise.draw(new long[] {b, c, h, w});
        }
        int inPer = out.intDim(1) * plane;
        for (int i = 0; i < b; i++) {
            for (int k = 0; k < c * plane; k++) {
                float mean = o[i * inPer + k];
                float v = mean;
                if (eps != null) {
                    float logvar = Math.max(-30f, Math.min(20f, o[i * inPer + c * plane + k]));
                    v = mean + (float) Math.exp(0.5 * logvar) * eps.data()[i * c * plane + k];
                }
                latents[i * c * plane + k] = v * scaling;
            }
        }
        return new Tensor(new long[] {b, c, h, w}, latents);
    }

    @Override
    public Tensor decode(Tensor latents) {
        checkOpen();
        if (latents.rank() != 4 || latents.dim(1) != channels) {
            throw new StageException(ErrorCode.INVALID_INPUT, "Component 'onnx-vae': latents must be [B, " + channels
                    + ", h, w] but are " + latents.shapeString());
        }
        if (settings.tiledDecode() && (latents.dim(2) > settings.tileSize() || latents.dim(3) > settings.tileSize())) {
            return decodeTiled(latents);
        }
        return decodeWhole(latents);
    }

    /**
     * Decodes overlapping tiles of {@code tile-size} latent pixels and blends them: each tile's weight ramps linearly
     * from 0 to 1 across the overlap on every side that has a neighbour, so seams are averaged away.
     */
    private Tensor decodeTiled(Tensor latents) {
        int b = latents.intDim(0);
        int c = latents.intDim(1);
        int h = latents.intDim(2);
        int w = latents.intDim(3);
        int tile = settings.tileSize();
        int stride = tile - settings.tileOverlap();
        int oh = h * factor;
        int ow = w * factor;
        float[] acc = new float[b * 3 * oh * ow];
        float[] weight = new float[oh * ow];
        float[] d = latents.data();
        for (int y0 = 0; ; y0 += stride) {
            int ty0 = Math.min(y0, Math.max(0, h - tile));
            int th = Math.min(tile, h);
            for (int x0 = 0; ; x0 += stride) {
                int tx0 = Math.min(x0, Math.max(0, w - tile));
                int tw = Math.min(tile, w);
                float[] part = new float[b * c * th * tw];
                for (int i = 0; i < b * c; i++) {
                    for (int y = 0; y < th; y++) {
                        System.arraycopy(d, (i * h + ty0 + y) * w + tx0, part, (i * th + y) * tw, tw);
                    }
                }
                Tensor img = decodeWhole(new Tensor(new long[] {b, c, th, tw}, part));
                float[] id = img.data();
                int ph = th * factor;
                int pw = tw * factor;
                int ramp = settings.tileOverlap() * factor;
                for (int y = 0; y < ph; y++) {
                    float wy = edgeWeight(y, ph, ramp, ty0 > 0, ty0 + th < h);
                    for (int x = 0; x < pw; x++) {
                        float wt = wy * edgeWeight(x, pw, ramp, tx0 > 0, tx0 + tw < w);
                        int oy = ty0 * factor + y;
                        int ox = tx0 * factor + x;
                        weight[oy * ow + ox] += wt;
                        for (int i = 0; i < b * 3; i++) {
                            acc[(i * oh + oy) * ow + ox] += wt * id[(i * ph + y) * pw + x];
                        }
                    }
                }
                if (tx0 + tw >= w) {
                    break;
                }
            }
            if (ty0 + th >= h) {
                break;
            }
        }
        for (int i = 0; i < b * 3; i++) {
            for (int p = 0; p < oh * ow; p++) {
                acc[i * oh * ow + p] /= weight[p];
            }
        }
        return new Tensor(new long[] {b, 3, oh, ow}, acc);
    }

    /** 1 inside; ramps over {@code ramp} pixels at an edge that has a neighbouring tile (never exactly 0). */
    private static float edgeWeight(int pos, int len, int ramp, boolean before, boolean after) {
        float wgt = 1f;
        if (ramp > 0 && before) {
            wgt = Math.min(wgt, (pos + 1f) / (ramp + 1f));
        }
        if (ramp > 0 && after) {
            wgt = Math.min(wgt, (len - pos) / (ramp + 1f));
        }
        return wgt;
    }

    private Tensor decodeWhole(Tensor latents) {
        float[] d = latents.data();
        float[] un = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            un[i] = d[i] / scaling;
        }
        Map<String, OnnxTensor> in = new LinkedHashMap<>();
        try {
            in.put("latent_sample", decoder.floatInput("latent_sample", new Tensor(latents.shape(), un)));
        } catch (OrtException e) {
            throw new StageException(ErrorCode.INTERNAL, "Component 'onnx-vae': cannot build input: " + e, e);
        }
        return decoder.run(in, Set.of("sample")).get("sample");
    }

    private void checkOpen() {
        if (closed) {
            throw new StageException(ErrorCode.CLOSED, "Component 'onnx-vae' was closed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            decoder.close();
            synchronized (this) {
                if (encoder != null) {
                    encoder.close();
                }
            }
        }
    }
}
