package io.assay.lib.forge;

import io.assay.lib.onnxgraph.OnnxGraph;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * diffusers' {@code UNet2DConditionModel} in Stable Diffusion's configuration: sinusoidal timestep embedding
 * ({@code flip_sin_to_cos}, {@code freq_shift} 0) and a 2-layer MLP; {@code conv_in}; down blocks of ResNet blocks
 * with Transformer2D blocks (self-attention, cross-attention to {@code encoder_hidden_states}, GEGLU feed-forward) and
 * stride-2 conv downsamplers; a mid block (ResNet, Transformer, ResNet); up blocks concatenating the skips, with
 * nearest ×2 upsampling and a conv; GroupNorm, SiLU, {@code conv_out}. Channel bookkeeping follows diffusers'
 * constructor (each up-block ResNet's input = previous output + the popped skip).
 *
 * <p>I/O as optimum exports it: {@code sample} [batch_size, 4, height, width], {@code timestep} int64 [steps] (one
 * value broadcast to the batch, or one per row), {@code encoder_hidden_states} [batch_size, sequence_length, cross]
 * → {@code out_sample} [batch_size, 4, height, width].
 */
final class UnetModel {

    private static final float RESNET_EPS = 1e-5f;
    private static final float TRANSFORMER_NORM_EPS = 1e-6f;
    private static final float LAYER_NORM_EPS = 1e-5f;

    private UnetModel() {
    }

    static Component build(UnetSpec s, Dtype dtype, long seed) {
        return build(s, dtype, seed, 1);
    }

    /**
     * The U-Net with every self-attention's scores computed in {@code attentionSlices} head groups (see
     * {@link Layers#attention(String, String, int, int, int, boolean, String, Layers.AttentionNames, int)}); 1 is
     * the unsliced graph. Weights and parameters do not depend on it.
     *
     * @throws IllegalArgumentException if {@code attentionSlices} is below 1 or above the largest head count
     */
    static Component build(UnetSpec s, Dtype dtype, long seed, int attentionSlices) {
        checkSlices(s, attentionSlices);
        OnnxGraph g = Component.graph("unet");
        Layers l = new Layers(g, dtype, seed);
        int[] bo = s.blockOut();
        int[] heads = s.heads();
        int n = bo.length;
        String x = l.floatInput("sample", new long[] {-1, UnetSpec.CHANNELS, -1, -1}, "batch_size", "height", "width");
        g.input("timestep", OnnxGraph.INT64, new long[] {-1}, "steps");
        String ctx = l.floatInput("encoder_hidden_states", new long[] {-1, -1, s.crossAttention()}, "batch_size",
                "sequence_length");
        Block b = new Block(l, s, attentionSlices);

        String timeAct = l.silu(timeEmbedding(l, x, bo[0], s.timeDim()));
        String h = l.conv(x, UnetSpec.CHANNELS, bo[0], 3, 1, "conv_in");
        Deque<String> skips = new ArrayDeque<>();
        Deque<Integer> skipChannels = new ArrayDeque<>();
        skips.push(h);
        skipChannels.push(bo[0]);
        int out = bo[0];
        for (int i = 0; i < n; i++) {
            int in = out;
            out = bo[i];
            for (int j = 0; j < s.layersPerBlock(); j++) {
                String p = "down_blocks." + i;
                h = l.resnet(h, j == 0 ? in : out, out, timeAct, s.timeDim(), UnetSpec.GROUPS, RESNET_EPS,
                        p + ".resnets." + j);
                if (s.downAttention(i)) {
                    h = b.transformer(h, out, heads[i], ctx, p + ".attentions." + j);
                }
                skips.push(h);
                skipChannels.push(out);
            }
            if (i < n - 1) {
                h = l.conv(h, out, out, 3, 2, "down_blocks." + i + ".downsamplers.0.conv");
                skips.push(h);
                skipChannels.push(out);
            }
        }
        int last = bo[n - 1];
        h = l.resnet(h, last, last, timeAct, s.timeDim(), UnetSpec.GROUPS, RESNET_EPS, "mid_block.resnets.0");
        h = b.transformer(h, last, heads[n - 1], ctx, "mid_block.attentions.0");
        h = l.resnet(h, last, last, timeAct, s.timeDim(), UnetSpec.GROUPS, RESNET_EPS, "mid_block.resnets.1");
        out = bo[n - 1];
        for (int i = 0; i < n; i++) {
            int prev = out;
            out = bo[n - 1 - i];
            String p = "up_blocks." + i;
            for (int j = 0; j <= s.layersPerBlock(); j++) {
                int skipCh = skipChannels.pop();
                h = g.op("Concat", new String[] {h, skips.pop()}, OnnxGraph.intAttr("axis", 1));
                h = l.resnet(h, (j == 0 ? prev : out) + skipCh, out, timeAct, s.timeDim(), UnetSpec.GROUPS,
                        RESNET_EPS, p + ".resnets." + j);
                if (s.upAttention(i)) {
                    h = b.transformer(h, out, heads[n - 1 - i], ctx, p + ".attentions." + j);
                }
            }
            if (i < n - 1) {
                h = l.conv(l.upsample2x(h), out, out, 3, 1, p + ".upsamplers.0.conv");
            }
        }
        h = l.silu(l.groupNorm(h, bo[0], UnetSpec.GROUPS, RESNET_EPS, "conv_norm_out"));
        h = l.conv(h, bo[0], UnetSpec.CHANNELS, 3, 1, "conv_out");
        l.floatOutput(h, "out_sample", new long[] {-1, UnetSpec.CHANNELS, -1, -1}, "batch_size", "height", "width");
        return new Component("unet", g, l.parameters());
    }

    /** Refuses a slice count below 1 or above the largest head count (no attention could use that many). */
    static void checkSlices(UnetSpec s, int attentionSlices) {
        int most = java.util.Arrays.stream(s.heads()).max().orElse(1);
        if (attentionSlices < 1 || attentionSlices > most) {
            throw new IllegalArgumentException("attention slices must be between 1 and " + most + " (the U-Net's "
                    + "largest head count), not " + attentionSlices);
        }
    }

    /**
     * The timestep broadcast to the batch, its sinusoidal embedding [cos | sin] (diffusers' {@code Timesteps} with
     * {@code flip_sin_to_cos=True}, {@code downscale_freq_shift=0}), then {@code linear_1}, SiLU, {@code linear_2}.
     */
    private static String timeEmbedding(Layers l, String sample, int channels, int timeDim) {
        OnnxGraph g = l.g;
        int half = channels / 2;
        float[] freqs = new float[half];
        for (int i = 0; i < half; i++) {
            freqs[i] = (float) Math.exp(-Math.log(10000) * i / half);
        }
        String batch = g.slice(g.op("Shape", new String[] {sample}), new long[] {0}, new long[] {1}, new long[] {0});
        String t = g.op("Expand", new String[] {g.cast("timestep", OnnxGraph.FLOAT), batch});
        String args = g.op("Mul", new String[] {g.unsqueeze(t, 1), g.floats("time_proj.freqs", new long[] {1, half},
            freqs)});
        String emb = g.op("Concat", new String[] {g.op("Cos", new String[] {args}), g.op("Sin", new String[] {args})},
                OnnxGraph.intAttr("axis", 1));
        String h = l.silu(l.linear(emb, channels, timeDim, "time_embedding.linear_1", true));
        return l.linear(h, timeDim, timeDim, "time_embedding.linear_2", true);
    }

    /** diffusers' {@code Transformer2DModel} with one {@code BasicTransformerBlock}. */
    private record Block(Layers l, UnetSpec s, int slices) {

        String transformer(String x, int c, int heads, String context, String name) {
            OnnxGraph g = l.g;
            String h = l.groupNorm(x, c, UnetSpec.GROUPS, TRANSFORMER_NORM_EPS, name + ".norm");
            if (s.linearProjection()) {
                h = l.linear(l.toTokens(h, c), c, c, name + ".proj_in", true);
            } else {
                h = l.toTokens(l.conv(h, c, c, 1, 1, name + ".proj_in"), c);
            }
            String b = name + ".transformer_blocks.0.";
            h = l.add(h, l.attention(l.layerNorm(h, c, LAYER_NORM_EPS, b + "norm1"), null, c, c, heads, false, null,
                    Layers.AttentionNames.diffusers(b + "attn1"), slices));
            // Only self-attention is sliced: its scores are B × heads × N² (N = latent pixels of the block: 4096
            // at SD 1.5's 64×64 latent, 537 MB per image), while cross-attention's are B × heads × N × 77, at most
            // 77/N of that in the same block (10 MB there), not worth the extra nodes.
            h = l.add(h, l.attention(l.layerNorm(h, c, LAYER_NORM_EPS, b + "norm2"), context, c, s.crossAttention(),
                    heads, false, null, Layers.AttentionNames.diffusers(b + "attn2")));
            String proj = l.linear(l.layerNorm(h, c, LAYER_NORM_EPS, b + "norm3"), c, 8 * c, b + "ff.net.0.proj", true);
            String[] parts = g.ops("Split", new String[] {proj}, 2, OnnxGraph.intAttr("axis", -1));
            String geglu = g.op("Mul", new String[] {parts[0], l.gelu(parts[1])});
            h = l.add(h, l.linear(geglu, 4 * c, c, b + "ff.net.2", true));
            if (s.linearProjection()) {
                h = l.fromTokens(l.linear(h, c, c, name + ".proj_out", true), x);
            } else {
                h = l.conv(l.fromTokens(h, x), c, c, 1, 1, name + ".proj_out");
            }
            return l.add(h, x);
        }
    }
}
