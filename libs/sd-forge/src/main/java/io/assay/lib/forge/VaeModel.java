package io.assay.lib.forge;

import io.assay.lib.onnxgraph.OnnxGraph;

/**
 * diffusers' {@code AutoencoderKL}, split as optimum exports it.
 *
 * <p>Encoder: {@code conv_in}; down blocks of ResNets with a stride-2 downsampler (padding right and bottom only,
 * as diffusers' encoder pads); a mid block (ResNet, single-head self-attention, ResNet); GroupNorm, SiLU,
 * {@code conv_out} to 8 channels; {@code quant_conv}. Its output {@code latent_sample} [batch_size, 4, height_latent,
 * width_latent] is the latent distribution's mean (the first 4 channels), unscaled, as the reference tiny-sd's
 * encoder.
 *
 * <p>Decoder: {@code post_quant_conv}, {@code conv_in}, the mid block, up blocks of ResNets with nearest ×2
 * upsampling and a conv, GroupNorm, SiLU, {@code conv_out} to RGB: {@code latent_sample} → {@code sample}
 * [batch_size, 3, height, width], unclamped.
 */
final class VaeModel {

    private static final float EPS = 1e-6f;
    private static final int RGB = 3;

    private VaeModel() {
    }

    static Component encoder(VaeSpec s, Dtype dtype, long seed) {
        OnnxGraph g = Component.graph("vae_encoder");
        Layers l = new Layers(g, dtype, seed);
        int[] bo = s.blockOut();
        int n = bo.length;
        String x = l.floatInput("sample", new long[] {-1, RGB, -1, -1}, "batch_size", "height", "width");
        String h = l.conv(x, RGB, bo[0], 3, 1, "encoder.conv_in");
        int out = bo[0];
        for (int i = 0; i < n; i++) {
            int in = out;
            out = bo[i];
            String p = "encoder.down_blocks." + i;
            for (int j = 0; j < s.layersPerBlock(); j++) {
                h = l.resnet(h, j == 0 ? in : out, out, null, 0, VaeSpec.GROUPS, EPS, p + ".resnets." + j);
            }
            if (i < n - 1) {
                h = l.conv(h, out, out, 3, 2, new long[] {0, 0, 1, 1}, p + ".downsamplers.0.conv");
            }
        }
        h = midBlock(l, h, bo[n - 1], "encoder.mid_block");
        h = l.silu(l.groupNorm(h, bo[n - 1], VaeSpec.GROUPS, EPS, "encoder.conv_norm_out"));
        h = l.conv(h, bo[n - 1], 2 * VaeSpec.LATENT, 3, 1, "encoder.conv_out");
        h = l.conv(h, 2 * VaeSpec.LATENT, 2 * VaeSpec.LATENT, 1, 1, "quant_conv");
        String mean = g.slice(h, new long[] {0}, new long[] {VaeSpec.LATENT}, new long[] {1});
        l.floatOutput(mean, "latent_sample", new long[] {-1, VaeSpec.LATENT, -1, -1}, "batch_size", "height_latent",
                "width_latent");
        return new Component("vae_encoder", g, l.parameters());
    }

    static Component decoder(VaeSpec s, Dtype dtype, long seed) {
        OnnxGraph g = Component.graph("vae_decoder");
        Layers l = new Layers(g, dtype, seed);
        int[] bo = s.blockOut();
        int n = bo.length;
        String z = l.floatInput("latent_sample", new long[] {-1, VaeSpec.LATENT, -1, -1}, "batch_size",
                "height_latent", "width_latent");
        z = l.conv(z, VaeSpec.LATENT, VaeSpec.LATENT, 1, 1, "post_quant_conv");
        String h = l.conv(z, VaeSpec.LATENT, bo[n - 1], 3, 1, "decoder.conv_in");
        h = midBlock(l, h, bo[n - 1], "decoder.mid_block");
        int out = bo[n - 1];
        for (int i = 0; i < n; i++) {
            int prev = out;
            out = bo[n - 1 - i];
            String p = "decoder.up_blocks." + i;
            for (int j = 0; j <= s.layersPerBlock(); j++) {
                h = l.resnet(h, j == 0 ? prev : out, out, null, 0, VaeSpec.GROUPS, EPS, p + ".resnets." + j);
            }
            if (i < n - 1) {
                h = l.conv(l.upsample2x(h), out, out, 3, 1, p + ".upsamplers.0.conv");
            }
        }
        h = l.silu(l.groupNorm(h, bo[0], VaeSpec.GROUPS, EPS, "decoder.conv_norm_out"));
        h = l.conv(h, bo[0], RGB, 3, 1, "decoder.conv_out");
        l.floatOutput(h, "sample", new long[] {-1, RGB, -1, -1}, "batch_size", "height", "width");
        return new Component("vae_decoder", g, l.parameters());
    }

    /** {@code UNetMidBlock2D}: ResNet, single-head self-attention (GroupNorm inside, residual), ResNet. */
    private static String midBlock(Layers l, String x, int c, String name) {
        String h = l.resnet(x, c, c, null, 0, VaeSpec.GROUPS, EPS, name + ".resnets.0");
        String a = name + ".attentions.0";
        String normed = l.toTokens(l.groupNorm(h, c, VaeSpec.GROUPS, EPS, a + ".group_norm"), c);
        String attended = l.attention(normed, null, c, c, 1, true, null, Layers.AttentionNames.diffusers(a));
        h = l.add(l.fromTokens(attended, h), h);
        return l.resnet(h, c, c, null, 0, VaeSpec.GROUPS, EPS, name + ".resnets.1");
    }
}
