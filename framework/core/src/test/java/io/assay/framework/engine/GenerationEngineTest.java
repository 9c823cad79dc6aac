package io.assay.framework.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import io.assay.sdk.diffusion.Autoencoder;
import io.assay.sdk.diffusion.Conditioning;
import io.assay.sdk.diffusion.ConditioningKind;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The engine's own job — which texts it encodes, how it lays out the batched denoiser call, how it feeds guidance and
 * the scheduler — checked with small, exactly computable stages (the real stages are checked against the diffusers
 * references in their plugins and end to end in integration-tests).
 */
class GenerationEngineTest {

    /** Encodes text t as hidden states filled with t.length() (so rows are identifiable). */
    static final class LengthEncoder implements TextEncoder {
        final List<List<String>> calls = new ArrayList<>();

        @Override
        public TokenReport tokenize(String text) {
            return new TokenReport(text, text, new int[0], List.of(), List.of(), List.of(), 1);
        }

        @Override
        public Conditioning encode(List<String> texts) {
            calls.add(List.copyOf(texts));
            float[] d = new float[texts.size() * 2 * 3];
            for (int i = 0; i < texts.size(); i++) {
                Arrays.fill(d, i * 6, i * 6 + 6, texts.get(i).length());
            }
            return new Conditioning(new Tensor(new long[] {texts.size(), 2, 3}, d), null);
        }

        @Override
        public int hiddenSize() {
            return 3;
        }

        @Override
        public int windowLength() {
            return 2;
        }
    }

    /** Output row r = the mean of hidden row r (so the pairing of sample rows with hidden rows is visible). */
    static class HiddenEchoDenoiser implements Denoiser {
        final List<long[]> shapes = new ArrayList<>();

        @Override
        public Tensor predict(Tensor sample, double timestep, Tensor hidden) {
            shapes.add(sample.shape());
            int b = sample.intDim(0);
            int per = sample.size() / b;
            float[] out = new float[sample.size()];
            for (int r = 0; r < b; r++) {
                Arrays.fill(out, r * per, (r + 1) * per, (float) hidden.batchItem(r).mean());
            }
            return new Tensor(sample.shape(), out);
        }

        @Override
        public PredictionType predictionType() {
            return PredictionType.EPSILON;
        }

        @Override
        public int latentChannels() {
            return 2;
        }

        @Override
        public int crossAttentionDim() {
            return 3;
        }
    }

    /** x ← x − 0.5·out, two iterations per step; timestep = iterations − i. */
    static final class HalfStepScheduler implements Scheduler {
        @Override
        public Sampling plan(int steps) {
            return new Sampling() {
                @Override
                public int iterations() {
                    return steps;
                }

                @Override
                public double timestep(int i) {
                    return steps - i;
                }

                @Override
                public double sigma(int i) {
                    return steps - i;
                }

                @Override
                public double initNoiseSigma() {
                    return 2.0;
                }

                @Override
                public Tensor scaleModelInput(Tensor sample, int i) {
                    return sample.copy();
                }

                @Override
                public Step step(Tensor out, int i, Tensor sample, NoiseStream noise) {
                    float[] d = new float[sample.size()];
                    for (int k = 0; k < d.length; k++) {
                        d[k] = sample.data()[k] - 0.5f * out.data()[k];
                    }
                    return new Step(new Tensor(sample.shape(), d), null);
                }

                @Override
                public Tensor addNoise(Tensor original, Tensor noise, int i) {
                    return original.copy();
                }

                @Override
                public int firstIteration(int n, double strength) {
                    return n - (int) (n * strength);
                }
            };
        }

        @Override
        public PredictionType predictionType() {
            return PredictionType.EPSILON;
        }
    }

    /** uncond + s·(cond − uncond), or cond only when s is NaN. */
    static final class TestGuidance implements Guidance {
        final double scale;

        TestGuidance(double scale) {
            this.scale = scale;
        }

        @Override
        public Run start(int iterations) {
            return new Run() {
                @Override
                public List<ConditioningKind> needs(StepInfo step) {
                    return Double.isNaN(scale) ? List.of(ConditioningKind.COND)
                            : List.of(ConditioningKind.UNCOND, ConditioningKind.COND);
                }

                @Override
                public Tensor combine(StepInfo step, Map<ConditioningKind, Tensor> p, Tensor sample) {
                    Tensor c = p.get(ConditioningKind.COND);
                    if (Double.isNaN(scale)) {
                        return c.copy();
                    }
                    Tensor u = p.get(ConditioningKind.UNCOND);
                    float[] d = new float[c.size()];
                    for (int k = 0; k < d.length; k++) {
                        d[k] = (float) (u.data()[k] + scale * (c.data()[k] - u.data()[k]));
                    }
                    return new Tensor(c.shape(), d);
                }

                @Override
                public String describe() {
                    return "test";
                }
            };
        }
    }

    /** Noise: all ones. */
    static final class OnesNoise implements NoiseSource {
        @Override
        public NoiseStream open(long seed) {
            return shape -> Tensor.filled(1f, shape);
        }
    }

    /** Factor 4, decode = mean of channels broadcast to RGB. */
    static final class TinyAutoencoder implements Autoencoder {
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
            return 1;
        }

        @Override
        public Tensor encode(Tensor image, LatentSampling sampling, NoiseStream noise) {
            return Tensor.zeros(image.dim(0), 2, image.dim(2) / 4, image.dim(3) / 4);
        }

        @Override
        public Tensor decode(Tensor latents) {
            return Tensor.zeros(latents.dim(0), 3, latents.dim(2) * 4, latents.dim(3) * 4);
        }
    }

    private final GenerationEngine engine = new GenerationEngine();

    @Test
    void cfgEncodesUncondAndCondOnceAndBatchesRowsUncondFirst() {
        LengthEncoder enc = new LengthEncoder();
        HiddenEchoDenoiser den = new HiddenEchoDenoiser();
        Pipeline p = new Pipeline(enc, den, new HalfStepScheduler(), new TestGuidance(3.0), new OnesNoise(),
                new TinyAutoencoder());
        GenerationResult r = engine.generate(p, GenerationRequest.text("abcd", "x", 1, 2, 8, 8, 2), null,
                StepObserver.NONE, () -> false);

        assertThat(enc.calls).containsExactly(List.of("x", "abcd"));
        assertThat(den.shapes).hasSize(2).allSatisfy(s -> assertThat(s).containsExactly(4, 2, 2, 2));
        // Start at 2 (ones × initNoiseSigma 2). Guided output = 1 + 3·(4 − 1) = 10 for every row; two steps of −5.
        assertThat(r.finalLatents().data()).containsOnly(-8f);
        assertThat(r.initialLatents().data()).containsOnly(2f);
        assertThat(r.denoiserCalls()).isEqualTo(2);
        assertThat(r.images()).hasSize(2);
        assertThat(r.images().get(0).width()).isEqualTo(8);
    }

    @Test
    void condOnlyGuidanceNeverEncodesTheNegativePrompt() {
        LengthEncoder enc = new LengthEncoder();
        HiddenEchoDenoiser den = new HiddenEchoDenoiser();
        Pipeline p = new Pipeline(enc, den, new HalfStepScheduler(), new TestGuidance(Double.NaN), new OnesNoise(),
                new TinyAutoencoder());
        GenerationResult r = engine.generate(p, GenerationRequest.text("abc", "negative", 1, 3, 8, 8, 1), null,
                StepObserver.NONE, () -> false);
        assertThat(enc.calls).containsExactly(List.of("abc"));
        assertThat(den.shapes).allSatisfy(s -> assertThat(s[0]).isEqualTo(1));
        assertThat(r.finalLatents().data()).containsOnly(2f - 3 * 1.5f);
    }

    @Test
    void observerSeesEveryStepWithTheGuidanceDelta() {
        List<StepObserver.StepRecord> seen = new ArrayList<>();
        Pipeline p = new Pipeline(new LengthEncoder(), new HiddenEchoDenoiser(), new HalfStepScheduler(),
                new TestGuidance(7.5), new OnesNoise(), new TinyAutoencoder());
        engine.generate(p, GenerationRequest.text("abcd", "", 1, 3, 4, 4, 1), null, new StepObserver() {
            @Override
            public void stepped(StepRecord step) {
                seen.add(step);
            }
        }, () -> false);
        assertThat(seen).extracting(StepObserver.StepRecord::iteration).containsExactly(0, 1, 2);
        // cond rows are 4, uncond rows 0, over 2 elements: ‖4 − 0‖ = 4·√2.
        assertThat(seen).allSatisfy(s -> assertThat(s.guidanceDeltaNorm()).isCloseTo(4 * Math.sqrt(2),
                org.assertj.core.data.Offset.offset(1e-6)));
        assertThat(seen.get(0).timestep()).isEqualTo(3.0);
    }

    @Test
    void imageToImageStartsLateFromTheNoisedImageLatents() {
        HiddenEchoDenoiser den = new HiddenEchoDenoiser();
        Pipeline p = new Pipeline(new LengthEncoder(), den, new HalfStepScheduler(), new TestGuidance(1.0),
                new OnesNoise(), new TinyAutoencoder());
        GenerationRequest req = new GenerationRequest("ab", "", 1, 10, 8, 8, 1, Tensor.zeros(1, 3, 8, 8), 0.3,
                LatentSampling.MEAN);
        GenerationResult r = engine.generate(p, req, null, StepObserver.NONE, () -> false);
        assertThat(r.iterations()).isEqualTo(3);
        assertThat(den.shapes).hasSize(3);
        assertThat(r.initialLatents().data()).containsOnly(0f);
    }

    @Test
    void sizesThatAreNotMultiplesOfTheFactorAreRefusedNamingBoth() {
        Pipeline p = new Pipeline(new LengthEncoder(), new HiddenEchoDenoiser(), new HalfStepScheduler(),
                new TestGuidance(1.0), new OnesNoise(), new TinyAutoencoder());
        assertThatThrownBy(() -> engine.generate(p, GenerationRequest.text("a", "", 1, 2, 10, 8, 1), null,
                StepObserver.NONE, () -> false))
                .isInstanceOf(StageException.class)
                .hasMessageContaining("multiples of 4").hasMessageContaining("10");
    }

    @Test
    void cancellationStopsBetweenSteps() {
        int[] polls = {0};
        Pipeline p = new Pipeline(new LengthEncoder(), new HiddenEchoDenoiser(), new HalfStepScheduler(),
                new TestGuidance(1.0), new OnesNoise(), new TinyAutoencoder());
        assertThatThrownBy(() -> engine.generate(p, GenerationRequest.text("a", "", 1, 5, 4, 4, 1), null,
                StepObserver.NONE, () -> ++polls[0] > 2))
                .isInstanceOf(StageException.class)
                .satisfies(e -> assertThat(((StageException) e).code()).isEqualTo(ErrorCode.CANCELLED));
    }

    @Test
    void aStageGoingNonFiniteStopsTheRunNamingTheStageAndTheStep() {
        Pipeline p = new Pipeline(new LengthEncoder(), new HiddenEchoDenoiser(), new HalfStepScheduler(),
                new TestGuidance(Double.POSITIVE_INFINITY), new OnesNoise(), new TinyAutoencoder());
        assertThatThrownBy(() -> engine.generate(p, GenerationRequest.text("ab", "a", 1, 5, 4, 4, 1), null,
                StepObserver.NONE, () -> false))
                .isInstanceOf(StageException.class)
                .hasMessageContaining("the guidance output holds non-finite values")
                .hasMessageContaining("at step 1 of 5")
                .hasMessageContaining("no image written");
    }

    @Test
    void theFiniteCheckNamesTheElementAndPassesFiniteTensors() {
        Tensor ok = new Tensor(new long[] {1, 4}, new float[] {0f, -1f, Float.MAX_VALUE, 1e-30f});
        GenerationEngine.finite(ok, "denoiser", ErrorCode.MODEL_INVALID, 0, 3);
        Tensor bad = new Tensor(new long[] {1, 4}, new float[] {0f, 0f, Float.NEGATIVE_INFINITY, 0f});
        assertThatThrownBy(() -> GenerationEngine.finite(bad, "denoiser", ErrorCode.MODEL_INVALID, 2, 3))
                .isInstanceOf(StageException.class)
                .hasMessageContaining("the denoiser output holds non-finite values (-Infinity at element 2 of 4) "
                        + "at step 3 of 3")
                .satisfies(e -> assertThat(((StageException) e).code()).isEqualTo(ErrorCode.MODEL_INVALID));
        Tensor nan = new Tensor(new long[] {1, 1}, new float[] {Float.NaN});
        assertThatThrownBy(() -> GenerationEngine.finite(nan, "autoencoder decode", ErrorCode.MODEL_INVALID, -1, 0))
                .hasMessage("the autoencoder decode output holds non-finite values (NaN at element 0 of 1); stopped, "
                        + "no image written");
    }
}
