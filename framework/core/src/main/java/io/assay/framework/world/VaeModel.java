package io.assay.framework.world;

import io.assay.lib.onnxgraph.OnnxGraph;

/**
 * The world's autoencoder and image encoder as ONNX graphs. Encoder: PCA over 8×8 RGB patches, 4 components (the
 * optimal linear code of one cell). Decoder: each 8×8 pixel cell is predicted from the latents of the 5×5 cells around
 * it (a linear map fitted in closed form by ridge regression on the training pictures), so neighbouring cells share
 * their inputs and edges are placed from context: no visible 8×8 block seams, and a higher PSNR than decoding each
 * cell from its own four numbers.
 */
final class VaeModel {

    private VaeModel() {
    }

    /** {@code sample} [b, 3, H, W] in [-1, 1] → {@code latent_sample} [b, 4, H/8, W/8] (unscaled coefficients). */
    static byte[] encoder(float[] enc, float[] bias) {
        OnnxGraph g = new OnnxGraph("assay-world-vae-encoder").producer("assay-world");
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

    /** The decoder's neighbourhood side, in latent cells. */
    static final int DECODER_WINDOW = 5;

    /**
     * {@code latent_sample} [b, 4, h, w] (unscaled coefficients) → {@code sample} [b, 3, 8h, 8w]: a convolution over
     * each cell's 5×5 neighbourhood (zero beyond the image) to its 8·8·3 pixels, then DepthToSpace.
     *
     * @param weights the fitted map, [4·5·5 + 1][3·8·8]: rows (channel, dy, dx) then the bias, columns (rgb, y, x)
     */
    static byte[] decoder(double[][] weights) {
        int f = WorldCompiler.FACTOR;
        int k = DECODER_WINDOW;
        int in = 4 * k * k;
        int out = 3 * f * f;
        float[] w = new float[out * in];
        float[] b = new float[out];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                w[o * in + i] = (float) weights[i][o];
            }
            b[o] = (float) weights[in][o];
        }
        OnnxGraph g = new OnnxGraph("assay-world-vae-decoder").producer("assay-world");
        g.input("latent_sample", OnnxGraph.FLOAT, new long[] {-1, 4, -1, -1}, "batch", "latent_height",
                "latent_width");
        String cells = g.op("Conv", new String[] {"latent_sample", g.floats("dec_w", new long[] {out, 4, k, k}, w),
            g.floats("dec_b", new long[] {out}, b)}, OnnxGraph.ints("kernel_shape", k, k),
                OnnxGraph.ints("pads", k / 2, k / 2, k / 2, k / 2));
        g.op("DepthToSpace", new String[] {cells}, "sample", OnnxGraph.intAttr("blocksize", f),
                OnnxGraph.stringAttr("mode", "CRD"));
        g.output("sample", OnnxGraph.FLOAT, new long[] {-1, 3, -1, -1}, "batch", "height", "width");
        return g.toBytes();
    }

    /**
     * Fits the decoder: ridge regression from each cell's 5×5 neighbourhood of unscaled latents (+ 1) to its pixels.
     *
     * @param latents unscaled coefficients of each picture, [n][4·grid·grid]
     * @param images each picture in [-1, 1], [n][3·size·size]
     */
    static double[][] fitDecoder(float[][] latents, float[][] images, int grid, int size) {
        int f = WorldCompiler.FACTOR;
        int k = DECODER_WINDOW;
        int r = k / 2;
        int in = 4 * k * k + 1;
        int out = 3 * f * f;
        RidgeFit fit = new RidgeFit(in, out);
        double[] x = new double[in];
        double[] y = new double[out];
        int plane = size * size;
        for (int i = 0; i < latents.length; i++) {
            for (int gy = 0; gy < grid; gy++) {
                for (int gx = 0; gx < grid; gx++) {
                    int a = 0;
                    for (int c = 0; c < 4; c++) {
                        for (int dy = -r; dy <= r; dy++) {
                            for (int dx = -r; dx <= r; dx++) {
                                int yy = gy + dy;
                                int xx = gx + dx;
                                boolean inside = yy >= 0 && xx >= 0 && yy < grid && xx < grid;
                                x[a++] = inside ? latents[i][(c * grid + yy) * grid + xx] : 0;
                            }
                        }
                    }
                    x[a] = 1;
                    int o = 0;
                    for (int c = 0; c < 3; c++) {
                        for (int py = 0; py < f; py++) {
                            for (int px = 0; px < f; px++) {
                                y[o++] = images[i][c * plane + (gy * f + py) * size + gx * f + px];
                            }
                        }
                    }
                    fit.add(x, y);
                }
            }
        }
        return fit.solve(1e-4);
    }

    /**
     * {@code sample} [b, 3, H, W] in [-1, 1] → {@code image_embeds} [b, D] in the pooled text space: the picture
     * resized to the world's native size (any input size works), AveragePool to the latent grid, a 1×1 convolution
     * and a softmax over the palette (soft colour names per cell), then an affine map fitted by ridge regression.
     */
    static byte[] imageEncoder(float[] paletteW, float[] paletteB, int factor, double[][] w, int features, int d,
            int size) {
        OnnxGraph g = new OnnxGraph("assay-world-image-encoder").producer("assay-world");
        g.input("sample", OnnxGraph.FLOAT, new long[] {-1, 3, -1, -1}, "batch", "height", "width");
        int k = paletteB.length;
        String batchChannels = g.slice(g.op("Shape", new String[] {"sample"}), new long[] {0}, new long[] {2},
                new long[] {0});
        String sizes = g.op("Concat", new String[] {batchChannels, g.constLongs(size, size)},
                OnnxGraph.intAttr("axis", 0));
        String resized = g.op("Resize", new String[] {"sample", "", "", sizes}, OnnxGraph.stringAttr("mode", "linear"),
                OnnxGraph.stringAttr("coordinate_transformation_mode", "half_pixel"));
        String pooled = g.op("AveragePool", new String[] {resized}, OnnxGraph.ints("kernel_shape", factor, factor),
                OnnxGraph.ints("strides", factor, factor));
        String logits = g.op("Conv", new String[] {pooled, g.floats("palette_w", new long[] {k, 3, 1, 1}, paletteW),
            g.floats("palette_b", new long[] {k}, paletteB)});
        String soft = g.op("Softmax", new String[] {logits}, OnnxGraph.intAttr("axis", 1));
        String flat = g.reshape(soft, -1, features);
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
