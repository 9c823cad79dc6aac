package io.assay.plugins.guidance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The AND / {@code :: weight} syntax of docs/prompt-syntax.md. */
class PromptTermsTest {

    private static List<PromptTerms.Term> parse(String p) {
        return PromptTerms.parse(p, "prompt", "composable", 8, false);
    }

    @Test
    void termsAreSplitOnTheWordAndWithOptionalWeights() {
        assertThat(parse("A AND B :: 0.7")).containsExactly(new PromptTerms.Term("A", 1, false),
                new PromptTerms.Term("B", 0.7, true));
        assertThat(parse("a red circle::2 AND  a blue square :: -0.5 AND text::+1e-1")).extracting(
                PromptTerms.Term::text, PromptTerms.Term::weight).containsExactly(
                        org.assertj.core.groups.Tuple.tuple("a red circle", 2.0),
                        org.assertj.core.groups.Tuple.tuple("a blue square", -0.5),
                        org.assertj.core.groups.Tuple.tuple("text", 0.1));
        assertThat(parse("a cat :: .5")).containsExactly(new PromptTerms.Term("a cat", 0.5, true));
    }

    @Test
    void onlyTheUpperCaseWholeWordSplits() {
        assertThat(parse("cats and dogs")).extracting(PromptTerms.Term::text).containsExactly("cats and dogs");
        assertThat(parse("ANDROID AND BRAND")).extracting(PromptTerms.Term::text).containsExactly("ANDROID", "BRAND");
        assertThat(parse("(fox)AND(hound)")).extracting(PromptTerms.Term::text).containsExactly("(fox)", "(hound)");
    }

    @Test
    void aSingleColonStaysText() {
        assertThat(parse("poster 16:9 at 10:30")).containsExactly(new PromptTerms.Term("poster 16:9 at 10:30", 1,
                false));
        assertThat(parse("a :0.5")).extracting(PromptTerms.Term::text).containsExactly("a :0.5");
    }

    @Test
    void emptyPromptsAreOneEmptyTermOrNoneForNegatives() {
        assertThat(parse("")).containsExactly(new PromptTerms.Term("", 1, false));
        assertThat(PromptTerms.parse("  ", "negative prompt", "perp-neg", 8, true)).isEmpty();
    }

    @Test
    void badTermsAreRefusedNamingTheTermAndThePrompt() {
        assertThat(refused("A AND AND B")).isEqualTo("Guidance 'composable': term 2 of the prompt is empty (two "
                + "ANDs in a row, an AND at an end, or a weight without text): \"A AND AND B\"");
        assertThat(refused("A AND")).contains("term 2 of the prompt is empty");
        assertThat(refused(":: 0.5")).contains("term 1 of the prompt is empty");
        assertThat(refused("A :: heavy")).contains("term 1 of the prompt ('A :: heavy') has weight 'heavy' after "
                + "'::'; expected a finite number");
        assertThat(refused("A ::")).contains("has weight '' after '::'");
        assertThat(refused("A :: 1e999")).contains("weight '1e999'");
        assertThat(refused("A :: 1 2")).contains("has weight '1 2' after '::'");
        assertThat(refused("a::b")).contains("has weight 'b' after '::'");
        assertThat(parse("C::D :: 2")).containsExactly(new PromptTerms.Term("C::D", 2, true));
        assertThat(refused("a AND b AND c AND d AND e AND f AND g AND h AND i")).contains("the prompt has 9 AND "
                + "terms; at most 8 are allowed (max-terms");
    }

    private static String refused(String prompt) {
        StageException e = (StageException) org.assertj.core.api.Assertions.catchThrowable(() -> parse(prompt));
        assertThat(e).as(prompt).isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INPUT);
        return e.getMessage();
    }

    @Test
    void refusalsAreStageExceptions() {
        assertThatThrownBy(() -> parse("AND")).isInstanceOf(StageException.class);
    }
}
