package io.assay.framework.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.assay.framework.engine.GenerationEngineTest.HalfStepScheduler;
import io.assay.framework.engine.GenerationEngineTest.HiddenEchoDenoiser;
import io.assay.framework.engine.GenerationEngineTest.LengthEncoder;
import io.assay.framework.engine.GenerationEngineTest.OnesNoise;
import io.assay.framework.engine.GenerationEngineTest.TinyAutoencoder;
import io.assay.sdk.StageException;
import io.assay.sdk.diffusion.ConditioningKey;
import io.assay.sdk.diffusion.ConditioningText;
import io.assay.sdk.diffusion.Guidance;
import io.assay.sdk.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The engine with SDK 1.1 guidances: any number of named conditionings, each distinct text encoded once, batched into
 * the denoiser calls in the guidance's order and split at the denoiser's max batch.
 */
class KeyedGuidanceEngineTest {

    /**
     * Declares {@code uncond} = "", {@code cond-0} = "ab", {@code cond-1} = "abcd", {@code dup} = "ab" (same text as
     * cond-0) and {@code unused} = "never"; needs [uncond, cond-0, cond-1, dup]; combines
     * uncond + Σ wᵢ·(condᵢ − uncond) with w = 1, 0.5 and 0.25 for dup, recording the prediction values it got.
     */
    static final class ThreeTerms implements Guidance {
        final List<Map<String, Float>> seen = new ArrayList<>();

        @Override
        public KeyedRun start(Prompt prompt, int iterations) {
            ConditioningKey c0 = new ConditioningKey("cond-0");
            ConditioningKey c1 = new ConditioningKey("cond-1");
            ConditioningKey dup = new ConditioningKey("dup");
            return new KeyedRun() {
                @Override
                public List<ConditioningText> conditionings() {
                    return List.of(new ConditioningText(ConditioningKey.UNCOND, ""), new ConditioningText(c0, "ab"),
                            new ConditioningText(c1, "abcd"), new ConditioningText(dup, "ab"),
                            new ConditioningText(new ConditioningKey("unused"), "never"));
                }

                @Override
                public List<ConditioningKey> needs(StepInfo step) {
                    return List.of(ConditioningKey.UNCOND, c0, c1, dup);
                }

                @Override
                public Tensor combine(StepInfo step, Map<ConditioningKey, Tensor> p, Tensor sample) {
                    Map<String, Float> values = new LinkedHashMap<>();
                    p.forEach((k, t) -> values.put(k.name(), t.data()[0]));
                    seen.add(values);
                    float[] u = p.get(ConditioningKey.UNCOND).data();
                    float[] a = p.get(c0).data();
                    float[] b = p.get(c1).data();
                    float[] d = p.get(dup).data();
                    float[] out = new float[u.length];
                    for (int i = 0; i < out.length; i++) {
                        out[i] = u[i] + (a[i] - u[i]) + 0.5f * (b[i] - u[i]) + 0.25f * (d[i] - u[i]);
                    }
                    return new Tensor(p.get(ConditioningKey.UNCOND).shape(), out);
                }

                @Override
                public String describe() {
                    return "three terms";
                }
            };
        }
    }

    /** A denoiser that takes at most {@code max} rows a call. */
    static final class LimitedDenoiser extends GenerationEngineTest.HiddenEchoDenoiser {
        final int max;

        LimitedDenoiser(int max) {
            this.max = max;
        }

        @Override
        public Tensor predict(Tensor sample, double timestep, Tensor hidden) {
            if (sample.dim(0) > max) {
                throw new IllegalStateException("more than " + max + " rows: " + sample.dim(0));
            }
            return super.predict(sample, timestep, hidden);
        }

        @Override
        public int maxBatch() {
            return max;
        }
    }

    private final GenerationEngine engine = new GenerationEngine();

    @Test
    void everyDeclaredTextIsEncodedOnceAndEachKeyGetsItsOwnRows() {
        LengthEncoder enc = new LengthEncoder();
        HiddenEchoDenoiser den = new HiddenEchoDenoiser();
        ThreeTerms g = new ThreeTerms();
        Map<ConditioningKey, String> traced = new LinkedHashMap<>();
        Pipeline p = new Pipeline(enc, den, new HalfStepScheduler(), g, new OnesNoise(), new TinyAutoencoder());
        GenerationResult r = engine.generate(p, GenerationRequest.text("ignored", "", 1, 2, 8, 8, 2), null,
                new StepObserver() {
                    @Override
                    public void conditionings(Map<ConditioningKey, String> texts) {
                        traced.putAll(texts);
                    }
                }, () -> false);

        // "ab" twice (cond-0 and dup) and "never" (not needed) are not encoded again / at all.
        assertThat(enc.calls).containsExactly(List.of("", "ab", "abcd"));
        assertThat(traced.keySet()).extracting(ConditioningKey::name)
                .containsExactly("uncond", "cond-0", "cond-1", "dup");
        assertThat(traced.values()).containsExactly("", "ab", "abcd", "ab");
        // 4 keys × batch 2 = 8 rows in one call per step.
        assertThat(den.shapes).hasSize(2).allSatisfy(s -> assertThat(s).containsExactly(8, 2, 2, 2));
        // Each key's prediction is the length of its text: 0, 2, 4, 2.
        assertThat(g.seen).hasSize(2).allSatisfy(m -> assertThat(m).containsExactly(Map.entry("uncond", 0f),
                Map.entry("cond-0", 2f), Map.entry("cond-1", 4f), Map.entry("dup", 2f)));
        // guided = 0 + 2 + 0.5·4 + 0.25·2 = 4.5; x: 2 → 2 − 2.25 → 2 − 4.5.
        assertThat(r.finalLatents().data()).containsOnly(-2.5f);
        assertThat(r.denoiserCalls()).isEqualTo(2);
    }

    @Test
    void rowsBeyondTheDenoisersMaxBatchAreSplitIntoSeveralCallsWithTheSameResult() {
        ThreeTerms g = new ThreeTerms();
        LimitedDenoiser den = new LimitedDenoiser(3);
        Pipeline p = new Pipeline(new LengthEncoder(), den, new HalfStepScheduler(), g, new OnesNoise(),
                new TinyAutoencoder());
        GenerationResult r = engine.generate(p, GenerationRequest.text("x", "", 1, 2, 8, 8, 2), null,
                StepObserver.NONE, () -> false);
        // 8 rows per step at ≤ 3 a call: 3 + 3 + 2, twice.
        assertThat(den.shapes).extracting(s -> s[0]).containsExactly(3L, 3L, 2L, 3L, 3L, 2L);
        assertThat(r.denoiserCalls()).isEqualTo(6);
        assertThat(r.finalLatents().data()).containsOnly(-2.5f);
        assertThat(g.seen.get(0)).containsEntry("cond-1", 4f).containsEntry("dup", 2f);
    }

    @Test
    void aSdk10GuidanceRunsOverUncondAndCondInThatOrder() {
        LengthEncoder enc = new LengthEncoder();
        Map<ConditioningKey, String> traced = new LinkedHashMap<>();
        Pipeline p = new Pipeline(enc, new HiddenEchoDenoiser(), new HalfStepScheduler(),
                new GenerationEngineTest.TestGuidance(2.0), new OnesNoise(), new TinyAutoencoder());
        GenerationResult r = engine.generate(p, GenerationRequest.text("abc", "n", 1, 2, 8, 8, 1), null,
                new StepObserver() {
                    @Override
                    public void conditionings(Map<ConditioningKey, String> texts) {
                        traced.putAll(texts);
                    }
                }, () -> false);
        assertThat(enc.calls).containsExactly(List.of("n", "abc"));
        assertThat(traced).containsExactly(Map.entry(ConditioningKey.UNCOND, "n"), Map.entry(ConditioningKey.COND,
                "abc"));
        // guided = 1 + 2·(3 − 1) = 5 each step: 2 − 2.5 − 2.5.
        assertThat(r.finalLatents().data()).containsOnly(-3f);
    }

    @Test
    void aGuidanceNeedingAnUndeclaredKeyIsStoppedNamingIt() {
        Guidance bad = new Guidance() {
            @Override
            public KeyedRun start(Prompt prompt, int iterations) {
                return new KeyedRun() {
                    @Override
                    public List<ConditioningText> conditionings() {
                        return List.of(new ConditioningText(ConditioningKey.COND, prompt.text()));
                    }

                    @Override
                    public List<ConditioningKey> needs(StepInfo step) {
                        return List.of(ConditioningKey.COND, new ConditioningKey("neg-0"));
                    }

                    @Override
                    public Tensor combine(StepInfo step, Map<ConditioningKey, Tensor> p, Tensor sample) {
                        return p.get(ConditioningKey.COND).copy();
                    }

                    @Override
                    public String describe() {
                        return "bad";
                    }
                };
            }
        };
        Pipeline p = new Pipeline(new LengthEncoder(), new HiddenEchoDenoiser(), new HalfStepScheduler(), bad,
                new OnesNoise(), new TinyAutoencoder());
        assertThatThrownBy(() -> engine.generate(p, GenerationRequest.text("a", "", 1, 2, 8, 8, 1), null,
                StepObserver.NONE, () -> false))
                .isInstanceOf(StageException.class)
                .hasMessageContaining("guidance needs [cond, neg-0] at iteration 0")
                .hasMessageContaining("declared [cond]");
    }
}
