package io.assay.plugins.onnxsd;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtException;
import com.fasterxml.jackson.databind.JsonNode;
import io.assay.sdk.Component;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageContext;
import io.assay.sdk.StageException;
import io.assay.sdk.diffusion.Denoiser;
import io.assay.sdk.diffusion.PredictionType;
import io.assay.sdk.onnx.OnnxModel;
import io.assay.sdk.onnx.OnnxSessions;
import io.assay.sdk.onnx.TensorSpec;
import io.assay.sdk.tensor.Tensor;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.Set;
import org.pf4j.Extension;

/**
 * The U-Net of a SD model directory ({@code unet/model.onnx}: {@code sample} {@code [B, C, h, w]}, {@code timestep},
 * {@code encoder_hidden_states} {@code [B, L, D]} → {@code out_sample}). The timestep is fed as the model declares it:
 * int64 {@code [1]} (optimum ≤ 1.23), float32 rank 0 (optimum ≥ 1.24) or float32 {@code [B]} (diffusers' script) —
 * always truncated toward zero, as optimum's pipeline does, so fractional scheduler timesteps give the same numbers
 * on every export. float16 exports are converted at the boundary.
 */
@Extension
@Component(name = "onnx-unet", description = "SD U-Net on ONNX Runtime (epsilon or v-prediction)",
        settings = UnetSettings.class)
public final class OnnxUnetDenoiser implements Denoiser {

    static final String NAME = "onnx-unet";

    private final OnnxModel model;
    private final OnnxModel.Binding binding;
    private final String output;
    private final TensorSpec timestep;
    private final PredictionType prediction;
    private final int channels;
    private final int crossAttention;
    private final int maxBatch;
    private volatile boolean closed;

    /** Opens and validates the model. */
    @Inject
    public OnnxUnetDenoiser(UnetSettings settings, StageContext ctx, OnnxSessions sessions) {
        this.maxBatch = settings.maxBatch();
        Path dir = settings.modelDir();
        Path file = ModelDir.require(dir, "unet/model.onnx", NAME);
        ModelDir.checkIndex(dir, NAME);
        JsonNode config = ModelDir.json(dir.resolve("unet/config.json"), NAME);
        JsonNode sched = ModelDir.json(dir.resolve("scheduler/scheduler_config.json"), NAME);
        String pt = settings.predictionType() != null ? settings.predictionType()
                : sched != null && sched.path("prediction_type").isTextual() ? sched.get("prediction_type").asText()
                : "epsilon";
        this.prediction = switch (pt) {
            case "v_prediction" -> PredictionType.V_PREDICTION;
            case "sample" -> PredictionType.SAMPLE;
            case "epsilon" -> PredictionType.EPSILON;
            default -> throw new StageException(ErrorCode.MODEL_INVALID, "Component 'onnx-unet': unknown "
                    + "prediction_type '" + pt + "'");
        };
        this.model = sessions.open(file, NAME);
        this.file = file;
        try {
            Set<OnnxJavaType> floats = Set.of(OnnxJavaType.FLOAT, OnnxJavaType.FLOAT16);
            TensorSpec sample = model.requireInput("sample", floats, Set.of(4));
            this.fixedHeight = sample.shape()[2];
            this.fixedWidth = sample.shape()[3];
            this.timestep = model.requireInput("timestep", Set.of(OnnxJavaType.INT64, OnnxJavaType.INT32,
                    OnnxJavaType.FLOAT, OnnxJavaType.FLOAT16, OnnxJavaType.DOUBLE), Set.of(0, 1));
            TensorSpec hidden = model.requireInput("encoder_hidden_states", floats, Set.of(3));
            model.requireOutput(model.outputs().containsKey("out_sample") ? "out_sample"
                    : model.outputs().keySet().iterator().next(), floats, Set.of(4));
            // Channels from config.json: exporters may declare the channel dim symbolically.
            if (config != null && config.path("in_channels").isInt()) {
                this.channels = config.get("in_channels").asInt();
            } else if (sample.shape()[1] > 0) {
                this.channels = (int) sample.shape()[1];
            } else {
                throw model.invalid("declares no latent channel count (unet/config.json in_channels is missing "
                        + "and input 'sample' is " + sample.describe() + ")");
            }
            // A model may bound the latent positions per call (the embedded world's window posterior keeps a score
            // per training window and position, so its memory grows with them); refused before ONNX Runtime runs.
            this.maxPositions = config != null && config.path("max_latent_positions").canConvertToLong()
                    ? config.get("max_latent_positions").asLong() : Long.MAX_VALUE;
            if (config != null && config.path("cross_attention_dim").isInt()) {
                this.crossAttention = config.get("cross_attention_dim").asInt();
            } else {
                this.crossAttention = (int) hidden.shape()[2];
            }
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
        this.output = model.outputs().containsKey("out_sample") ? "out_sample"
                : model.outputs().keySet().iterator().next();
        this.binding = model.binding();
    }

    private final Path file;
    private long fixedHeight;
    private long maxPositions;
    private long fixedWidth;

    @Override
    public Tensor predict(Tensor sample, double t, Tensor encoderHiddenStates) {
        if (closed) {
            throw new StageException(ErrorCode.CLOSED, "Component 'onnx-unet' was closed");
        }
        if (sample.rank() != 4 || sample.dim(1) != channels) {
            throw new StageException(ErrorCode.INVALID_INPUT, "Component 'onnx-unet': sample must be [B, "
                    + channels + ", h, w] but is " + sample.shapeString());
        }
        if ((fixedHeight > 0 && sample.dim(2) != fixedHeight) || (fixedWidth > 0 && sample.dim(3) != fixedWidth)) {
            // A fixed-shape export (or the embedded world's memorizing U-Net) would fail inside ONNX Runtime with a
            // shape error naming internal nodes: say which size it takes instead.
            throw new StageException(ErrorCode.INVALID_INPUT, "Component 'onnx-unet': " + file + " takes "
                    + fixedWidth + "×" + fixedHeight + " latents only (input 'sample' has fixed height and width), "
                    + "but this run's latents are " + sample.dim(3) + "×" + sample.dim(2)
                    + "; set run.width/run.height to the size it was exported for");
        }
        if (maxBatch > 0 && sample.dim(0) > maxBatch) {
            throw new StageException(ErrorCode.INVALID_INPUT, "Component 'onnx-unet': this call has "
                    + sample.dim(0) + " batch rows, but max-batch is " + maxBatch + " (a host with SDK 1.1 or later "
                    + "splits the rows; this one did not)");
        }
        long positions = sample.dim(0) * sample.dim(2) * sample.dim(3);
        if (positions > maxPositions) {
            long rows = maxPositions / (sample.dim(2) * sample.dim(3));
            throw new StageException(ErrorCode.INVALID_INPUT, "Component 'onnx-unet': " + file + " takes at most "
                    + maxPositions + " latent positions per call (unet/config.json max_latent_positions; e.g. one "
                    + "512×512 image with guidance), but this call has " + sample.dim(0) + " × " + sample.dim(2)
                    + " × " + sample.dim(3) + " = " + positions + "; lower run.batch or run.width/run.height"
                    + (rows >= 1 ? ", or set denoiser.max-batch = " + rows + " (the engine then splits each step "
                    + "into calls of " + rows + " row" + (rows == 1 ? "" : "s") + ")" : ""));
        }
        if (encoderHiddenStates.dim(0) != sample.dim(0)) {
            throw new StageException(ErrorCode.INVALID_INPUT, "Component 'onnx-unet': " + sample.dim(0)
                    + " samples but " + encoderHiddenStates.dim(0) + " rows of hidden states");
        }
        double truncated = (double) (long) t;
        // One native buffer per input for the whole run: the latents are copied in each step, the hidden states
        // once per run (the engine hands the same tensor every step), the prediction written in place by ORT.
        synchronized (binding) {
            try {
                binding.input("sample", sample);
                long[] tShape = timestep.rank() == 0 ? new long[0] : new long[] {1};
                binding.number("timestep", new double[] {truncated}, tShape);
                binding.constant("encoder_hidden_states", encoderHiddenStates);
            } catch (OrtException e) {
                throw new StageException(ErrorCode.INTERNAL, "Component 'onnx-unet': cannot build inputs: " + e, e);
            }
            return binding.run(output, sample.shape());
        }
    }

    /** The {@code max-batch} setting: the most rows per {@link #predict} call, 0 for no limit. */
    @Override
    public int maxBatch() {
        return maxBatch;
    }

    @Override
    public PredictionType predictionType() {
        return prediction;
    }

    @Override
    public int latentChannels() {
        return channels;
    }

    @Override
    public int crossAttentionDim() {
        return crossAttention;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            synchronized (binding) {
                binding.close();
            }
            model.close();
        }
    }
}
