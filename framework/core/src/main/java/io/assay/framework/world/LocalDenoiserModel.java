package io.assay.framework.world;

import io.assay.lib.onnxgraph.OnnxGraph;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The world's composing U-Net: a local, translation-equivariant posterior over training <em>windows</em> (after Kamb
 * &amp; Ganguli's equivariant local score machine, ICML 2025), conditioned locally on the prompt. At every latent
 * position p and timestep t (ᾱ = alphas_cumprod[t]) the clean-latent prediction is
 * <pre>
 * x̂0(p) = Σ_j softmax_j( (√ᾱ·⟨x_{W(p)}, P_j⟩ − ½ᾱ‖P_j‖²)/(1 − ᾱ) + log n_j − λ·g·pen_j(prompt) ) · centre(P_j)
 * </pre>
 * where x_{W(p)} is the noisy latent in the k×k window around p (zero-padded beyond the image, so windows near the
 * border know it), P_j a training window taken at any position of any training latent, n_j how many identical
 * windows it stands for, and centre(P_j) its middle cell. The window size shrinks with the noise (a stage per
 * timestep range): at high noise a window covers the whole 64×64 training picture, so the layout is coherent; at low
 * noise 3×3 cells, so details recombine across pictures — new images as mosaics of training windows, not copies. The
 * highest-noise stages work on 2×2-pooled latents (a blur changes nothing that the noise has not already hidden) and
 * their prediction is scaled back up, which keeps their windows few.
 *
 * <p><b>Local conditioning</b> (a closed-form analogue of cross-attention): the compiler reads each training picture
 * into a background and a foreground region ({@link Regions}); a window's label is what its own cells show — the
 * background colour if it holds background cells, the foreground colour and shape descriptor if it holds foreground
 * cells. A ridge regression from the pooled prompt embedding to those attributes (fitted on the captions) reads
 * what the prompt asks of each region; its background and fill columns are fitted on every caption both as written
 * and without its foreground colour word ({@link WorldCompiler#withoutForegroundColour}), so leaving that word out
 * of a prompt does not move what the layout is asked for (world-16: the colour-blind stage's share of the colour
 * word's influence, 15 % of a small triangle's map, went with it; maps ≥ 70 % on the foreground 14 → 16 of 20).
 * The prior pen_j is the squared distance between window j's background colour and shape and the prompt's, counted
 * for each region the window holds (plus a fixed cost for a window without foreground, {@link #ABSENCE}). The foreground colour is not in the prior: each window's foreground is
 * <em>repainted</em> in the colour the prompt asks for (the {@link Colour#REPAINT} stages). The world's encoder is
 * linear, so a cell whose foreground pixels change colour by Δ moves by J·Δ, with J the encoder's weights summed over
 * the cell's foreground pixels ({@link WorldCompiler#recolourJacobian}); the prediction becomes
 * Σ_j w_j (centre_j + ρ·J_j(ĉ − c_j)), with c_j the window's own foreground colour, ĉ the prompt's and ρ how sure the
 * prompt is of it ({@link Paint}). The pooled stages repaint each of a window centre's 2×2 latent cells with its own
 * J, at full resolution. So a window of foreground next to blue background is welcome for "a red circle on a blue
 * background" whatever colour its foreground had, which is what lets held-out combinations be composed; and the
 * colour word acts where the foreground is, not on the layout. g is 0 for the empty prompt (its hidden states are all
 * zero, and ρ = 0): the unconditional field is the plain window posterior, so classifier-free guidance has two fields
 * to extrapolate — and extrapolates the colour.
 *
 * <p>Why repaint rather than charge windows for their foreground colour (the {@link Colour#PRIOR} mode, world-13):
 * at high noise the windows see the whole 64×64 picture, so a prior on the foreground colour chose among the pictures
 * of that colour only — a different set of layouts for every colour word — and leaving the word out moved every cell,
 * not the foreground. The first stage (t &gt; 800) is {@link Colour#BLIND}: it lays out shape and background, and the
 * colour is painted from t = 800 on. Measured (world-13 → world-14; 20 prompts × 5 seeds at CFG 7.5, the CFG sweep,
 * {@code InfluenceIT}'s 20 prompts): both colours right 93 → 97 %; CFG pairs closer than 2 levels 2 → 0 of 600;
 * distance from the CFG-0 image rising with guidance on 16 → 19 of 20 prompts; the colour word's same-latents map on
 * the foreground, median 30 → 73 % (13 of 20 prompts ≥ 70 %); held-out combinations 70 → 50 % (see the README).
 * World-15 changed the stages' banks and boundaries ({@link #STAGES}): 99 % both colours right, 80 % held-out.
 *
 * <p><b>Cost bound</b>: each stage keeps every window of a fixed subset of training pictures (every
 * {@code imageStride}-th), deduplicated exactly (identical windows with identical labels become one with a count),
 * rather than a random sample of windows from all pictures: whole pictures keep each stage able to rebuild the
 * edges and corners that go together. A stage costs J·4k² multiply-adds per latent position (one MatMul of every
 * position's window against the bank); the stage is chosen by an {@code If} on the timestep, so only one runs per
 * call. Above 256×256 a second {@code If} on the canvas size uses only the windows of every second picture of the
 * stage (the bank's first columns): a large canvas has many positions, so fewer windows per position still give it
 * plenty to compose from, and its cost (and its largest tensor, positions × windows) halves — measured on 512×512,
 * 51 → 25 s of process CPU and 5.9 → 3.2 GB peak RSS. Two things keep the products cheap: logits are floored
 * {@link #FLOOR} nats below each position's best (without it, most weights at low noise were denormal floats and
 * the U-Net 3× slower), and an unpooled repainting stage takes its centres and repaint columns from one product
 * ({@code Params.centres}).
 *
 * <p><b>Smoothness</b>: each training window stands for a small Gaussian (width {@link #BANDWIDTH}) rather than a
 * point, which matters only at low noise: there the prediction keeps what x_t holds instead of snapping to the
 * nearest training window (see {@link #BANDWIDTH}).
 */
final class LocalDenoiserModel {

    /** How a stage treats the foreground colour the prompt asks for. */
    enum Colour {
        /** Not at all: windows are chosen by shape, background and the input alone. */
        BLIND,
        /** In the prior: a window pays λ·(squared palette distance) for a foreground of another colour. */
        PRIOR,
        /** By repainting: windows are chosen colour-blind and their foreground repainted in the prompt's colour. */
        REPAINT
    }

    /**
     * One noise range's window posterior.
     *
     * @param above the stage runs when the timestep exceeds this (the last stage: every timestep left)
     * @param window the window side k in (pooled) latent cells, odd
     * @param pool latent cells averaged per side before windowing (1 or 2)
     * @param imageStride every how-many-th training picture gives its windows
     * @param colour how the stage brings in the prompt's foreground colour
     */
    record Stage(double above, int window, int pool, int imageStride, Colour colour) {

        /** Whether the stage repaints its windows' foreground. */
        boolean recolour() {
            return colour == Colour.REPAINT;
        }
    }

    /**
     * The default stages (timesteps 999 → 0). Measured on 20 prompts × 5 seeds at CFG 7.5 (both colours right): the
     * pooled stages ending at t = 600 gave 76 %, at t = 300 87 %, with 7×7 pooled windows down to t = 300 88 % (and
     * 2 of 190 seed pairs alike instead of 29); ending them at t = 200 lost again (82 %), as did every 8th picture
     * for the 5×5 stage (82 %, 1.6× faster). The layout is decided while the windows still see the whole picture;
     * the unpooled stages only draw the edges.
     *
     * <p>World-15 (repainting, {@link #FLOOR}): the pooled stage ends at t = 450 and the unpooled stages take every
     * 6th picture. Measured against world-14 (pooled to t = 300, every 4th picture; EmbeddedWorldIT's and
     * InfluenceIT's measures — both colours right / held-out / CFG trend / colour-word maps ≥ 70 % on the
     * foreground): world-14 97 % / 50 % / 19 of 20 / 13 of 20; every 6th picture for the 5×5 stage 97 / 60 / 19 / 15;
     * for both unpooled stages 96 / 70 / 17 / 14; every 8th for the 5×5 stage 92 / 65 / 18 / 13; pooled to t = 200
     * 96 / 70 / 16 / 13; to t = 450 99 / 80 / 18 / 14 (this); to t = 550 96 / 65 / 18 / 15; to t = 650 92 / 70 /
     * 19 / 13; to t = 450 with every 4th picture 100 / 75 / 18 / 12. Held-out figures are 20 images each (5 % a
     * step), so only the larger differences are signal. Why fewer pictures help the repainting stages is not
     * established; one guess is that windows differing only in their foreground colour, all repainted alike,
     * weigh a shape more the more colours of it the bank holds. World-16 keeps these stages (its change is the
     * prompt readings': colour-word maps 14 → 16 of 20, the other measures unchanged).
     */
    static final List<Stage> STAGES = List.of(new Stage(800, 7, 2, 4, Colour.BLIND),
            new Stage(450, 7, 2, 2, Colour.REPAINT), new Stage(150, 5, 1, 6, Colour.REPAINT),
            new Stage(Double.NEGATIVE_INFINITY, 3, 1, 6, Colour.REPAINT));

    /** Rows × latent height × width per U-Net call: one 512×512 image with classifier-free guidance. */
    static final int MAX_LATENT_POSITIONS = 2 * 64 * 64;

    /**
     * h: each training window's Gaussian width, in latent units (see {@link Schedule}). With h = 0 the last stage
     * snaps every cell to an exact training window: two seeds can land on the same picture (188 of 190 seed pairs
     * distinct), only 56 % of images are farther from the training set than its members are from each other, and
     * guidance can change which windows are used but never push past them, so the CFG sweep shows no trend. With
     * h > 0 the denoiser is smooth at low noise, as a trained network is: it keeps what the sampler (and guidance's
     * extrapolation) put into x_t instead of replacing it, so stronger guidance moves the image further from the
     * unconditional one and oversaturates, as trained models do. Measured (20 prompts, CFG 7.5 × 5 seeds; sweep
     * 0/3/12/25 × 5 seeds; 20 held-out images), before {@link #ABSENCE}: h = 0 (λ = 4) gave 90 % adherence, 188 of
     * 190 distinct seed pairs, 56 % novel images and no monotone CFG measure; h = 0.1 (λ = 5) 87 %, 190 of 190, 99 %
     * and a distance from the unconditional image rising with guidance on 17 of 20 prompts; h = 0.07 86 % (held-out
     * 65 %), h = 0.13 85 % (65 %). With it, see the README's table.
     */
    static final double BANDWIDTH = 0.1;

    /** Latent positions per row above which a stage uses only its reduced bank: larger than 256×256 images. */
    static final long LARGE_CANVAS = 32 * 32;
    /** The reduced bank keeps the windows of every REDUCTION-th of a stage's pictures. */
    static final int REDUCTION = 2;

    /** Foreground (or background) cells a window must hold for that region's label to count in full. */
    static final double PRESENCE_CELLS = 2;
    /**
     * λ: the prompt prior's weight, in nats per unit of squared attribute distance. Tuned with {@link #ABSENCE} on 20
     * prompts × 5 seeds (adherence) and 4 held-out combinations × 5 seeds, h = 0.1: without the absence cost λ = 4
     * gave 87 % and 60 %, λ = 5 87 % and 70 %, λ = 6 86 % and 65 %; with it (β = 0.6) λ = 4 93 % and 60 %, λ = 5
     * 93 % and 60 %, λ = 6 93 % and 70 %, λ = 7 92 % and 65 %.
     */
    static final double LAMBDA = 6;

    /**
     * β: the cost, in units of λ, of a window that holds no foreground cell, for a prompt (not for the empty one).
     * The colour penalty charges a window for the colours it shows, so without β an all-background window pays
     * nothing for the missing foreground and the prior is indifferent between a small foreground and none: most
     * misses were images of plain background (an orange triangle on yellow, a green circle on black). Every training
     * picture has a foreground, so a prompt's field should prefer windows that hold one. Measured with λ = 5:
     * β = 0 87 % adherence, 0.2 89 %, 0.4 91 %, 0.6 93 %, 1.0 94 % (held-out 70/65/55/60/60 %, 20 images each).
     */
    static final double ABSENCE = 0.6;
    /**
     * How far, in nats, a window's logit may fall below the best window's at the same position: lower logits are
     * raised to it before the softmax. At low noise the posterior is sharp, so without a floor most of the tens of
     * thousands of weights per position land in float's denormal range (below 1.2e-38), where x86 arithmetic takes
     * a microcode slow path in the softmax and in every product of the weights: a 5×5-window call (2 rows, 64×64)
     * took 33–38 ms, 10 ms with denormals flushed to zero and 13 ms with this floor. ONNX Runtime's
     * {@code set_denormal_as_zero} cannot be used instead: with the process's global thread pool it made no
     * difference (measured, with the session option and the global pool's option alike). With the floor each
     * weight is at least e^−60 / J ≈ 4e−31 of its position's total, and the floored windows together add less than
     * J·e^−60 ≈ 2e−22 of weight: nothing a float sum of the centres can show.
     */
    static final double FLOOR = 60;
    /** μ: the weight of the shape descriptor's squared distance relative to the colours'. */
    static final double SHAPE_WEIGHT = 40;

    /** Attributes per picture: foreground palette membership, background palette membership, fill ratio. */
    static final int ATTRIBUTES = 2 * WorldCompiler.PALETTE_SIZE + 1;
    /** φ(prompt) = [â, b̂, r̂, ‖â‖², ‖b̂‖², r̂², 1]: the penalty is φ · M_j. */
    static final int PHI = ATTRIBUTES + 6;

    private LocalDenoiserModel() {
    }

    /** One stage's windows, ready for the graph. */
    record Bank(Stage stage, int count, float[] kernels, float[] halfNorms, float[] logCounts, float[] centres,
            float[] penalty, int distinct, int total, int reduced, float[] reducedLogCounts, float[] jacobians,
            float[] shifts) {
    }

    /**
     * Collects a stage's windows.
     *
     * @param latents the scaled training latents, [n, 4, grid, grid] flattened
     * @param regions each picture's regions (cellForeground on the grid)
     * @param attributes each picture's attributes, [n, ATTRIBUTES]
     */
    static Bank bank(Stage s, float[] latents, List<Regions> regions, List<float[]> recolour, double[][] attributes,
            int n, int grid) {
        int p = s.pool();
        int g = (grid + p - 1) / p;
        int k = s.window();
        int r = k / 2;
        int dim = 4 * k * k;
        Map<Key, Integer> index = new HashMap<>();
        List<float[]> windows = new ArrayList<>();
        List<float[]> labels = new ArrayList<>();
        List<float[]> centres = new ArrayList<>();
        List<float[]> jacobians = new ArrayList<>();
        List<float[]> shifts = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        int total = 0;
        // Pictures in two passes: every (REDUCTION·stride)-th first, then the rest of every stride-th. The windows
        // of the first pass are the bank's first columns, so a large canvas can use just them (see stage()).
        List<Integer> order = new ArrayList<>();
        int coarse = REDUCTION * s.imageStride();
        for (int i = 0; i < n; i += coarse) {
            order.add(i);
        }
        int firstPass = order.size();
        for (int i = 0; i < n; i += s.imageStride()) {
            if (i % coarse != 0) {
                order.add(i);
            }
        }
        int reduced = 0;
        int[] reducedCounts = null;
        for (int o = 0; o < order.size(); o++) {
            if (o == firstPass) {
                reduced = windows.size();
                reducedCounts = counts.stream().mapToInt(Integer::intValue).toArray();
            }
            int i = order.get(o);
            float[] lat = pool(latents, i * 4 * grid * grid, 4, grid, p);
            float[] fgCells = pool(regions.get(i).cellForeground(), 0, 1, grid, p);
            float[] jac = recolour.get(i);
            double[] fgColour = regions.get(i).foreground();
            for (int cy = 0; cy < g; cy++) {
                for (int cx = 0; cx < g; cx++) {
                    float[] w = new float[dim];
                    double fg = 0;
                    double all = 0;
                    for (int dy = -r; dy <= r; dy++) {
                        for (int dx = -r; dx <= r; dx++) {
                            int y = cy + dy;
                            int x = cx + dx;
                            if (y < 0 || x < 0 || y >= g || x >= g) {
                                continue;
                            }
                            for (int c = 0; c < 4; c++) {
                                w[(c * k + dy + r) * k + dx + r] = lat[(c * g + y) * g + x];
                            }
                            fg += fgCells[y * g + x];
                            all += 1;
                        }
                    }
                    double cellsPer = (double) p * p;
                    float fa = (float) Math.min(1, fg * cellsPer / PRESENCE_CELLS);
                    float fb = (float) Math.min(1, (all - fg) * cellsPer / PRESENCE_CELLS);
                    float[] label = new float[2 + ATTRIBUTES];
                    label[0] = fa;
                    label[1] = fb;
                    for (int a = 0; a < ATTRIBUTES; a++) {
                        label[2 + a] = (float) attributes[i][a];
                    }
                    float[] centre = new float[4];
                    for (int c = 0; c < 4; c++) {
                        centre[c] = lat[(c * g + cy) * g + cx];
                    }
                    // The repaint of the centre at full resolution: each of its p×p latent cells' own Jacobian.
                    float[] jc = new float[p * p * 12];
                    float[] shift = new float[p * p * 4];
                    for (int sy = 0; sy < p; sy++) {
                        for (int sx = 0; sx < p; sx++) {
                            int y = cy * p + sy;
                            int x = cx * p + sx;
                            if (y >= grid || x >= grid) {
                                continue;
                            }
                            int sub = sy * p + sx;
                            for (int e = 0; e < 12; e++) {
                                float v = jac[(y * grid + x) * 12 + e];
                                jc[sub * 12 + e] = v;
                                shift[sub * 4 + e / 3] += (float) (v * fgColour[e % 3]);
                            }
                        }
                    }
                    total++;
                    Key key = new Key(w, labelKey(label));
                    Integer at = index.get(key);
                    if (at == null) {
                        index.put(key, windows.size());
                        windows.add(w);
                        labels.add(label);
                        centres.add(centre);
                        jacobians.add(jc);
                        shifts.add(shift);
                        counts.add(1);
                    } else {
                        counts.set(at, counts.get(at) + 1);
                    }
                }
            }
        }
        int j = windows.size();
        if (reducedCounts == null) {
            reduced = j;
            reducedCounts = counts.stream().mapToInt(Integer::intValue).toArray();
        }
        float[] reducedLogCounts = new float[reduced];
        for (int q = 0; q < reduced; q++) {
            reducedLogCounts[q] = (float) Math.log(reducedCounts[q]);
        }
        float[] kernels = new float[j * dim];
        float[] halfNorms = new float[j];
        float[] logCounts = new float[j];
        float[] centreArr = new float[4 * j];
        float[] penalty = new float[PHI * j];
        int subs = p * p;
        float[] jacArr = new float[subs * 12 * j];
        float[] shiftArr = new float[subs * 4 * j];
        for (int q = 0; q < j; q++) {
            System.arraycopy(jacobians.get(q), 0, jacArr, q * subs * 12, subs * 12);
            System.arraycopy(shifts.get(q), 0, shiftArr, q * subs * 4, subs * 4);
            float[] w = windows.get(q);
            System.arraycopy(w, 0, kernels, q * dim, dim);
            double nn = 0;
            for (float v : w) {
                nn += (double) v * v;
            }
            halfNorms[q] = (float) (0.5 * nn);
            logCounts[q] = (float) Math.log(counts.get(q));
            for (int c = 0; c < 4; c++) {
                centreArr[q * 4 + c] = centres.get(q)[c];
            }
            penaltyRow(labels.get(q), penalty, q, j, s.colour() == Colour.PRIOR);
        }
        return new Bank(s, j, kernels, halfNorms, logCounts, centreArr, penalty, j, total, reduced, reducedLogCounts,
                jacArr, shiftArr);
    }

    /** [grid, grid, 12] → [12, grid, grid]. */
    private static float[] planes(float[] cellMajor, int grid) {
        int cells = grid * grid;
        float[] out = new float[cellMajor.length];
        for (int cell = 0; cell < cells; cell++) {
            for (int e = 0; e < 12; e++) {
                out[e * cells + cell] = cellMajor[cell * 12 + e];
            }
        }
        return out;
    }

    /**
     * Column q of M [PHI, J]: pen = fa·(‖A − â‖² − min_c‖e_c − â‖²) + fb·(‖B − b̂‖² − min_c‖e_c − b̂‖²)
     * + μ·fa·(R − r̂)², expanded so that pen = φ·M_q with φ = [â, b̂, r̂, ‖â‖², ‖b̂‖², r̂², 1, ρ(â), ρ(b̂)].
     */
    private static void penaltyRow(float[] label, float[] m, int q, int j, boolean fgColour) {
        int k = WorldCompiler.PALETTE_SIZE;
        double fa = label[0];
        double fc = fgColour ? fa : 0;
        double fb = label[1];
        double constant = 0;
        for (int a = 0; a < k; a++) {
            double av = label[2 + a];
            double bv = label[2 + k + a];
            m[a * j + q] = (float) (-2 * fc * av);
            m[(k + a) * j + q] = (float) (-2 * fb * bv);
            constant += fc * av * av + fb * bv * bv;
        }
        double rv = label[2 + 2 * k];
        m[(2 * k) * j + q] = (float) (-2 * SHAPE_WEIGHT * fa * rv);
        m[(2 * k + 1) * j + q] = (float) fc;
        m[(2 * k + 2) * j + q] = (float) fb;
        m[(2 * k + 3) * j + q] = (float) (SHAPE_WEIGHT * fa);
        m[(2 * k + 4) * j + q] = (float) (constant + SHAPE_WEIGHT * fa * rv * rv + ABSENCE * (1 - fa));
        m[(2 * k + 5) * j + q] = (float) fc;
        m[(2 * k + 6) * j + q] = (float) fb;
    }

    /** The label as it matters for the penalty: a region's attributes count only where the window holds it. */
    private static float[] labelKey(float[] label) {
        int k = WorldCompiler.PALETTE_SIZE;
        float[] out = label.clone();
        for (int a = 0; a < k; a++) {
            if (label[0] == 0) {
                out[2 + a] = 0;
            }
            if (label[1] == 0) {
                out[2 + k + a] = 0;
            }
        }
        if (label[0] == 0) {
            out[2 + 2 * k] = 0;
        }
        return out;
    }

    private record Key(float[] window, float[] label) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key other && Arrays.equals(window, other.window) && Arrays.equals(label, other.label);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(window) + Arrays.hashCode(label);
        }
    }

    /**
     * Average-pools one picture's [channels, grid, grid] plane by {@code p} (ceil: a partial block averages what it
     * has).
     */
    static float[] pool(float[] data, int offset, int channels, int grid, int p) {
        if (p == 1) {
            return Arrays.copyOfRange(data, offset, offset + channels * grid * grid);
        }
        int g = (grid + p - 1) / p;
        float[] out = new float[channels * g * g];
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < g; y++) {
                for (int x = 0; x < g; x++) {
                    double s = 0;
                    int n = 0;
                    for (int dy = 0; dy < p; dy++) {
                        for (int dx = 0; dx < p; dx++) {
                            int yy = y * p + dy;
                            int xx = x * p + dx;
                            if (yy < grid && xx < grid) {
                                s += data[offset + (c * grid + yy) * grid + xx];
                                n++;
                            }
                        }
                    }
                    out[(c * g + y) * g + x] = (float) (s / n);
                }
            }
        }
        return out;
    }

    /**
     * The U-Net graph: {@code sample} [b, 4, h, w] (any h, w), {@code timestep} [steps] float, {@code
     * encoder_hidden_states} [b, sequence, D] → {@code out_sample} (epsilon).
     *
     * @param promptWeights the ridge map from [unit pooled embedding, 1] to the attributes, [D + 1][ATTRIBUTES]
     */
    static byte[] graph(List<Bank> banks, double[][] promptWeights, float[] alphasCumprod, int d) {
        OnnxGraph g = new OnnxGraph("assay-world-local-denoiser").producer("assay-world");
        g.input("sample", OnnxGraph.FLOAT, new long[] {-1, 4, -1, -1}, "batch", "height", "width");
        g.input("timestep", OnnxGraph.FLOAT, new long[] {-1}, "steps");
        g.input("encoder_hidden_states", OnnxGraph.FLOAT, new long[] {-1, -1, d}, "batch", "sequence");
        // The timestep comes as [1] or [batch] (every row at the same step): one scalar for the whole call.
        String t = g.op("ReduceMax", new String[] {"timestep"}, OnnxGraph.intAttr("keepdims", 0));
        Schedule sched = Schedule.of(g, alphasCumprod, t, BANDWIDTH);

        // What the prompt asks of each region: φ [b, PHI], and the gate g (0 for the empty prompt).
        String pooled = pooledHiddenStates(g);
        String norm = g.op("ReduceL2", new String[] {pooled, g.constLongs(1)}, OnnxGraph.intAttr("keepdims", 1));
        String unit = g.op("Div", new String[] {pooled, g.op("Add", new String[] {norm, g.constFloat(1e-6f)})});
        String gate = g.op("Sign", new String[] {norm});
        float[] wm = new float[d * ATTRIBUTES];
        float[] wb = new float[ATTRIBUTES];
        for (int a = 0; a < d; a++) {
            for (int c = 0; c < ATTRIBUTES; c++) {
                wm[a * ATTRIBUTES + c] = (float) promptWeights[a][c];
            }
        }
        for (int c = 0; c < ATTRIBUTES; c++) {
            wb[c] = (float) promptWeights[d][c];
        }
        String attrs = g.op("Add", new String[] {g.op("MatMul", new String[] {unit,
            g.floats("prompt_attributes_w", new long[] {d, ATTRIBUTES}, wm)}),
            g.floats("prompt_attributes_b", new long[] {ATTRIBUTES}, wb)});
        int k = WorldCompiler.PALETTE_SIZE;
        String fgA = g.slice(attrs, new long[] {0}, new long[] {k}, new long[] {1});
        String bgA = g.slice(attrs, new long[] {k}, new long[] {2 * k}, new long[] {1});
        String fill = g.slice(attrs, new long[] {2 * k}, new long[] {2 * k + 1}, new long[] {1});
        String ones = g.op("Add", new String[] {g.op("Mul", new String[] {fill, g.constFloat(0f)}), g.constFloat(1f)});
        String phi = g.op("Concat", new String[] {fgA, bgA, fill,
            g.op("ReduceSumSquare", new String[] {fgA, g.constLongs(1)}),
            g.op("ReduceSumSquare", new String[] {bgA, g.constLongs(1)}),
            g.op("Mul", new String[] {fill, fill}), ones, relative(g, fgA), relative(g, bgA)},
                OnnxGraph.intAttr("axis", 1));
        String prior = g.op("Mul", new String[] {gate, g.constFloat((float) -LAMBDA)});
        Paint paint = Paint.of(g, fgA, gate);

        // One stage per timestep range, chosen by a chain of Ifs on the timestep.
        String x0 = stages(g, g, banks, 0, t, phi, prior, paint, sched);
        String eps = g.op("Div", new String[] {g.op("Sub", new String[] {"sample", g.op("Mul", new String[] {x0,
            sched.sqrtAlpha()})}), sched.sqrtOneMinus()});
        g.op("Identity", new String[] {eps}, "out_sample");
        g.output("out_sample", OnnxGraph.FLOAT, new long[] {-1, 4, -1, -1}, "batch", "height", "width");
        return g.toBytes();
    }

    /**
     * The sum of {@code encoder_hidden_states} over the sequence, [b, D], with the same bits whatever the batch: a
     * row of ones [1, S] times the hidden states, one product per row. ONNX Runtime's ReduceSum over axis 1 sums a
     * [1, S, D] and a [2, S, D] input in different orders (measured with 77 × 128: 210 of 256 sums differed in their
     * last bits, with one thread or two, with or without graph optimisation; so did a ReduceSum over the last axis
     * after a Transpose). The sharp window posterior carried that into the picture: a prompt's image depended on
     * how many rows shared its denoiser call ({@code denoiser.max-batch}, the conditional and unconditional rows
     * together or apart).
     */
    static String pooledHiddenStates(OnnxGraph g) {
        String sequence = g.op("Gather", new String[] {g.op("Shape", new String[] {"encoder_hidden_states"}),
            g.constLongs(1)});
        String ones = g.op("Expand", new String[] {g.constFloat(1f), g.op("Concat", new String[] {g.constLongs(1),
            sequence}, OnnxGraph.intAttr("axis", 0))});
        String sum = g.op("MatMul", new String[] {ones, "encoder_hidden_states"});
        return g.op("Squeeze", new String[] {sum, g.constLongs(1)});
    }

    /**
     * −min_c ‖e_c − â‖² = 2·max_c â_c − 1 − ‖â‖², [b, 1]: subtracted (times the region's presence) from each window's
     * colour penalty, so a window of the colour the prompt most asks for pays nothing. Without it a window holding
     * the region pays for the regression's imperfection (â is never exactly one-hot) while a window without it pays
     * nothing, and the prior quietly prefers leaving the foreground out.
     */
    private static String relative(OnnxGraph g, String a) {
        String max = g.op("ReduceMax", new String[] {a, g.constLongs(1)}, OnnxGraph.intAttr("keepdims", 1));
        String sq = g.op("ReduceSumSquare", new String[] {a, g.constLongs(1)}, OnnxGraph.intAttr("keepdims", 1));
        return g.op("Sub", new String[] {g.op("Sub", new String[] {g.op("Mul", new String[] {max, g.constFloat(2f)}),
            g.constFloat(1f)}), sq});
    }

    /** Stages {@code from}… as a chain of Ifs built into {@code into}: only the stage for this timestep runs. */
    private static String stages(OnnxGraph model, OnnxGraph into, List<Bank> banks, int from, String t, String phi,
            String prior, Paint paint, Schedule sched) {
        Bank bank = banks.get(from);
        if (from == banks.size() - 1) {
            return stage(model, into, bank, from, phi, prior, paint, sched);
        }
        OnnxGraph then = into.branch("stage_" + from);
        then.output(then.op("Identity", new String[] {stage(model, then, bank, from, phi, prior, paint, sched)}),
                OnnxGraph.FLOAT);
        OnnxGraph otherwise = into.branch("after_stage_" + from);
        otherwise.output(otherwise.op("Identity", new String[] {stages(model, otherwise, banks, from + 1, t, phi,
            prior, paint, sched)}), OnnxGraph.FLOAT);
        String cond = into.op("Greater", new String[] {t, into.constFloat((float) bank.stage().above())});
        return into.op("If", new String[] {cond}, OnnxGraph.graphAttr("then_branch", then),
                OnnxGraph.graphAttr("else_branch", otherwise));
    }

    /** One stage's x̂0 [b, 4, h, w], built into {@code into} (the model graph or an If branch). */
    private static String stage(OnnxGraph model, OnnxGraph into, Bank bank, int index, String phi, String prior,
            Paint paint, Schedule sched) {
        Stage s = bank.stage();
        int j = bank.count();
        String name = "stage" + index + "_";
        String q = "sample";
        if (s.pool() > 1) {
            q = into.op("AveragePool", new String[] {"sample"}, OnnxGraph.ints("kernel_shape", s.pool(), s.pool()),
                    OnnxGraph.ints("strides", s.pool(), s.pool()), OnnxGraph.intAttr("ceil_mode", 1));
        }
        Params params = Params.of(model, bank, name);
        String x0;
        if (bank.reduced() < j) {
            // Cost bound for large canvases: above LARGE_CANVAS latent positions per row the stage uses only the
            // windows of every REDUCTION-th of its pictures (the bank's first columns, with their own counts) — the
            // cost is positions × windows, and a large canvas has many positions to make up for fewer windows.
            OnnxGraph small = into.branch(name + "all_windows");
            small.output(small.op("Identity", new String[] {posterior(small, bank, params, q, phi, prior, paint, sched, j,
                params.logCounts())}), OnnxGraph.FLOAT);
            OnnxGraph large = into.branch(name + "fewer_windows");
            String reducedCounts = model.floats(name + "log_counts_reduced", new long[] {bank.reduced()},
                    bank.reducedLogCounts());
            large.output(large.op("Identity", new String[] {posterior(large, bank, params, q, phi, prior, paint,
                sched, bank.reduced(), reducedCounts)}), OnnxGraph.FLOAT);
            String shape = into.op("Shape", new String[] {"sample"});
            String positions = into.op("ReduceProd", new String[] {into.slice(shape, new long[] {2}, new long[] {4},
                new long[] {0})}, OnnxGraph.intAttr("keepdims", 0));
            String isLarge = into.op("Greater", new String[] {positions, into.constLongs(LARGE_CANVAS)});
            x0 = into.op("If", new String[] {into.op("Squeeze", new String[] {isLarge})},
                    OnnxGraph.graphAttr("then_branch", large), OnnxGraph.graphAttr("else_branch", small));
        } else {
            x0 = posterior(into, bank, params, q, phi, prior, paint, sched, j, params.logCounts());
        }
        String repaint = null;
        if (s.recolour()) {
            int subs = s.pool() * s.pool();
            repaint = into.slice(x0, new long[] {4}, new long[] {4 + 4L * subs}, new long[] {1});
            x0 = into.slice(x0, new long[] {0}, new long[] {4}, new long[] {1});
            if (s.pool() > 1) {
                // Each pooled cell's p×p sub-cells back in place (cropped where ceil-mode pooling padded the edge).
                String full = into.op("DepthToSpace", new String[] {repaint}, OnnxGraph.intAttr("blocksize", s.pool()),
                        OnnxGraph.stringAttr("mode", "DCR"));
                String size = into.slice(into.op("Shape", new String[] {"sample"}), new long[] {2}, new long[] {4},
                        new long[] {0});
                repaint = into.op("Slice", new String[] {full, into.constLongs(0, 0), size, into.constLongs(2, 3)});
            }
        }
        if (s.pool() > 1) {
            String size = into.slice(into.op("Shape", new String[] {"sample"}), new long[] {2}, new long[] {4},
                    new long[] {0});
            String batchChannels = into.slice(into.op("Shape", new String[] {x0}), new long[] {0}, new long[] {2},
                    new long[] {0});
            String sizes = into.op("Concat", new String[] {batchChannels, size}, OnnxGraph.intAttr("axis", 0));
            x0 = into.op("Resize", new String[] {x0, "", "", sizes}, OnnxGraph.stringAttr("mode", "linear"),
                    OnnxGraph.stringAttr("coordinate_transformation_mode", "half_pixel"));
        }
        if (repaint != null) {
            x0 = into.op("Add", new String[] {x0, repaint});
        }
        if (BANDWIDTH > 0) {
            // Each window a Gaussian N(P_j, h²): E[x0 | x_t, j] = P_j + γ(x_t − √ᾱ P_j): the posterior mean of the
            // centres pulled towards the input.
            x0 = into.op("Add", new String[] {into.op("Mul", new String[] {x0, sched.keep()}),
                into.op("Mul", new String[] {"sample", sched.gamma()})});
        }
        return x0;
    }

    /** A stage's initializers, registered once in the model (both branches of the canvas-size If use them). */
    private record Params(String patchGather, String windows, String penalty, String halfNorms, String logCounts,
            String centres, List<String> repaints) {

        static Params of(OnnxGraph model, Bank bank, String name) {
            int k = bank.stage().window();
            int j = bank.count();
            int dim = 4 * k * k;
            return new Params(model.floats(name + "patch_gather", new long[] {dim, 4, k, k}, identityPatches(k)),
                    model.floats(name + "windows", new long[] {dim, j}, transpose(bank.kernels(), j, dim)),
                    model.floats(name + "penalty", new long[] {PHI, j}, bank.penalty()),
                    model.floats(name + "half_norms", new long[] {j}, bank.halfNorms()),
                    model.floats(name + "log_counts", new long[] {j}, bank.logCounts()),
                    centres(model, bank, name), perSubCell(model, bank, name + "repaint"));
        }

        /**
         * The windows' centres, [J, 4] — or, for an unpooled repainting stage, [J, 20]: the centres followed by the
         * one cell's repaint columns ({@link #perSubCell}), so that one product of the weights gives both. Each
         * product of the [b, h, w, J] weights reads the largest tensor of the call once, and ONNX Runtime takes about
         * as long for 4 columns as for 20 (measured on 2 threads, J = 25 000: 9.5 ms for 4, 9.8 ms for 20), so the
         * merged product saves one such pass. A row's result still does not depend on its batch (checked for 4–48
         * columns with 2 and 6 rows: no value differs; InfluenceIT checks it end to end).
         */
        private static String centres(OnnxGraph model, Bank bank, String name) {
            int j = bank.count();
            if (!merged(bank.stage())) {
                return model.floats(name + "centres", new long[] {j, 4}, bank.centres());
            }
            float[] repaint = repaintColumns(bank, 0);
            float[] out = new float[j * 20];
            for (int q = 0; q < j; q++) {
                System.arraycopy(bank.centres(), q * 4, out, q * 20, 4);
                System.arraycopy(repaint, q * 16, out, q * 20 + 4, 16);
            }
            return model.floats(name + "centres_repaint", new long[] {j, 20}, out);
        }

        /** Whether a stage's centres and repaint columns are one initializer (an unpooled repainting stage). */
        static boolean merged(Stage stage) {
            return stage.recolour() && stage.pool() == 1;
        }

        /**
         * One [J, 16] initializer per latent cell of a window's (pooled) centre: per latent channel the Jacobian's
         * three colour columns and the window's own shift J·c_j, so that one product with [ĉ, −1] gives J(ĉ − c_j).
         * One MatMul per cell rather than one [J, cells·16]: ONNX Runtime splits the wider product differently across
         * threads for different batch sizes (measured: a 2-row call and the same rows in a 6-row call differed in 86
         * of 512 values with 2 threads, none with 1), and the influence maps rely on a row's result not depending on
         * its batch.
         */
        private static List<String> perSubCell(OnnxGraph model, Bank bank, String name) {
            if (!bank.stage().recolour() || merged(bank.stage())) {
                return List.of();
            }
            int subs = bank.stage().pool() * bank.stage().pool();
            List<String> out = new ArrayList<>();
            for (int sub = 0; sub < subs; sub++) {
                out.add(model.floats(name + "_" + sub, new long[] {bank.count(), 16}, repaintColumns(bank, sub)));
            }
            return out;
        }

        /** Sub-cell {@code sub}'s repaint columns, [J, 16]: per latent channel J's three colour columns and J·c_j. */
        private static float[] repaintColumns(Bank bank, int sub) {
            int subs = bank.stage().pool() * bank.stage().pool();
            int j = bank.count();
            float[] part = new float[j * 16];
            for (int q = 0; q < j; q++) {
                for (int k = 0; k < 4; k++) {
                    for (int c = 0; c < 3; c++) {
                        part[q * 16 + k * 4 + c] = bank.jacobians()[(q * subs + sub) * 12 + k * 3 + c];
                    }
                    part[q * 16 + k * 4 + 3] = bank.shifts()[(q * subs + sub) * 4 + k];
                }
            }
            return part;
        }
    }

    /**
     * The window posterior's mean of centres over the bank's first {@code cols} windows (with {@code logCounts} as
     * their counts), [b, 4, h', w'].
     */
    private static String posterior(OnnxGraph into, Bank bank, Params w, String q, String phi, String prior,
            Paint paint, Schedule sched, int cols, String logCounts) {
        int k = bank.stage().window();
        boolean all = cols == bank.count();
        String windows = all ? w.windows() : into.slice(w.windows(), new long[] {0}, new long[] {cols},
                new long[] {1});
        String penaltyM = all ? w.penalty() : into.slice(w.penalty(), new long[] {0}, new long[] {cols},
                new long[] {1});
        String halfNorms = all ? w.halfNorms() : into.slice(w.halfNorms(), new long[] {0}, new long[] {cols},
                new long[] {0});
        String centres = all ? w.centres() : into.slice(w.centres(), new long[] {0}, new long[] {cols},
                new long[] {0});
        // The timestep's scale √ᾱ/(1−ᾱ) goes on the (small) input rather than on the [b, J, h, w] dot products:
        // conv(a·q) = a·conv(q), and it saves a pass over the largest tensor of the call.
        String scaled = into.op("Mul", new String[] {q, sched.sqrtAlphaOverSpread()});
        // Patches last: an identity Conv gathers each position's k×k window ([b, 4k², h, w], small), a transpose
        // puts it last, and one MatMul against the windows gives the dot products as [b, h, w, J] — already laid out
        // for the Softmax over windows (ONNX Runtime's Softmax over a middle axis, or a transpose of the [b, J, h, w]
        // products, cost more than the products themselves).
        String patches = into.op("Transpose", new String[] {into.op("Conv", new String[] {scaled, w.patchGather()},
                OnnxGraph.ints("kernel_shape", k, k), OnnxGraph.ints("pads", k / 2, k / 2, k / 2, k / 2))},
                OnnxGraph.ints("perm", 0, 2, 3, 1));
        String dots = into.op("MatMul", new String[] {patches, windows});
        // bias [b, J] = −ᾱ/(1−ᾱ)·½‖P‖² + log n − λ·g·(φ·M)
        String penalty = into.op("Mul", new String[] {rowsTimes(into, phi, penaltyM), prior});
        String bias = into.op("Add", new String[] {into.op("Add", new String[] {into.op("Mul", new String[] {
            halfNorms, sched.negAlphaOverSpread()}), logCounts}), penalty});
        String logits = into.op("Add", new String[] {dots, into.unsqueeze(bias, 1, 2)});
        String weights = weights(into, logits);
        String mean = into.op("MatMul", new String[] {weights, centres});
        if (Params.merged(bank.stage())) {
            // One product gave the centres' mean and the one cell's repaint columns (Params.centres).
            String wj = into.op("Reshape", new String[] {into.slice(mean, new long[] {4}, new long[] {20},
                new long[] {-1}), into.constLongs(0, 0, 0, 4, 4)});
            String toTarget = into.op("ReduceSum", new String[] {into.op("Mul", new String[] {wj, paint.colour()}),
                into.constLongs(-1)}, OnnxGraph.intAttr("keepdims", 0));
            mean = into.op("Concat", new String[] {into.slice(mean, new long[] {0}, new long[] {4},
                new long[] {-1}), into.op("Mul", new String[] {toTarget, paint.strength()})},
                OnnxGraph.intAttr("axis", -1));
        } else if (bank.stage().recolour()) {
            // Repaint: each window's centre with its foreground in the prompt's colour, c0 + ρ·J_j(ĉ − c_j), summed
            // under the same weights: Σ w J_j ĉ − Σ w J_j c_j.
            // [b, h', w', 4] per latent cell of the centre, in (sub-row, sub-column) order, appended to the mean's 4
            // channels; the stage unfolds them with DepthToSpace (DCR) to full resolution.
            List<String> parts = new ArrayList<>();
            parts.add(mean);
            for (String r : w.repaints()) {
                String m = all ? r : into.slice(r, new long[] {0}, new long[] {cols}, new long[] {0});
                String wj = into.op("Reshape", new String[] {into.op("MatMul", new String[] {weights, m}),
                    into.constLongs(0, 0, 0, 4, 4)});
                String toTarget = into.op("ReduceSum", new String[] {into.op("Mul", new String[] {wj,
                    paint.colour()}), into.constLongs(-1)}, OnnxGraph.intAttr("keepdims", 0));
                parts.add(into.op("Mul", new String[] {toTarget, paint.strength()}));
            }
            mean = into.op("Concat", parts.toArray(new String[0]), OnnxGraph.intAttr("axis", -1));
        }
        return into.op("Transpose", new String[] {mean}, OnnxGraph.ints("perm", 0, 3, 1, 2));
    }

    /**
     * x [b, K] · m [K, N] with the same bits for a row whatever b. Inside a stage's If branch the bank's matrices are
     * outer-scope values, which ONNX Runtime does not pre-pack, and for a single row it then multiplies with a kernel
     * of its own that sums in another order: measured on a [46, 30 000] product given as an input, 47 917 of 60 000
     * values differed between a 1-row and a 2-row call, and none once a zero row was appended. So a row of zeros
     * goes under x (it keeps every call on the many-row kernel) and its product is sliced off.
     */
    static String rowsTimes(OnnxGraph into, String x, String m) {
        String zero = into.op("Mul", new String[] {into.slice(x, new long[] {0}, new long[] {1}, new long[] {0}),
            into.constFloat(0f)});
        String product = into.op("MatMul", new String[] {into.op("Concat", new String[] {x, zero},
            OnnxGraph.intAttr("axis", 0)), m});
        String rows = into.op("Shape", new String[] {x}, OnnxGraph.intAttr("end", 1));
        return into.op("Slice", new String[] {product, into.constLongs(0), rows, into.constLongs(0)});
    }

    /**
     * Softmax over the last axis of logits floored {@link #FLOOR} nats below their maximum: no weight, and no product
     * of one, falls into float's denormal range.
     */
    static String weights(OnnxGraph into, String logits) {
        String best = into.op("ReduceMax", new String[] {logits, into.constLongs(-1)}, OnnxGraph.intAttr("keepdims", 1));
        String floored = into.op("Max", new String[] {logits, into.op("Sub", new String[] {best,
            into.constFloat((float) FLOOR)})});
        return into.op("Softmax", new String[] {floored}, OnnxGraph.intAttr("axis", -1));
    }

    /**
     * The foreground colour the prompt asks for, as the repainting stages use it: [ĉ, −1] with ĉ = Σ_k
     * softmax(â/τ)_k·rgb_k (RGB 0–255), [b, 1, 1, 1, 4], and how sure the prompt is of it, ρ = (max_k softmax_k −
     * 1/K)/(1 − 1/K) times the gate, [b, 1, 1, 1] (0 for the empty prompt and for a prompt that names no colour).
     */
    record Paint(String colour, String strength) {

        /**
         * τ: the ridge's palette scores are near 1 for the named colour and near 0 for the others, so τ = 0.1 makes
         * the named colour's weight ≈ 0.998; a prompt that names no colour scores them all alike, and ρ ≈ 0.
         */
        static final double PAINT_TEMPERATURE = 0.1;

        static Paint of(OnnxGraph g, String fgA, String gate) {
            int k = WorldCompiler.PALETTE_SIZE;
            float[] rgb = new float[k * 3];
            for (int a = 0; a < k; a++) {
                for (int c = 0; c < 3; c++) {
                    rgb[a * 3 + c] = ProceduralWeb.RGB[a][c];
                }
            }
            String probs = g.op("Softmax", new String[] {g.op("Div", new String[] {fgA,
                g.constFloat((float) PAINT_TEMPERATURE)})}, OnnxGraph.intAttr("axis", 1));
            String colour = g.op("MatMul", new String[] {probs, g.floats("palette_rgb", new long[] {k, 3}, rgb)});
            String top = g.op("ReduceMax", new String[] {probs, g.constLongs(1)}, OnnxGraph.intAttr("keepdims", 1));
            String sure = g.op("Clip", new String[] {g.op("Div", new String[] {g.op("Sub", new String[] {top,
                g.constFloat(1f / k)}), g.constFloat(1f - 1f / k)}), g.constFloat(0f), g.constFloat(1f)});
            String strength = g.op("Mul", new String[] {sure, gate});
            // [ĉ, −1]: against a window's [J | J·c_j] rows it gives J(ĉ − c_j).
            String withShift = g.op("Concat", new String[] {colour, g.op("Sub", new String[] {g.op("Mul",
                new String[] {top, g.constFloat(0f)}), g.constFloat(1f)})}, OnnxGraph.intAttr("axis", 1));
            return new Paint(g.op("Reshape", new String[] {withShift, g.constLongs(-1, 1, 1, 1, 4)}),
                    g.op("Reshape", new String[] {strength, g.constLongs(-1, 1, 1, 1)}));
        }
    }

    /** Conv filters [4k², 4, k, k] that copy each cell of a k×k window to its own output channel (c, dy, dx order). */
    static float[] identityPatches(int k) {
        int dim = 4 * k * k;
        float[] f = new float[dim * dim];
        for (int o = 0; o < dim; o++) {
            f[o * dim + o] = 1;
        }
        return f;
    }

    /** [rows, cols] → [cols, rows]. */
    static float[] transpose(float[] a, int rows, int cols) {
        float[] out = new float[a.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[c * rows + r] = a[r * cols + c];
            }
        }
        return out;
    }

    /**
     * ᾱ at a float timestep (linear interpolation of the table) and the factors the graphs need. With a bandwidth h
     * each training window stands for a Gaussian N(P, h²) rather than a point, so x_t given window j is
     * N(√ᾱP, (1 − ᾱ + ᾱh²)): the "spread" replaces 1 − ᾱ in the posterior's logits, and the clean-latent estimate
     * given j is P + γ(x_t − √ᾱP) with γ = h²√ᾱ/(1 − ᾱ + ᾱh²) — x̂0 = keep·Σ w_j centre_j + γ·x_t, keep = 1 − γ√ᾱ.
     */
    record Schedule(String sqrtAlpha, String sqrtOneMinus, String sqrtAlphaOverOneMinus,
            String negAlphaOverOneMinus, String sqrtAlphaOverSpread, String negAlphaOverSpread, String gamma,
            String keep) {

        static Schedule of(OnnxGraph g, float[] alphasCumprod, String timestep) {
            return of(g, alphasCumprod, timestep, 0);
        }

        static Schedule of(OnnxGraph g, float[] alphasCumprod, String timestep, double bandwidth) {
            String ab = alphaBar(g, alphasCumprod, timestep);
            String one = g.constFloat(1f);
            String oneMinus = g.op("Sub", new String[] {one, ab});
            String sa = g.op("Sqrt", new String[] {ab});
            String h2 = g.constFloat((float) (bandwidth * bandwidth));
            String spread = g.op("Add", new String[] {oneMinus, g.op("Mul", new String[] {ab, h2})});
            String gamma = g.op("Div", new String[] {g.op("Mul", new String[] {h2, sa}), spread});
            String keep = g.op("Sub", new String[] {one, g.op("Mul", new String[] {gamma, sa})});
            return new Schedule(sa, g.op("Sqrt", new String[] {oneMinus}), g.op("Div", new String[] {sa, oneMinus}),
                    g.op("Neg", new String[] {g.op("Div", new String[] {ab, oneMinus})}),
                    g.op("Div", new String[] {sa, spread}), g.op("Neg", new String[] {g.op("Div", new String[] {ab,
                        spread})}), gamma, keep);
        }
    }

    /** ᾱ at a float timestep input: linear interpolation between the two neighbouring integer entries, [steps]. */
    static String alphaBar(OnnxGraph g, float[] alphasCumprod, String timestep) {
        String table = g.floats("alphas_cumprod", new long[] {alphasCumprod.length}, alphasCumprod);
        float last = alphasCumprod.length - 1;
        String t = g.op("Clip", new String[] {timestep, g.constFloat(0f), g.constFloat(last)});
        String lo = g.op("Floor", new String[] {t});
        String frac = g.op("Sub", new String[] {t, lo});
        String loIdx = g.cast(lo, OnnxGraph.INT64);
        String hiIdx = g.cast(g.op("Min", new String[] {g.op("Add", new String[] {lo, g.constFloat(1f)}),
            g.constFloat(last)}), OnnxGraph.INT64);
        String abLo = g.op("Gather", new String[] {table, loIdx});
        String abHi = g.op("Gather", new String[] {table, hiIdx});
        return g.op("Add", new String[] {abLo, g.op("Mul", new String[] {g.op("Sub", new String[] {abHi, abLo}),
            frac})});
    }
}
