package io.assay.framework.world;

/** The world's linear autoencoder (PCA over 8×8 patches) and image encoder as ONNX graphs. */
final class VaeModel {

    private VaeModel() {
    }

    /** {@code sample} [b, 3, H, W] in [-1, 1] → {@code latent_sample} [b, 4, H/8, W/8] (unscaled coefficients). */
    static byte[] encoder(float[] enc, float[] bias) {
        OnnxGraph g = new OnnxGraph("assay-world-vae-encoder");
        g.input("sample", OnnxGraph.FLOAT, new long[] {-1, 3, -1, -1}, "batch", "height", "width");
        conv(g, enc, bias, "latent_sample");
        g.output("latent_sample", OnnxGraph.FLOAT, new long[] {-1, 4, -1, -1}, "batch", "latent_height",
                "latent_width");
        return g.toBytes();
    }

    private static String conv(OnnxGraph g, float[] enc, float[] bias, String out) {
        int f = WorldCompiler.FACTOR;
        return g.op("Conv", new String[] {"sample", g.floats("enc_w", new long[] {4, 3, f, f}, enc),
            g.floats("enc_b", new long[] {4}, bias)}, out, OnnxGraph.ints("kernel_shape", f, f),
                OnnxGraph.ints("strides", f, f));
    }

    /**
     * {@code latent_sample} [b, 4, h, w] (coefficients) → {@code sample} [b, 3, 8h, 8w]: a transposed convolution over
     * the four components plus a constant fifth channel whose kernel is the mean patch.
     */
    static byte[] decoder(float[] enc, double[] mean) {
        int f = WorldCompiler.FACTOR;
        int pd = 3 * f * f;
        float[] w = new float[5 * pd];
        System.arraycopy(enc, 0, w, 0, 4 * pd);
        for (int j = 0; j < pd; j++) {
            w[4 * pd + j] = (float) mean[j];
        }
        OnnxGraph g = new OnnxGraph("assay-world-vae-decoder");
        g.input("latent_sample", OnnxGraph.FLOAT, new long[] {-1, 4, -1, -1}, "batch", "latent_height",
                "latent_width");
        String first = g.op("Slice", new String[] {"latent_sample", g.longs("s0", new long[] {1}, 0),
            g.longs("s1", new long[] {1}, 1), g.longs("s_axis", new long[] {1}, 1)});
        String zero = g.op("Mul", new String[] {first, g.scalar("zero", 0f)});
        String ones = g.op("Add", new String[] {zero, g.scalar("one", 1f)});
        String cat = g.op("Concat", new String[] {"latent_sample", ones}, OnnxGraph.intAttr("axis", 1));
        g.op("ConvTranspose", new String[] {cat, g.floats("dec_w", new long[] {5, 3, f, f}, w)}, "sample",
                OnnxGraph.ints("kernel_shape", f, f), OnnxGraph.ints("strides", f, f));
        g.output("sample", OnnxGraph.FLOAT, new long[] {-1, 3, -1, -1}, "batch", "height", "width");
        return g.toBytes();
    }

    /**
     * {@code sample} [b, 3, H, W] in [-1, 1] → {@code image_embeds} [b, D] in the pooled text space: AveragePool to
     * the latent grid, a 1×1 convolution and a softmax over the palette (soft colour names per cell), then an affine
     * map fitted by ridge regression.
     */
    static byte[] imageEncoder(float[] paletteW, float[] paletteB, int factor, double[][] w, int features, int d) {
        OnnxGraph g = new OnnxGraph("assay-world-image-encoder");
        g.input("sample", OnnxGraph.FLOAT, new long[] {-1, 3, -1, -1}, "batch", "height", "width");
        int k = paletteB.length;
        String pooled = g.op("AveragePool", new String[] {"sample"}, OnnxGraph.ints("kernel_shape", factor, factor),
                OnnxGraph.ints("strides", factor, factor));
        String logits = g.op("Conv", new String[] {pooled, g.floats("palette_w", new long[] {k, 3, 1, 1}, paletteW),
            g.floats("palette_b", new long[] {k}, paletteB)});
        String soft = g.op("Softmax", new String[] {logits}, OnnxGraph.intAttr("axis", 1));
        String flat = g.op("Reshape", new String[] {soft, g.longs("flat", new long[] {2}, -1, features)});
        float[] wm = new float[features * d];
        float[] wb = new float[d];
        for (int a = 0; a < features; a++) {
            for (int c = 0; c < d; c++) {
                wm[a * d + c] = (float) w[a][c];
            }
        }
        for (int c = 0; c < d; c++) {
            wb[c] = (float) w[features][c];
        }
        String mm = g.op("MatMul", new String[] {flat, g.floats("proj_w", new long[] {features, d}, wm)});
        g.op("Add", new String[] {mm, g.floats("proj_b", new long[] {d}, wb)}, "image_embeds");
        g.output("image_embeds", OnnxGraph.FLOAT, new long[] {-1, d}, "batch");
        return g.toBytes();
    }
}
