package io.assay.framework.world;

/**
 * The world's U-Net: the exact posterior mean of the training latents X under the variance-preserving noise schedule,
 * with a prompt prior. For a noisy sample x at timestep t (ᾱ = alphas_cumprod[t]):
 * <pre>
 * logit_i = β·cos(pool(prompt), caption_i) + (√ᾱ·x·X_i − ½·ᾱ·‖X_i‖²) / (1 − ᾱ)
 * x̂0 = softmax(logit) · X          eps = (x − √ᾱ·x̂0) / √(1 − ᾱ)
 * </pre>
 * An empty prompt pools to zero, so every caption weighs the same: the unconditional distribution.
 */
final class DenoiserModel {

    private DenoiserModel() {
    }

    static byte[] graph(float[] x, float[] captions, float[] alphasCumprod, int n, int m, int d, int grid,
            float beta) {
        OnnxGraph g = new OnnxGraph("assay-world-ideal-denoiser");
        g.input("sample", OnnxGraph.FLOAT, new long[] {-1, 4, grid, grid}, "batch");
        g.input("timestep", OnnxGraph.FLOAT, new long[] {-1}, "steps");
        g.input("encoder_hidden_states", OnnxGraph.FLOAT, new long[] {-1, 77, d}, "batch");

        float[] xt = new float[m * n];
        float[] halfNorm = new float[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < m; j++) {
                float v = x[i * m + j];
                xt[j * n + i] = v;
                s += (double) v * v;
            }
            halfNorm[i] = (float) (0.5 * s);
        }
        float[] ct = new float[d * n];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < d; k++) {
                ct[k * n + i] = captions[i * d + k];
            }
        }
        String flat = g.op("Reshape", new String[] {"sample", g.longs("flat_shape", new long[] {2}, -1, m)});
        // ᾱ at a float timestep: linear interpolation between the two neighbouring integer entries.
        String table = g.floats("alphas_cumprod", new long[] {1000}, alphasCumprod);
        String t = g.op("Clip", new String[] {"timestep", g.scalar("t_min", 0f), g.scalar("t_max", 999f)});
        String lo = g.op("Floor", new String[] {t});
        String frac = g.op("Sub", new String[] {t, lo});
        String loIdx = g.op("Cast", new String[] {lo}, OnnxGraph.intAttr("to", OnnxGraph.INT64));
        String hiIdx = g.op("Cast", new String[] {g.op("Min", new String[] {g.op("Add", new String[] {lo,
            g.scalar("one_step", 1f)}), g.scalar("last_step", 999f)})}, OnnxGraph.intAttr("to", OnnxGraph.INT64));
        String abLo = g.op("Gather", new String[] {table, loIdx});
        String abHi = g.op("Gather", new String[] {table, hiIdx});
        String ab = g.op("Add", new String[] {abLo, g.op("Mul", new String[] {g.op("Sub", new String[] {abHi, abLo}),
            frac})});
        String sa = g.op("Sqrt", new String[] {ab});
        String one = g.scalar("one", 1f);
        String oneMinus = g.op("Sub", new String[] {one, ab});
        String s1 = g.op("Sqrt", new String[] {oneMinus});
        String inv = g.op("Div", new String[] {one, oneMinus});

        String pooled = g.op("ReduceSum", new String[] {"encoder_hidden_states", g.longs("seq_axis", new long[] {1}, 1)},
                OnnxGraph.intAttr("keepdims", 0));
        String norm = g.op("ReduceL2", new String[] {pooled, g.longs("feat_axis", new long[] {1}, 1)},
                OnnxGraph.intAttr("keepdims", 1));
        String unit = g.op("Div", new String[] {pooled, g.op("Add", new String[] {norm, g.scalar("eps", 1e-6f)})});
        String sim = g.op("MatMul", new String[] {unit, g.floats("captions_t", new long[] {d, n}, ct)});
        String prior = g.op("Mul", new String[] {sim, g.scalar("beta", beta)});

        String xX = g.op("MatMul", new String[] {flat, g.floats("latents_t", new long[] {m, n}, xt)});
        String data = g.op("Mul", new String[] {g.op("Sub", new String[] {g.op("Mul", new String[] {xX, sa}),
            g.op("Mul", new String[] {g.floats("half_norms", new long[] {n}, halfNorm), ab})}), inv});
        String logits = g.op("Add", new String[] {prior, data});
        String w = g.op("Softmax", new String[] {logits}, OnnxGraph.intAttr("axis", 1));
        String x0 = g.op("MatMul", new String[] {w, g.floats("latents", new long[] {n, m}, x)});
        String eps = g.op("Div", new String[] {g.op("Sub", new String[] {flat, g.op("Mul", new String[] {x0, sa})}),
            s1});
        g.op("Reshape", new String[] {eps, g.op("Shape", new String[] {"sample"})}, "out_sample");
        g.output("out_sample", OnnxGraph.FLOAT, new long[] {-1, 4, grid, grid}, "batch");
        return g.toBytes();
    }
}
