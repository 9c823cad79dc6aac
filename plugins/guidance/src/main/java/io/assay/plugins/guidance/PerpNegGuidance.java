package io.assay.plugins.guidance;

import io.assay.sdk.Component;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import io.assay.sdk.diffusion.ConditioningKey;
import io.assay.sdk.diffusion.ConditioningText;
import io.assay.sdk.diffusion.Guidance;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import org.pf4j.Extension;

/**
 * Perp-Neg (Armandpour et al. 2023, "Re-imagine the Negative Prompt Algorithm"): the negative prompt removes only
 * what is perpendicular to the prompt's direction, so a negative that overlaps the prompt ("a lion" without "the front
 * view of a lion") does not erase the prompt itself.
 *
 * <p>With {@code ∅} the prediction for the empty prompt and {@code Δx = x − ∅} per conditioning, and
 * {@code ⊥(x) = x − (⟨x, Δ₀⟩/‖Δ₀‖²)·Δ₀} (the part of {@code x} perpendicular to the main prompt's direction; {@code x}
 * itself when {@code Δ₀ = 0}), each per batch item over all its elements:
 * <pre>
 * out = ∅ + s·(w₀·Δ₀ + Σⱼ wⱼ·⊥(Δcondⱼ) − Σᵢ vᵢ·⊥(Δnegᵢ))
 * </pre>
 * The prompt's first {@code AND} term is the main prompt ({@code cond}, weight {@code w₀}), later ones are
 * complementary prompts ({@code cond-1} …, weights {@code wⱼ}); the negative prompt's terms are {@code neg-0} …
 * with weights {@code vᵢ} ({@code negative-weight} unless written {@code :: v}); docs/prompt-syntax.md. With one
 * prompt term and one negative this is the authors' pipeline and ComfyUI's {@code perp_neg}
 * ({@code ∅ + s·(Δpos − v·⊥Δneg)}); without a negative it is CFG against the empty prompt.
 *
 * <p>Reductions in float64, element-wise arithmetic in float64 rounded once to float32. Needs SDK 1.1
 * ({@link #start(Guidance.Prompt, int)}); every term costs a denoiser pass per step.
 */
@Extension
@Component(name = "perp-neg", description = "Perp-Neg: the negative prompt's terms act only perpendicular to the "
        + "prompt's direction", settings = PerpNegSettings.class)
public final class PerpNegGuidance implements Guidance {

    private final PerpNegSettings settings;
    private volatile boolean closed;

    /** Creates the component from its settings. */
    @Inject
    public PerpNegGuidance(PerpNegSettings settings) {
        this.settings = settings;
    }

    @Override
    public KeyedRun start(Prompt prompt, int iterations) {
        Checks.open(closed, "perp-neg");
        List<PromptTerms.Term> pos = PromptTerms.parse(prompt.text(), "prompt", "perp-neg", settings.maxTerms(),
                false);
        List<PromptTerms.Term> neg = PromptTerms.parse(prompt.negative(), "negative prompt", "perp-neg",
                settings.maxTerms(), true);
        if (pos.size() + neg.size() > settings.maxTerms()) {
            throw new StageException(ErrorCode.INVALID_INPUT, "Guidance 'perp-neg': the prompt and the negative "
                    + "prompt have " + (pos.size() + neg.size()) + " AND terms together; at most "
                    + settings.maxTerms() + " are allowed (max-terms; each term costs a denoiser pass per step)");
        }
        List<ConditioningText> declared = new ArrayList<>();
        declared.add(new ConditioningText(ConditioningKey.UNCOND, ""));
        double[] weights = new double[pos.size() + neg.size()];
        StringBuilder f = new StringBuilder();
        for (int i = 0; i < pos.size(); i++) {
            ConditioningKey k = TermsRun.positive(i);
            declared.add(new ConditioningText(k, pos.get(i).text()));
            weights[i] = pos.get(i).weight();
            f.append(i == 0 ? "" : " + ").append(GuidanceRun.num(weights[i])).append(i == 0 ? "·Δ" : "·⊥Δ").append(k);
        }
        for (int i = 0; i < neg.size(); i++) {
            ConditioningKey k = new ConditioningKey("neg-" + i);
            declared.add(new ConditioningText(k, neg.get(i).text()));
            weights[pos.size() + i] = -(neg.get(i).weighted() ? neg.get(i).weight() : settings.negativeWeight());
            f.append(" − ").append(GuidanceRun.num(-weights[pos.size() + i])).append("·⊥Δ").append(k);
        }
        double scale = settings.scale();
        return new TermsRun("perp-neg", iterations, declared) {
            @Override
            float[] guide(List<float[]> p, int items, int perItem) {
                float[] empty = p.get(0);
                float[] main = p.get(1);
                float[] out = new float[empty.length];
                double[] acc = new double[perItem];
                double[] delta0 = new double[perItem];
                for (int b = 0; b < items; b++) {
                    int from = b * perItem;
                    double norm2 = 0;
                    for (int j = 0; j < perItem; j++) {
                        delta0[j] = (double) main[from + j] - empty[from + j];
                        norm2 += delta0[j] * delta0[j];
                        acc[j] = weights[0] * delta0[j];
                    }
                    for (int t = 1; t < weights.length; t++) {
                        float[] x = p.get(t + 1);
                        double dot = 0;
                        for (int j = 0; j < perItem; j++) {
                            dot += ((double) x[from + j] - empty[from + j]) * delta0[j];
                        }
                        double along = norm2 > 0 ? dot / norm2 : 0;
                        for (int j = 0; j < perItem; j++) {
                            double d = (double) x[from + j] - empty[from + j];
                            acc[j] += weights[t] * (d - along * delta0[j]);
                        }
                    }
                    for (int j = 0; j < perItem; j++) {
                        out[from + j] = (float) (empty[from + j] + scale * acc[j]);
                    }
                }
                return out;
            }

            @Override
            String formula() {
                return "perp-neg: ∅ + " + GuidanceRun.num(settings.scale()) + "·(" + f + "), Δx = x − ∅, ⊥ against "
                        + "Δcond; " + named();
            }
        };
    }

    /** Releases nothing; a closed component refuses to start runs. */
    @Override
    public void close() {
        closed = true;
    }
}
