package io.assay.lib.forge;

import io.assay.lib.onnxgraph.FloatSource;
import io.assay.lib.onnxgraph.OnnxGraph;

/**
 * The neural-network layers the three models are made of, as ONNX nodes in the form {@code torch.onnx.export} writes
 * them at opset 17 (Linear as MatMul + Add with the weight stored transposed, GroupNorm as
 * Reshape/InstanceNormalization/Reshape/Mul/Add, LayerNorm as LayerNormalization, GELU through Erf). Parameters are
 * named as in the diffusers/transformers state dict and drawn by {@link Weights} from (seed, name); each is counted.
 * In {@link Dtype#FP16} a parameter is stored as float16 and Cast to float32 where it is used.
 */
final class Layers {

    final OnnxGraph g;
    private final Dtype dtype;
    private final long seed;
    private long parameters;

    Layers(OnnxGraph g, Dtype dtype, long seed) {
        this.g = g;
        this.dtype = dtype;
        this.seed = seed;
    }

    /** Parameters declared so far. */
    long parameters() {
        return parameters;
    }

    /** A parameter; returns the float32 value to compute with. */
    String param(String name, long[] dims, FloatSource source) {
        String w = g.weights(name, dtype.onnxType(), dims, source);
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        parameters += n;
        return dtype == Dtype.FP16 ? g.cast(w, OnnxGraph.FLOAT) : w;
    }

    /** A parameter uniform in {@code [-bound, bound)}. */
    String uniform(String name, long[] dims, double bound) {
        return param(name, dims, Weights.uniform(seed, name, bound));
    }

    /** A graph input of the model's float type, returned as float32. */
    String floatInput(String name, long[] dims, String... dimNames) {
        g.input(name, dtype.onnxType(), dims, dimNames);
        return dtype == Dtype.FP16 ? g.cast(name, OnnxGraph.FLOAT) : name;
    }

    /** Makes float32 {@code value} the graph output {@code name} of the model's float type. */
    void floatOutput(String value, String name, long[] dims, String... dimNames) {
        if (dtype == Dtype.FP16) {
            g.op("Cast", new String[] {value}, name, OnnxGraph.intAttr("to", OnnxGraph.FLOAT16));
        } else {
            g.op("Identity", new String[] {value}, name);
        }
        g.output(name, dtype.onnxType(), dims, dimNames);
    }

    /** {@code x · Wᵀ + b} over the last axis, torch's default init (bound 1/√in). */
    String linear(String x, int in, int out, String name, boolean bias) {
        double bound = 1 / Math.sqrt(in);
        String y = g.op("MatMul", new String[] {x, uniform(name + ".weight", new long[] {in, out}, bound)});
        return bias ? g.op("Add", new String[] {y, uniform(name + ".bias", new long[] {out}, bound)}) : y;
    }

    /** A 2-D convolution with bias, square kernel {@code k}, padding {@code k/2} on every side. */
    String conv(String x, int in, int out, int k, int stride, String name) {
        int p = k / 2;
        return conv(x, in, out, k, stride, new long[] {p, p, p, p}, name);
    }

    /** A 2-D convolution with bias; {@code pads} = [top, left, bottom, right]. */
    String conv(String x, int in, int out, int k, int stride, long[] pads, String name) {
        double bound = 1 / Math.sqrt((double) in * k * k);
        String w = uniform(name + ".weight", new long[] {out, in, k, k}, bound);
        String b = uniform(name + ".bias", new long[] {out}, bound);
        return g.op("Conv", new String[] {x, w, b}, OnnxGraph.ints("kernel_shape", k, k), OnnxGraph.ints("pads", pads),
                OnnxGraph.ints("strides", stride, stride), OnnxGraph.ints("dilations", 1, 1),
                OnnxGraph.intAttr("group", 1));
    }

    /** GroupNorm over [B, C, H, W], unit scale and zero shift, decomposed as torch exports it. */
    String groupNorm(String x, int channels, int groups, float eps, String name) {
        float[] ones = new float[groups];
        java.util.Arrays.fill(ones, 1f);
        String grouped = g.reshape(x, 0, groups, -1);
        String normed = g.op("InstanceNormalization", new String[] {grouped, g.constFloats(ones),
            g.constFloats(new float[groups])}, OnnxGraph.floatAttr("epsilon", eps));
        String back = g.op("Reshape", new String[] {normed, g.op("Shape", new String[] {x})});
        long[] dims = {channels, 1, 1};
        String scaled = g.op("Mul", new String[] {back, param(name + ".weight", dims, Weights.constant(1f))});
        return g.op("Add", new String[] {scaled, param(name + ".bias", dims, Weights.constant(0f))});
    }

    /** LayerNorm over the last axis, unit scale and zero shift. */
    String layerNorm(String x, int dim, float eps, String name) {
        long[] dims = {dim};
        return g.op("LayerNormalization", new String[] {x, param(name + ".weight", dims, Weights.constant(1f)),
            param(name + ".bias", dims, Weights.constant(0f))}, OnnxGraph.intAttr("axis", -1),
                OnnxGraph.floatAttr("epsilon", eps));
    }

    /** SiLU: {@code x · σ(x)}. */
    String silu(String x) {
        return g.op("Mul", new String[] {x, g.op("Sigmoid", new String[] {x})});
    }

    /** Exact GELU: {@code x · ½ · (1 + erf(x / √2))}. */
    String gelu(String x) {
        String erf = g.op("Erf", new String[] {g.op("Div", new String[] {x, g.constFloat((float) Math.sqrt(2))})});
        String half = g.op("Mul", new String[] {x, g.constFloat(0.5f)});
        return g.op("Mul", new String[] {half, g.op("Add", new String[] {erf, g.constFloat(1f)})});
    }

    /** CLIP's QuickGELU: {@code x · σ(1.702 x)}. */
    String quickGelu(String x) {
        return g.op("Mul", new String[] {x, g.op("Sigmoid", new String[] {
            g.op("Mul", new String[] {x, g.constFloat(1.702f)})})});
    }

    /** {@code a + b}. */
    String add(String a, String b) {
        return g.op("Add", new String[] {a, b});
    }

    /** Names of an attention block's four projections. */
    record AttentionNames(String q, String k, String v, String out) {

        /** diffusers' {@code Attention}: to_q, to_k, to_v, to_out.0. */
        static AttentionNames diffusers(String prefix) {
            return new AttentionNames(prefix + ".to_q", prefix + ".to_k", prefix + ".to_v", prefix + ".to_out.0");
        }

        /** transformers' {@code CLIPAttention}: q_proj, k_proj, v_proj, out_proj. */
        static AttentionNames clip(String prefix) {
            return new AttentionNames(prefix + ".q_proj", prefix + ".k_proj", prefix + ".v_proj",
                    prefix + ".out_proj");
        }
    }

    /**
     * Multi-head scaled dot-product attention of {@code x} [B, N, dim] over {@code context} [B, M, contextDim]
     * ({@code null}: self-attention over {@code x}): projections, {@code softmax(q kᵀ / √d + mask) v} per head,
     * output projection (with bias).
     *
     * @param qkvBias whether q, k and v projections have biases
     * @param mask    an additive mask broadcastable to [B, heads, N, M], or {@code null}
     */
    String attention(String x, String context, int dim, int contextDim, int heads, boolean qkvBias, String mask,
            AttentionNames n) {
        return attention(x, context, dim, contextDim, heads, qkvBias, mask, n, 1);
    }

    /**
     * {@link #attention(String, String, int, int, int, boolean, String, AttentionNames) Attention} whose scores are
     * computed in {@code slices} head groups (diffusers' attention slicing); 1 gives the unsliced graph, node for
     * node. With more, q, k and v are split along the head axis into {@code min(slices, heads)} groups as even as
     * possible (the larger first: 8 heads in 3 slices are 3, 3, 2), each group's {@code MatMul → Softmax → MatMul}
     * is emitted as consecutive nodes, and the groups' outputs are concatenated. A sequential executor can then free
     * one group's [B, g, N, M] scores and probabilities before the next group's are allocated, so the largest
     * transient is that of the largest group (1/slices of the whole when slices divides heads) instead of all heads'.
     *
     * <p>Why head groups rather than blocks of query rows: the head count is fixed in the graph, while the token
     * count N is symbolic (height × width of the latent), so head groups are cut by one Split with constant sizes —
     * no shape arithmetic at run time, the same slices at every resolution, and no empty or ragged slice when N is
     * small. Both bound the scores to the same size ({@code B × heads × N × M / slices}); query-row blocks would only
     * be needed for more slices than heads, which the presets' 8 heads per attention make unnecessary (one head of
     * SD 1.5's 64×64-latent self-attention is 67 MB of scores at batch 1).
     */
    String attention(String x, String context, int dim, int contextDim, int heads, boolean qkvBias, String mask,
            AttentionNames n, int slices) {
        if (slices < 1) {
            throw new IllegalArgumentException("attention slices must be at least 1, not " + slices);
        }
        int d = dim / heads;
        String c = context == null ? x : context;
        String scale = g.constFloat((float) (1 / Math.sqrt(d)));
        String q = g.op("Mul", new String[] {linear(x, dim, dim, n.q(), qkvBias), scale});
        String k = linear(c, contextDim, dim, n.k(), qkvBias);
        String v = linear(c, contextDim, dim, n.v(), qkvBias);
        String qh = g.transpose(g.reshape(q, 0, 0, heads, d), 0, 2, 1, 3);
        String kh = g.transpose(g.reshape(k, 0, 0, heads, d), 0, 2, 3, 1);
        String vh = g.transpose(g.reshape(v, 0, 0, heads, d), 0, 2, 1, 3);
        String ctx;
        int groups = Math.min(slices, heads);
        if (groups == 1) {
            ctx = scoresTimesValues(qh, kh, vh, mask);
        } else {
            long[] sizes = new long[groups];
            for (int i = 0; i < groups; i++) {
                sizes[i] = heads / groups + (i < heads % groups ? 1 : 0);
            }
            String[] qs = splitHeads(qh, sizes);
            String[] ks = splitHeads(kh, sizes);
            String[] vs = splitHeads(vh, sizes);
            String[] parts = new String[groups];
            for (int i = 0; i < groups; i++) {
                parts[i] = scoresTimesValues(qs[i], ks[i], vs[i], mask);
            }
            ctx = g.op("Concat", parts, OnnxGraph.intAttr("axis", 1));
        }
        String merged = g.reshape(g.transpose(ctx, 0, 2, 1, 3), 0, 0, dim);
        return linear(merged, dim, dim, n.out(), true);
    }

    /** {@code softmax(q kᵀ + mask) v} for [B, h, N, d] q, [B, h, d, M] kᵀ, [B, h, M, d] v: three (or four) nodes. */
    private String scoresTimesValues(String q, String kt, String v, String mask) {
        String scores = g.op("MatMul", new String[] {q, kt});
        if (mask != null) {
            scores = add(scores, mask);
        }
        String probs = g.op("Softmax", new String[] {scores}, OnnxGraph.intAttr("axis", -1));
        return g.op("MatMul", new String[] {probs, v});
    }

    /** Splits [B, heads, …] along the head axis into groups of {@code sizes} heads. */
    private String[] splitHeads(String x, long[] sizes) {
        return g.ops("Split", new String[] {x, g.constLongs(sizes)}, sizes.length, OnnxGraph.intAttr("axis", 1));
    }

    /** [B, C, H, W] → [B, H·W, C]. */
    String toTokens(String x, int channels) {
        return g.transpose(g.reshape(x, 0, channels, -1), 0, 2, 1);
    }

    /** [B, H·W, C] → the shape of {@code like} ([B, C, H, W]). */
    String fromTokens(String tokens, String like) {
        return g.op("Reshape", new String[] {g.transpose(tokens, 0, 2, 1), g.op("Shape", new String[] {like})});
    }

    /** Nearest-neighbour ×2 upsampling (torch's {@code F.interpolate(scale_factor=2, mode="nearest")}). */
    String upsample2x(String x) {
        return g.op("Resize", new String[] {x, "", g.constFloats(1f, 1f, 2f, 2f)},
                OnnxGraph.stringAttr("mode", "nearest"),
                OnnxGraph.stringAttr("coordinate_transformation_mode", "asymmetric"),
                OnnxGraph.stringAttr("nearest_mode", "floor"));
    }

    /**
     * diffusers' {@code ResnetBlock2D}: GroupNorm, SiLU, 3×3 conv, plus the projected time embedding (if any),
     * GroupNorm, SiLU, 3×3 conv, added to the input (through a 1×1 conv where the channel count changes).
     *
     * @param timeAct SiLU of the time embedding [B, timeDim], or {@code null} (the VAE's blocks)
     */
    String resnet(String x, int in, int out, String timeAct, int timeDim, int groups, float eps, String name) {
        String h = conv(silu(groupNorm(x, in, groups, eps, name + ".norm1")), in, out, 3, 1, name + ".conv1");
        if (timeAct != null) {
            h = add(h, g.unsqueeze(linear(timeAct, timeDim, out, name + ".time_emb_proj", true), 2, 3));
        }
        h = conv(silu(groupNorm(h, out, groups, eps, name + ".norm2")), out, out, 3, 1, name + ".conv2");
        String shortcut = in == out ? x : conv(x, in, out, 1, 1, name + ".conv_shortcut");
        return add(shortcut, h);
    }
}
