package io.assay.sdk.testkit.contract;

import io.assay.sdk.Component;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.Setting;
import io.assay.sdk.StageException;
import io.assay.sdk.curation.Images;
import io.assay.sdk.curation.ScraperFilter;
import io.assay.sdk.curation.Verdict;
import io.assay.sdk.curation.WebRecord;
import io.assay.sdk.diffusion.Autoencoder;
import io.assay.sdk.diffusion.ConditioningKind;
import io.assay.sdk.diffusion.Conditioning;
import io.assay.sdk.diffusion.Denoiser;
import io.assay.sdk.diffusion.Guidance;
import io.assay.sdk.diffusion.LatentSampling;
import io.assay.sdk.diffusion.NoiseSource;
import io.assay.sdk.diffusion.NoiseStream;
import io.assay.sdk.diffusion.PredictionType;
import io.assay.sdk.diffusion.Scheduler;
import io.assay.sdk.diffusion.TextEncoder;
import io.assay.sdk.diffusion.TokenReport;
import io.assay.sdk.tensor.Tensor;
import jakarta.inject.Inject;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.pf4j.Extension;

/**
 * Small, correct implementations of every stage (the contracts must pass on them), with hooks the broken variants in
 * {@link ContractsCatchBrokenStagesTest} override to violate one rule each.
 */
public final class Toys {

    private Toys() {
    }

    static StageException closed(String name) {
        return new StageException(ErrorCode.CLOSED, "Component '" + name + "' was closed");
    }

    // ----------------------------------------------------------------------------------------------------------------

    /** DDIM on σ = t/100 (ᾱ = 1/(1 + σ²)), with a tiny multistep correction so it keeps history. */
    @Extension
    @Component(name = "toy-ddim", description = "A DDIM-like toy scheduler for the kit's own tests")
    public static class ToyScheduler implements Scheduler {
        volatile boolean closed;
        Tensor sharedHistory;

        @Override
        public Sampling plan(int steps) {
            if (closed) {
                throw closed("toy-ddim");
            }
            if (steps < 1 || steps > 1000) {
                throw new StageException(ErrorCode.INVALID_INPUT, "cannot plan " + steps + " steps");
            }
            return new Run(steps, timesteps(steps));
        }

        double[] timesteps(int n) {
            double[] t = new double[n];
            for (int i = 0; i < n; i++) {
                t[i] = Math.floor(999.0 * (n - i) / n);
            }
            return t;
        }

        /** What the run keeps of a model output (a copy; broken variants keep the caller's tensor). */
        Tensor remember(Tensor modelOutput) {
            return modelOutput.copy();
        }

        /** Called after each step with its inputs (broken variants modify them). */
        void touch(Tensor sample, Tensor modelOutput) {
        }

        /** Where a stochastic variant draws noise. */
        float[] noise(NoiseStream noise, int i, long[] shape) {
            return null;
        }

        boolean historyOnInstance() {
            return false;
        }

        boolean returnsDenoised() {
            return true;
        }

        @Override
        public PredictionType predictionType() {
            return PredictionType.EPSILON;
        }

        @Override
        public void close() {
            closed = true;
        }

        static double alphaBar(double t) {
            double s = t / 100;
            return 1 / (1 + s * s);
        }

        final class Run implements Sampling {
            final int steps;
            final double[] t;
            Tensor history;

            Run(int steps, double[] t) {
                this.steps = steps;
                this.t = t;
            }

            @Override
            public int iterations() {
                return t.length;
            }

            @Override
            public double timestep(int i) {
                return t[i];
            }

            @Override
            public double sigma(int i) {
                return t[i] / 100;
            }

            @Override
            public double initNoiseSigma() {
                return 1;
            }

            @Override
            public Tensor scaleModelInput(Tensor sample, int i) {
                return sample.copy();
            }

            @Override
            public Step step(Tensor modelOutput, int i, Tensor sample, NoiseStream noise) {
                double a = alphaBar(t[i]);
                double ap = i + 1 < t.length ? alphaBar(t[i + 1]) : 1.0;
                float[] x = sample.data();
                float[] e = modelOutput.data();
                Tensor prevEps = historyOnInstance() ? sharedHistory : history;
                float[] z = noise(noise, i, sample.shape());
                float[] x0 = new float[x.length];
                float[] out = new float[x.length];
                for (int j = 0; j < x.length; j++) {
                    x0[j] = (float) ((x[j] - Math.sqrt(1 - a) * e[j]) / Math.sqrt(a));
                    double eps = e[j] + (prevEps == null ? 0 : 0.01 * (e[j] - prevEps.data()[j]));
                    out[j] = (float) (Math.sqrt(ap) * x0[j] + Math.sqrt(1 - ap) * eps + (z == null ? 0 : 0.01 * z[j]));
                }
                if (historyOnInstance()) {
                    sharedHistory = remember(modelOutput);
                } else {
                    history = remember(modelOutput);
                }
                touch(sample, modelOutput);
                return new Step(new Tensor(sample.shape(), out), returnsDenoised() ? new Tensor(sample.shape(), x0)
                        : null);
            }

            @Override
            public Tensor addNoise(Tensor original, Tensor noise, int i) {
                double a = alphaBar(t[i]);
                float[] out = new float[original.size()];
                for (int j = 0; j < out.length; j++) {
                    out[j] = (float) (Math.sqrt(a) * original.data()[j] + Math.sqrt(1 - a) * noise.data()[j]);
                }
                return new Tensor(original.shape(), out);
            }

            @Override
            public int firstIteration(int n, double strength) {
                return n - Math.min((int) (n * strength), n);
            }
        }
    }

    // ----------------------------------------------------------------------------------------------------------------

    /** ε = 0.1·x + 0.01·mean(cond row) + 1e-5·t, per batch row. */
    @Extension
    @Component(name = "toy-denoiser", description = "A toy denoiser for the kit's own tests")
    public static class ToyDenoiser implements Denoiser {
        volatile boolean closed;

        @Override
        public Tensor predict(Tensor sample, double timestep, Tensor encoderHiddenStates) {
            if (closed) {
                throw closed("toy-denoiser");
            }
            int b = sample.intDim(0);
            int per = sample.size() / b;
            int cper = encoderHiddenStates.size() / b;
            float[] out = new float[sample.size()];
            for (int r = 0; r < b; r++) {
                double m = rowMean(encoderHiddenStates, r, cper);
                for (int j = r * per; j < (r + 1) * per; j++) {
                    out[j] = (float) (0.1 * sample.data()[j] + 0.01 * m + 1e-5 * timestep);
                }
            }
            return new Tensor(sample.shape(), out);
        }

        double rowMean(Tensor cond, int row, int per) {
            double s = 0;
            for (int j = row * per; j < (row + 1) * per; j++) {
                s += cond.data()[j];
            }
            return s / per;
        }

        @Override
        public PredictionType predictionType() {
            return PredictionType.EPSILON;
        }

        @Override
        public int latentChannels() {
            return 4;
        }

        @Override
        public int crossAttentionDim() {
            return 8;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    // ----------------------------------------------------------------------------------------------------------------

    /** Whitespace words, pieces of up to 5 letters, windows of 8 ids {@code [1, ids…, 2, 2…]}; hidden size 4. */
    @Extension
    @Component(name = "toy-text", description = "A toy text encoder for the kit's own tests")
    public static class ToyTextEncoder implements TextEncoder {
        static final int L = 8;
        volatile boolean closed;

        @Override
        public TokenReport tokenize(String text) {
            if (closed) {
                throw closed("toy-text");
            }
            String norm = text.trim().toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
            List<String> tokens = new ArrayList<>();
            List<TokenReport.Word> words = new ArrayList<>();
            if (!norm.isEmpty()) {
                for (String w : norm.split(" ")) {
                    List<String> pieces = new ArrayList<>();
                    for (int i = 0; i < w.length(); i += 5) {
                        String p = w.substring(i, Math.min(w.length(), i + 5));
                        pieces.add(i + 5 >= w.length() ? p + "</w>" : p);
                    }
                    tokens.addAll(pieces);
                    words.add(new TokenReport.Word(w, pieces));
                }
            }
            int kept = kept(tokens.size());
            int[] ids = new int[L];
            Arrays.fill(ids, 2);
            ids[0] = 1;
            for (int i = 0; i < kept; i++) {
                ids[1 + i] = 3 + Math.floorMod(tokens.get(i).hashCode(), 1000);
            }
            if (1 + kept < L) {
                ids[1 + kept] = eos();
            }
            return new TokenReport(text, norm, ids, tokens, words, tokens.subList(kept, tokens.size()), 1);
        }

        int eos() {
            return 2;
        }

        /** How many tokens fit between BOS and EOS. */
        int kept(int n) {
            return Math.min(n, L - 2);
        }

        @Override
        public Conditioning encode(List<String> texts) {
            if (closed) {
                throw closed("toy-text");
            }
            if (texts.isEmpty()) {
                throw new StageException(ErrorCode.INVALID_INPUT, "nothing to encode");
            }
            int d = 4;
            float[] h = new float[texts.size() * L * d];
            float[] pooled = new float[texts.size() * d];
            for (int b = 0; b < texts.size(); b++) {
                int[] ids = tokenize(texts.get(b)).ids();
                for (int p = 0; p < L; p++) {
                    for (int k = 0; k < d; k++) {
                        double v = Math.sin(ids[p] * (k + 1) * 0.01 + p * 0.1) + batchEffect(texts.size());
                        if (p > 0) {
                            v += 0.5 * h[(b * L + p - 1) * d + k];
                        }
                        h[(b * L + p) * d + k] = (float) v;
                    }
                }
                System.arraycopy(h, (b * L + L - 1) * d, pooled, b * d, d);
            }
            return new Conditioning(new Tensor(new long[] {texts.size(), L, d}, h),
                    new Tensor(new long[] {texts.size(), d}, pooled));
        }

        double batchEffect(int batch) {
            return 0;
        }

        @Override
        public int hiddenSize() {
            return 4;
        }

        @Override
        public int windowLength() {
            return L;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    // ----------------------------------------------------------------------------------------------------------------

    /** Settings of {@link ToyCfg}. */
    public record ToyCfgSettings(
            @Setting(doc = "Guidance scale s in uncond + s·(cond − uncond)", defaultValue = "7.5", min = 0)
            double scale,
            @Setting(doc = "Skip the unconditional pass at scale 1", defaultValue = "true")
            boolean skipAtOne) {
    }

    /** CFG with a momentum buffer per run (so run independence matters). */
    @Extension
    @Component(name = "toy-cfg", description = "A toy CFG for the kit's own tests", settings = ToyCfgSettings.class)
    public static class ToyCfg implements Guidance {
        final ToyCfgSettings settings;
        volatile boolean closed;
        float[] instanceMomentum;

        /** Creates the guidance. */
        @Inject
        public ToyCfg(ToyCfgSettings settings) {
            this.settings = settings;
        }

        boolean momentumOnInstance() {
            return false;
        }

        @Override
        public Run start(int iterations) {
            if (closed) {
                throw closed("toy-cfg");
            }
            return new Run() {
                float[] momentum;
                int steps;

                @Override
                public List<ConditioningKind> needs(StepInfo step) {
                    return settings.scale() == 1 && settings.skipAtOne() ? List.of(ConditioningKind.COND)
                            : List.of(ConditioningKind.UNCOND, ConditioningKind.COND);
                }

                @Override
                public Tensor combine(StepInfo step, Map<ConditioningKind, Tensor> p, Tensor sample) {
                    steps++;
                    Tensor c = p.get(ConditioningKind.COND);
                    Tensor u = p.get(ConditioningKind.UNCOND);
                    if (u == null) {
                        return c.copy();
                    }
                    float[] m = momentumOnInstance() ? instanceMomentum : momentum;
                    if (m == null) {
                        m = new float[c.size()];
                    }
                    float[] out = new float[c.size()];
                    for (int j = 0; j < out.length; j++) {
                        float d = c.data()[j] - u.data()[j];
                        m[j] = d + 0.1f * m[j];
                        out[j] = u.data()[j] + (float) settings.scale() * d + momentumEffect(m[j]);
                    }
                    if (momentumOnInstance()) {
                        instanceMomentum = m;
                    } else {
                        momentum = m;
                    }
                    return new Tensor(c.shape(), out);
                }

                @Override
                public String describe() {
                    return "toy-cfg: uncond + " + settings.scale() + "·(cond − uncond); " + steps + " steps";
                }
            };
        }

        /** How the momentum enters the result (zero when cond = uncond throughout, so the CFG identities hold). */
        float momentumEffect(float m) {
            return 1e-3f * m;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    // ----------------------------------------------------------------------------------------------------------------

    /** N(0, 1) from {@link Random#nextGaussian()} per stream. */
    @Extension
    @Component(name = "toy-noise", description = "A toy noise source for the kit's own tests")
    public static class ToyNoise implements NoiseSource {
        volatile boolean closed;
        final Random shared = new Random(0);

        Random random(long seed) {
            return new Random(seed);
        }

        double scale() {
            return 1;
        }

        @Override
        public NoiseStream open(long seed) {
            if (closed) {
                throw closed("toy-noise");
            }
            Random r = random(seed);
            return shape -> {
                float[] d = new float[Math.toIntExact(Tensor.count(shape))];
                for (int i = 0; i < d.length; i++) {
                    d[i] = (float) (scale() * r.nextGaussian());
                }
                return new Tensor(shape, d);
            };
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    // ----------------------------------------------------------------------------------------------------------------

    /** f = 4, C = 2: block means of grey and red−blue; decode spreads them back; scaling factor 2. */
    @Extension
    @Component(name = "toy-vae", description = "A toy autoencoder for the kit's own tests")
    public static class ToyVae implements Autoencoder {
        volatile boolean closed;

        @Override
        public int downsamplingFactor() {
            return 4;
        }

        @Override
        public int latentChannels() {
            return 2;
        }

        @Override
        public double scalingFactor() {
            return 2;
        }

        @Override
        public Tensor encode(Tensor image, LatentSampling sampling, NoiseStream noise) {
            if (closed) {
                throw closed("toy-vae");
            }
            int b = image.intDim(0);
            int hh = image.intDim(2);
            int ww = image.intDim(3);
            int f = 4;
            int h = hh / f;
            int w = ww / f;
            float[] z = new float[b * 2 * h * w];
            Tensor eps = sampling == LatentSampling.SAMPLE ? noise.draw(new long[] {b, 2, h, w}) : null;
            float[] d = image.data();
            for (int n = 0; n < b; n++) {
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        double grey = 0;
                        double rb = 0;
                        for (int dy = 0; dy < f; dy++) {
                            for (int dx = 0; dx < f; dx++) {
                                int p = (y * f + dy) * ww + x * f + dx;
                                float r = d[(n * 3) * hh * ww + p];
                                float g = d[(n * 3 + 1) * hh * ww + p];
                                float bl = d[(n * 3 + 2) * hh * ww + p];
                                grey += (r + g + bl) / 3.0;
                                rb += (r - bl) / 2.0;
                            }
                        }
                        int i0 = ((n * 2) * h + y) * w + x;
                        int i1 = ((n * 2 + 1) * h + y) * w + x;
                        z[i0] = (float) (grey / (f * f));
                        z[i1] = (float) (rb / (f * f));
                        if (eps != null) {
                            z[i0] += 0.1f * eps.data()[i0];
                            z[i1] += 0.1f * eps.data()[i1];
                        }
                        z[i0] *= 2;
                        z[i1] *= 2;
                    }
                }
            }
            return new Tensor(new long[] {b, 2, h, w}, z);
        }

        @Override
        public Tensor decode(Tensor latents) {
            if (closed) {
                throw closed("toy-vae");
            }
            int b = latents.intDim(0);
            int h = latents.intDim(2);
            int w = latents.intDim(3);
            int f = outputFactor();
            float[] out = new float[b * 3 * h * f * w * f];
            for (int n = 0; n < b; n++) {
                for (int y = 0; y < h * f; y++) {
                    for (int x = 0; x < w * f; x++) {
                        float c0 = latents.data()[((n * 2) * h + y / f) * w + x / f] / 2;
                        float c1 = latents.data()[((n * 2 + 1) * h + y / f) * w + x / f] / 2;
                        int plane = h * f * w * f;
                        int p = y * w * f + x;
                        out[(n * 3) * plane + p] = c0 + c1;
                        out[(n * 3 + 1) * plane + p] = c0;
                        out[(n * 3 + 2) * plane + p] = c0 - c1;
                    }
                }
            }
            return new Tensor(new long[] {b, 3, (long) h * f, (long) w * f}, out);
        }

        int outputFactor() {
            return 4;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    // ----------------------------------------------------------------------------------------------------------------

    /** Rejects captions of fewer than three words ({@code short-caption}) and unreadable images. */
    @Extension
    @Component(name = "toy-caption", description = "A toy caption filter for the kit's own tests")
    public static class ToyCaptionFilter implements ScraperFilter {
        volatile boolean closed;

        String reason() {
            return "short-caption";
        }

        @Override
        public Verdict judge(WebRecord r) {
            if (closed) {
                throw closed("toy-caption");
            }
            if (r.hasImage()) {
                try {
                    Images.header(r.image());
                } catch (Images.UnreadableImageException e) {
                    return unreadable(e);
                }
            }
            int words = r.caption().isBlank() ? 0 : r.caption().trim().split("\\s+").length;
            return words < 3 ? Verdict.reject(reason(), words) : Verdict.keep(words);
        }

        Verdict unreadable(Images.UnreadableImageException e) {
            return Verdict.reject(Verdict.UNREADABLE, Double.NaN);
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /** Stateful: rejects a caption seen before ({@code repeated-caption}); the seen set is its checkpoint state. */
    @Extension
    @Component(name = "toy-repeats", description = "A toy stateful filter for the kit's own tests")
    public static class ToyRepeatFilter implements ScraperFilter {
        volatile boolean closed;
        final Set<Integer> seen = new HashSet<>();

        @Override
        public Verdict judge(WebRecord r) {
            if (closed) {
                throw closed("toy-repeats");
            }
            String words = r.caption().toLowerCase(Locale.ROOT);
            return seen.add(words.hashCode()) ? Verdict.keep(seen.size()) : Verdict.reject("repeated-caption", 1);
        }

        @Override
        public byte[] saveState() {
            ByteBuffer b = ByteBuffer.allocate(4 * seen.size());
            seen.stream().sorted().forEach(b::putInt);
            return b.array();
        }

        @Override
        public void restoreState(byte[] state) {
            ByteBuffer b = ByteBuffer.wrap(state);
            while (b.hasRemaining()) {
                seen.add(b.getInt());
            }
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
