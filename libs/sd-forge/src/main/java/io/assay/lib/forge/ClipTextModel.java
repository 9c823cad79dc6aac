package io.assay.lib.forge;

import io.assay.lib.onnxgraph.OnnxGraph;

/**
 * The CLIP text transformer (transformers' {@code CLIPTextModel}, openai/CLIP's text tower): token + position
 * embeddings (77 positions), pre-LN blocks of causal self-attention and an MLP (QuickGELU or GELU), a final
 * LayerNorm. {@code pooler_output} is the {@code last_hidden_state} row at {@code argmax(input_ids)}: the first
 * end-of-text token (49407), as CLIP pools.
 *
 * <p>I/O as optimum exports it: {@code input_ids} int32 [batch_size, 77] → {@code last_hidden_state}
 * [batch_size, 77, width], {@code pooler_output} [batch_size, width].
 */
final class ClipTextModel {

    /** Token embeddings are initialised like CLIP's (std 0.02), positions std 0.01; as uniform: bound std·√3. */
    private static final double TOKEN_STD = 0.02;
    private static final double POSITION_STD = 0.01;
    private static final float EPS = 1e-5f;

    private ClipTextModel() {
    }

    static Component build(TextSpec s, Dtype dtype, long seed) {
        OnnxGraph g = Component.graph("text_encoder");
        Layers l = new Layers(g, dtype, seed);
        int w = s.width();
        g.input("input_ids", OnnxGraph.INT32, new long[] {-1, TextSpec.POSITIONS}, "batch_size");
        String prefix = "text_model.";
        String tokens = l.uniform(prefix + "embeddings.token_embedding.weight", new long[] {TextSpec.VOCAB, w},
                TOKEN_STD * Math.sqrt(3));
        String positions = l.uniform(prefix + "embeddings.position_embedding.weight",
                new long[] {TextSpec.POSITIONS, w}, POSITION_STD * Math.sqrt(3));
        String h = l.add(g.op("Gather", new String[] {tokens, "input_ids"}, OnnxGraph.intAttr("axis", 0)), positions);
        String mask = g.floats("causal_mask", new long[] {TextSpec.POSITIONS, TextSpec.POSITIONS}, causalMask());
        for (int i = 0; i < s.layers(); i++) {
            String b = prefix + "encoder.layers." + i + ".";
            String a = l.attention(l.layerNorm(h, w, EPS, b + "layer_norm1"), null, w, w, s.heads(), true, mask,
                    Layers.AttentionNames.clip(b + "self_attn"));
            h = l.add(h, a);
            String m = l.linear(l.layerNorm(h, w, EPS, b + "layer_norm2"), w, s.mlp(), b + "mlp.fc1", true);
            m = s.quickGelu() ? l.quickGelu(m) : l.gelu(m);
            h = l.add(h, l.linear(m, s.mlp(), w, b + "mlp.fc2", true));
        }
        String last = l.layerNorm(h, w, EPS, prefix + "final_layer_norm");
        String eos = g.unsqueeze(g.op("ArgMax", new String[] {"input_ids"}, OnnxGraph.intAttr("axis", -1),
                OnnxGraph.intAttr("keepdims", 0)), 1);
        String pooled = g.op("GatherND", new String[] {last, eos}, OnnxGraph.intAttr("batch_dims", 1));
        l.floatOutput(last, "last_hidden_state", new long[] {-1, TextSpec.POSITIONS, w}, "batch_size");
        l.floatOutput(pooled, "pooler_output", new long[] {-1, w}, "batch_size");
        return new Component("text_encoder", g, l.parameters());
    }

    /** 0 on and below the diagonal, float32's lowest value above it (transformers' causal mask). */
    private static float[] causalMask() {
        int n = TextSpec.POSITIONS;
        float[] m = new float[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                m[i * n + j] = -Float.MAX_VALUE;
            }
        }
        return m;
    }
}
