package io.assay.framework.world;

import io.assay.lib.onnxgraph.OnnxGraph;

/**
 * The world's text encoder: hidden[t] = U[id_t] + P[id_{t−1}] ⊙ Q[id_t] (the pair term is zero at t = 0), pooled
 * output = Σ_t hidden[t]. Unigram rows carry the words; the adjacent-pair products (nearly orthogonal for different
 * pairs) carry their order, which a bag of words loses ("a red square on a green background" vs "a green square on a
 * red background").
 */
final class TextModel {

    private TextModel() {
    }

    /** The pooled embedding of one window of ids, as the ONNX graph computes it. */
    static float[] pooled(int[] ids, float[] u, float[] p, float[] q, int d) {
        float[] out = new float[d];
        for (int t = 0; t < ids.length; t++) {
            int id = ids[t];
            for (int k = 0; k < d; k++) {
                float h = u[id * d + k];
                if (t > 0) {
                    h += p[ids[t - 1] * d + k] * q[id * d + k];
                }
                out[k] += h;
            }
        }
        return out;
    }

    /**
     * {@code input_ids} int32 [batch, sequence] → {@code last_hidden_state} [batch, sequence, D], {@code pooler_output}
     * [batch, D]. Any sequence length: a chunking text encoder may send 77·k ids (long prompts); each id's pair term
     * looks one position back.
     */
    static byte[] graph(float[] u, float[] p, float[] q, int vocab, int d) {
        OnnxGraph g = new OnnxGraph("assay-world-text-encoder").producer("assay-world");
        g.input("input_ids", OnnxGraph.INT32, new long[] {-1, -1}, "batch_size", "sequence");
        String ids = g.op("Cast", new String[] {"input_ids"}, OnnxGraph.intAttr("to", OnnxGraph.INT64));
        String uw = g.floats("U", new long[] {vocab, d}, u);
        String pw = g.floats("P", new long[] {vocab, d}, p);
        String qw = g.floats("Q", new long[] {vocab, d}, q);
        String uni = g.op("Gather", new String[] {uw, ids});
        String prevAll = g.op("Gather", new String[] {pw, ids});
        // Shift the P rows one position later: pad one row in front, drop the last row.
        String shifted = g.op("Pad", new String[] {prevAll, g.constLongs(0, 1, 0, 0, 0, 0)});
        String prev = g.slice(shifted, new long[] {0}, new long[] {-1}, new long[] {1});
        String cur = g.op("Gather", new String[] {qw, ids});
        String pair = g.op("Mul", new String[] {prev, cur});
        g.op("Add", new String[] {uni, pair}, "last_hidden_state");
        g.op("ReduceSum", new String[] {"last_hidden_state", g.constLongs(1)}, "pooler_output",
                OnnxGraph.intAttr("keepdims", 0));
        g.output("last_hidden_state", OnnxGraph.FLOAT, new long[] {-1, -1, d}, "batch_size", "sequence");
        g.output("pooler_output", OnnxGraph.FLOAT, new long[] {-1, d}, "batch_size");
        return g.toBytes();
    }
}
