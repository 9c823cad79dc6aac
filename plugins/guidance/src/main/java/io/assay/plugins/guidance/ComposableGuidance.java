package io.assay.plugins.guidance;

import io.assay.sdk.Component;
import io.assay.sdk.diffusion.ConditioningKey;
import io.assay.sdk.diffusion.ConditioningText;
import io.assay.sdk.diffusion.Guidance;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import org.pf4j.Extension;

/**
 * Composable prompts (Liu et al. 2022, "Compositional Visual Generation with Composable Diffusion Models"), in the
 * form A1111 uses: the prompt's {@code AND} terms with their {@code :: weight}s (docs/prompt-syntax.md) are each a
 * conditioning, and {@code out = uncond + s·Σᵢ wᵢ·(condᵢ − uncond)}, where {@code uncond} is the negative prompt (or
 * the empty prompt). A negative weight pushes away from its term (the paper's NOT). One term of weight 1 is CFG, bit
 * for bit.
 *
 * <p>Arithmetic: float32 in A1111's order, {@code out = uncond; out += (condᵢ − uncond)·(float)(wᵢ·s)} per term.
 * Needs SDK 1.1 ({@link #start(Guidance.Prompt, int)}); every term costs a denoiser pass per step.
 */
@Extension
@Component(name = "composable", description = "Composable prompts: uncond + s·Σ wᵢ·(condᵢ − uncond) over the "
        + "prompt's AND terms (A AND B :: 0.5)", settings = ComposableSettings.class)
public final class ComposableGuidance implements Guidance {

    private final ComposableSettings settings;
    private volatile boolean closed;

    /** Creates the component from its settings. */
    @Inject
    public ComposableGuidance(ComposableSettings settings) {
        this.settings = settings;
    }

    @Override
    public KeyedRun start(Prompt prompt, int iterations) {
        Checks.open(closed, "composable");
        List<PromptTerms.Term> terms = PromptTerms.parse(prompt.text(), "prompt", "composable", settings.maxTerms(),
                false);
        List<ConditioningText> declared = new ArrayList<>();
        declared.add(new ConditioningText(ConditioningKey.UNCOND, prompt.negative()));
        float[] factors = new float[terms.size()];
        StringBuilder sum = new StringBuilder();
        for (int i = 0; i < terms.size(); i++) {
            declared.add(new ConditioningText(TermsRun.positive(i), terms.get(i).text()));
            factors[i] = (float) (terms.get(i).weight() * settings.scale());
            sum.append(i == 0 ? "" : " + ").append(GuidanceRun.num(terms.get(i).weight())).append("·(")
                    .append(TermsRun.positive(i)).append(" − uncond)");
        }
        return new TermsRun("composable", iterations, declared) {
            @Override
            float[] guide(List<float[]> p, int items, int perItem) {
                float[] u = p.get(0);
                float[] out = u.clone();
                for (int t = 0; t < factors.length; t++) {
                    float[] c = p.get(t + 1);
                    for (int j = 0; j < out.length; j++) {
                        out[j] += (c[j] - u[j]) * factors[t];
                    }
                }
                return out;
            }

            @Override
            String formula() {
                return "composable: uncond + " + GuidanceRun.num(settings.scale()) + "·(" + sum + "); " + named();
            }
        };
    }

    /** Releases nothing; a closed component refuses to start runs. */
    @Override
    public void close() {
        closed = true;
    }
}
