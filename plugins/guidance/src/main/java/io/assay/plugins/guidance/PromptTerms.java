package io.assay.plugins.guidance;

import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The prompt syntax of {@code composable} and {@code perp-neg} (docs/prompt-syntax.md): terms separated by the word
 * {@code AND} (upper case, a whole word, as A1111's {@code \bAND\b}), each optionally ending in {@code :: weight}
 * (default 1). {@code "a red circle AND a blue square :: 0.5"} is two terms, weights 1 and 0.5. A single colon stays
 * text ({@code "poster 16:9"}), unlike A1111's {@code term :0.5}, so ratios and times are never read as weights.
 */
final class PromptTerms {

    private static final Pattern AND = Pattern.compile("\\bAND\\b");
    private static final Pattern NUMBER = Pattern.compile("[-+]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][-+]?\\d+)?");

    /**
     * One term.
     *
     * @param text the text to encode, trimmed
     * @param weight its weight (1 unless written)
     * @param weighted whether the weight was written ({@code :: weight})
     */
    record Term(String text, double weight, boolean weighted) {
    }

    private PromptTerms() {
    }

    /**
     * Splits {@code prompt} into terms.
     *
     * @param what how messages name the text, e.g. {@code prompt} or {@code negative prompt}
     * @param component how messages name the component
     * @param maxTerms the most terms allowed (each costs a denoiser pass per step)
     * @param allowEmpty whether an empty or blank {@code prompt} gives no terms (else one empty term)
     * @throws StageException {@code INVALID_INPUT} for an empty term, a weight that is not a finite number, or too
     *     many terms, naming the term and the text
     */
    static List<Term> parse(String prompt, String what, String component, int maxTerms, boolean allowEmpty) {
        if (prompt.isBlank()) {
            return allowEmpty ? List.of() : List.of(new Term(prompt.strip(), 1.0, false));
        }
        String[] parts = AND.split(prompt, -1);
        if (parts.length > maxTerms) {
            throw invalid(component, "the " + what + " has " + parts.length + " AND terms; at most " + maxTerms
                    + " are allowed (max-terms; each term costs a denoiser pass per step)", prompt);
        }
        List<Term> out = new ArrayList<>(parts.length);
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            String text = part.strip();
            double weight = 1.0;
            int at = part.lastIndexOf("::");
            boolean weighted = at >= 0;
            if (weighted) {
                text = part.substring(0, at).strip();
                String w = part.substring(at + 2).strip();
                if (!NUMBER.matcher(w).matches() || !Double.isFinite(Double.parseDouble(w))) {
                    throw invalid(component, "term " + (i + 1) + " of the " + what + " ('" + part.strip() + "') has "
                            + "weight '" + w + "' after '::'; expected a finite number such as 0.5 or -1", prompt);
                }
                weight = Double.parseDouble(w);
            }
            if (text.isEmpty()) {
                throw invalid(component, "term " + (i + 1) + " of the " + what + " is empty (two ANDs in a row, an "
                        + "AND at an end, or a weight without text)", prompt);
            }
            out.add(new Term(text, weight, weighted));
        }
        return out;
    }

    private static StageException invalid(String component, String problem, String prompt) {
        return new StageException(ErrorCode.INVALID_INPUT, "Guidance '" + component + "': " + problem + ": \""
                + prompt + "\"");
    }
}
