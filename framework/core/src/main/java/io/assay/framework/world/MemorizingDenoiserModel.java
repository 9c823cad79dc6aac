package io.assay.framework.world;

import io.assay.lib.onnxgraph.OnnxGraph;

/**
 * The world's memorizing U-Net ({@code model.world-denoiser = memorize}): the exact posterior mean of the training
 * latents X under the variance-preserving noise schedule, with a prompt prior. For a noisy sample x at timestep t
 * (ᾱ = alphas_cumprod[t]):
 * <pre>
 * logit_i = β·cos(pool(prompt), caption_i) + (√ᾱ·x·X_i − ½·ᾱ·‖X_i‖²) / (1 − ᾱ)
 * x̂0 = softmax(logit) · X          eps = (x − √ᾱ·x̂0) / √(1 − ᾱ)
 * </pre>
 * An empty prompt pools to zero, so every caption weighs the same: the unconditional distribution. The optimal
 * denoiser of a finite set reproduces its training images, which is the point of keeping it: "memorizing vs
 * composing" ({@link LocalDenoiserModel}) is an A/B comparison. It works at the world's native size only.
 */
final class MemorizingDenoiserModel {

    private MemorizingDenoiserModel() {
    }

    static byte[] graph(float[] x, float[] captions, float[] alphasCumprod, int n, int m, int d, int grid,
            float beta) {
        OnnxGraph g = new OnnxGraph("assay-world-ideal-denoiser").producer("assay-world");
        g.input("sample", OnnxGraph.FLOAT, new long[] {-1, 4, grid, grid}, "batch");
        g.input("timestep", OnnxGraph.FLOAT, new long[] {-1}, "steps");
        g.input("encoder_hidden_states", OnnxGraph.FLOAT, new long[] {-1, -1, d}, "batch", "sequence");

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
        String flat = g.reshape("sample", -1, m);
        String t = g.op("ReduceMax", new String[] {"timestep"}, OnnxGraph.intAttr("keepdims", 0));
        LocalDenoiserModel.Schedule sched = LocalDenoiserModel.Schedule.of(g, alphasCumprod, t);

        String pooled = LocalDenoiserModel.pooledHiddenStates(g);
        String norm = g.op("ReduceL2", new String[] {pooled, g.constLongs(1)}, OnnxGraph.intAttr("keepdims", 1));
        String unit = g.op("Div", new String[] {pooled, g.op("Add", new String[] {norm, g.constFloat(1e-6f)})});
        String sim = g.op("MatMul", new String[] {unit, g.floats("captions_t", new long[] {d, n}, ct)});
        String prior = g.op("Mul", new String[] {sim, g.constFloat(beta)});

        // (√ᾱ·x·X − ᾱ·½‖X‖²)/(1 − ᾱ)
        String xX = g.op("MatMul", new String[] {flat, g.floats("latents_t", new long[] {m, n}, xt)});
        String data = g.op("Add", new String[] {g.op("Mul", new String[] {xX, sched.sqrtAlphaOverOneMinus()}),
            g.op("Mul", new String[] {g.floats("half_norms", new long[] {n}, halfNorm),
                sched.negAlphaOverOneMinus()})});
        String w = g.op("Softmax", new String[] {g.op("Add", new String[] {prior, data})},
                OnnxGraph.intAttr("axis", 1));
        String x0 = g.op("MatMul", new String[] {w, g.floats("latents", new long[] {n, m}, x)});
        String eps = g.op("Div", new String[] {g.op("Sub", new String[] {flat, g.op("Mul", new String[] {x0,
            sched.sqrtAlpha()})}), sched.sqrtOneMinus()});
        g.op("Reshape", new String[] {eps, g.op("Shape", new String[] {"sample"})}, "out_sample");
        g.output("out_sample", OnnxGraph.FLOAT, new long[] {-1, 4, grid, grid}, "batch");
        return g.toBytes();
    }
}
