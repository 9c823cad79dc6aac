package io.assay.sdk.diffusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.assay.sdk.Component;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import io.assay.sdk.tensor.Tensor;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An SDK 1.0 guidance seen through {@link Guidance#start(Guidance.Prompt, int)}, and SDK 1.1 keys. */
class GuidanceAdapterTest {

    /** A 1.0 guidance: uncond + 2·(cond − uncond) on even iterations, cond alone on odd ones. */
    static final class OldStyle implements Guidance {
        final List<Map<ConditioningKind, Tensor>> seen = new ArrayList<>();

        @Override
        public Run start(int iterations) {
            return new Run() {
                @Override
                public List<ConditioningKind> needs(StepInfo step) {
                    return step.iteration() % 2 == 0 ? List.of(ConditioningKind.UNCOND, ConditioningKind.COND)
                            : List.of(ConditioningKind.COND);
                }

                @Override
                public Tensor combine(StepInfo step, Map<ConditioningKind, Tensor> p, Tensor sample) {
                    seen.add(new EnumMap<>(p));
                    Tensor c = p.get(ConditioningKind.COND);
                    if (!p.containsKey(ConditioningKind.UNCOND)) {
                        return c.copy();
                    }
                    float[] u = p.get(ConditioningKind.UNCOND).data();
                    float[] out = c.data().clone();
                    for (int i = 0; i < out.length; i++) {
                        out[i] = u[i] + 2 * (out[i] - u[i]);
                    }
                    return new Tensor(c.shape(), out);
                }

                @Override
                public String describe() {
                    return "old";
                }
            };
        }
    }

    private static Tensor t(float... v) {
        return new Tensor(new long[] {1, v.length}, v);
    }

    @Test
    void aVersionOneGuidanceDeclaresUncondAsTheNegativeThenCondAsThePrompt() {
        OldStyle g = new OldStyle();
        Guidance.KeyedRun run = g.start(new Guidance.Prompt("a cat", "blurry"), 2);
        assertThat(run.conditionings()).containsExactly(new ConditioningText(ConditioningKey.UNCOND, "blurry"),
                new ConditioningText(ConditioningKey.COND, "a cat"));
        Guidance.StepInfo even = new Guidance.StepInfo(0, 2, 999, 14.6);
        Guidance.StepInfo odd = new Guidance.StepInfo(1, 2, 499, 1.0);
        assertThat(run.needs(even)).containsExactly(ConditioningKey.UNCOND, ConditioningKey.COND);
        assertThat(run.needs(odd)).containsExactly(ConditioningKey.COND);
        Tensor out = run.combine(even, Map.of(ConditioningKey.UNCOND, t(1, 2), ConditioningKey.COND, t(2, 5)), t(0, 0));
        assertThat(out.data()).containsExactly(3f, 8f);
        assertThat(g.seen.get(0)).containsOnlyKeys(ConditioningKind.UNCOND, ConditioningKind.COND);
        assertThat(run.combine(odd, Map.of(ConditioningKey.COND, t(4, 4)), t(0, 0)).data()).containsExactly(4f, 4f);
        assertThat(run.describe()).isEqualTo("old");
    }

    @Test
    void aVersionOneGuidanceRefusesANamedTerm() {
        Guidance.KeyedRun run = new OldStyle().start(new Guidance.Prompt("a", ""), 1);
        assertThatThrownBy(() -> run.combine(new Guidance.StepInfo(0, 1, 1, 1), Map.of(new ConditioningKey("neg-0"),
                t(1)), t(1))).isInstanceOf(StageException.class).hasMessageContaining("'neg-0'");
    }

    @Component(name = "named-only", description = "a 1.1 guidance")
    static final class NewStyle implements Guidance {
        @Override
        public KeyedRun start(Prompt prompt, int iterations) {
            throw new AssertionError("not used");
        }
    }

    @Test
    void aVersionOnePathIsRefusedForAGuidanceThatOnlyHasTheNamedOne() {
        assertThatThrownBy(() -> new NewStyle().start(3)).isInstanceOf(StageException.class)
                .hasMessageStartingWith("Component 'named-only' does not support runs without the prompt")
                .extracting(e -> ((StageException) e).code()).isEqualTo(ErrorCode.UNSUPPORTED);
    }

    @Test
    void keysAreKebabCaseAndMapToTheirKinds() {
        assertThat(ConditioningKey.of(ConditioningKind.UNCOND)).isSameAs(ConditioningKey.UNCOND);
        assertThat(new ConditioningKey("cond")).isEqualTo(ConditioningKey.COND);
        assertThat(ConditioningKey.COND.kind()).contains(ConditioningKind.COND);
        assertThat(new ConditioningKey("neg-1").kind()).isEmpty();
        assertThatThrownBy(() -> new ConditioningKey("Neg 1")).hasMessageContaining("kebab-case")
                .hasMessageContaining("'Neg 1'");
    }
}
