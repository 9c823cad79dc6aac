package io.assay.sdk.testkit.contract;

import static io.assay.sdk.testkit.contract.Checks.check;
import static io.assay.sdk.testkit.contract.Checks.describe;

import io.assay.sdk.ErrorCode;
import io.assay.sdk.diffusion.Conditioning;
import io.assay.sdk.diffusion.TextEncoder;
import io.assay.sdk.diffusion.TokenReport;
import io.assay.sdk.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The {@link TextEncoder} contract: {@code encode} gives {@code [n, windows·L, hiddenSize]} (windows from the token
 * reports, {@code L} = {@link TextEncoder#windowLength()}), refuses an empty list with INVALID_INPUT, is
 * deterministic, encodes a batch as its prompts alone (within {@link #tolerance()}), leaves its input list alone and
 * hands out fresh tensors; the token report agrees with itself and the encoding (ids in whole windows, each
 * {@code [BOS, tokens…, EOS, padding]} when {@link #windowedIds()}, tokens = the words' pieces, what was dropped).
 */
public interface TextEncoderContract extends StageContract<TextEncoder> {

    /** Prompts of one window each. */
    default List<String> prompts() {
        return List.of("a photograph of an astronaut riding a horse", "a red cube on a wooden table, studio light");
    }

    /** A prompt longer than one window (truncated or chunked, as the encoder's policy says). */
    default String longPrompt() {
        return String.join(" ", Collections.nCopies(100, "astronaut"));
    }

    /** Declares CLIP's id layout: every window is {@code [BOS, tokens…, EOS, padding…]}. */
    default boolean windowedIds() {
        return true;
    }

    /** Tolerance between a prompt encoded in a batch and alone. */
    default double tolerance() {
        return 1e-5;
    }

    @Override
    default void use(TextEncoder stage) {
        stage.encode(List.of(""));
    }

    private List<String> all() {
        List<String> out = new ArrayList<>(prompts());
        out.add("");
        out.add(longPrompt());
        return out;
    }

    /** {@code [n, windows·L, D]} for single prompts, the empty prompt, a long prompt and mixed batches. */
    @Test
    default void encodeHasTheDeclaredShape() {
        try (TextEncoder e = create()) {
            String who = describe(e);
            int l = e.windowLength();
            check(l > 0 && e.hiddenSize() > 0, who + ": expected positive windowLength() and hiddenSize(), but they "
                    + "are " + l + " and " + e.hiddenSize());
            List<List<String>> batches = new ArrayList<>();
            for (String p : all()) {
                batches.add(List.of(p));
            }
            batches.add(prompts());
            batches.add(List.of(prompts().get(0), longPrompt()));
            for (List<String> batch : batches) {
                int windows = 1;
                for (String p : batch) {
                    windows = Math.max(windows, e.tokenize(p).windows());
                }
                Conditioning c = Checks.succeeds(who, "encode(" + batch + ")", () -> e.encode(batch));
                long[] expected = {batch.size(), (long) windows * l, e.hiddenSize()};
                Checks.shape(who, "the hidden states of encode(" + batch + ") (" + windows + " window(s) of " + l
                        + ")", expected, c.hiddenStates());
                Checks.finite(who, "the hidden states", c.hiddenStates());
                if (c.pooled() != null) {
                    check(c.pooled().dim(0) == batch.size(), who + ": expected a pooled output with one row per "
                            + "prompt, but it is " + c.pooled().shapeString());
                    Checks.finite(who, "the pooled output", c.pooled());
                }
            }
        }
    }

    /** An empty list is refused with INVALID_INPUT, as {@link TextEncoder#encode} declares. */
    @Test
    default void emptyListIsInvalidInput() {
        try (TextEncoder e = create()) {
            Checks.refused(describe(e), "encode(List.of())", ErrorCode.INVALID_INPUT, () -> e.encode(List.of()));
        }
    }

    /** The same texts give bit-identical output, and the caller may modify what it got. */
    @Test
    default void encodeIsDeterministic() {
        try (TextEncoder e = create()) {
            String who = describe(e);
            Conditioning a = e.encode(prompts());
            Tensor hidden = a.hiddenStates().copy();
            Tensor pooled = a.pooled() == null ? null : a.pooled().copy();
            Arrays.fill(a.hiddenStates().data(), Float.NaN);
            if (a.pooled() != null) {
                Arrays.fill(a.pooled().data(), Float.NaN);
            }
            Conditioning b = e.encode(prompts());
            Checks.bitIdentical(who, "the hidden states of encode(" + prompts() + ") (after the caller overwrote the "
                    + "first result)", hidden, b.hiddenStates());
            if (pooled != null) {
                Checks.bitIdentical(who, "the pooled output", pooled, b.pooled());
            }
        }
    }

    /** Each prompt of a batch is encoded as it is alone (rows of shorter prompts compared over their own windows). */
    @Test
    default void aBatchEncodesEachPromptAsAlone() {
        try (TextEncoder e = create()) {
            String who = describe(e);
            List<String> batch = new ArrayList<>(prompts());
            batch.add("");
            Conditioning together = e.encode(batch);
            for (int k = 0; k < batch.size(); k++) {
                Conditioning alone = e.encode(List.of(batch.get(k)));
                Tensor row = together.hiddenStates().batchItem(k);
                long len = alone.hiddenStates().dim(1);
                float[] prefix = Arrays.copyOf(row.data(), Math.toIntExact(len * e.hiddenSize()));
                Checks.close(who, "row " + k + " ('" + batch.get(k) + "') of encode(" + batch + ")",
                        alone.hiddenStates(), new Tensor(alone.hiddenStates().shape(), prefix), tolerance());
                if (alone.pooled() != null) {
                    Checks.close(who, "pooled row " + k + " of the batch", alone.pooled(),
                            together.pooled().batchItem(k), tolerance());
                }
            }
        }
    }

    /** {@code encode} and {@code tokenize} leave the caller's list as it was. */
    @Test
    default void inputsAreNotModified() {
        try (TextEncoder e = create()) {
            String who = describe(e);
            List<String> texts = new ArrayList<>(prompts());
            List<String> before = List.copyOf(texts);
            e.encode(texts);
            check(texts.equals(before), who + ": expected encode() to leave its list unchanged, but " + before
                    + " became " + texts);
        }
    }

    /**
     * The token report: the prompt as given, ids in whole windows, tokens = the words' pieces, and the ids laid out
     * as {@code [BOS, tokens…, EOS, padding]} per window (BOS, EOS and padding read from the empty prompt's report),
     * with truncation reported exactly when tokens did not fit.
     */
    @Test
    default void tokenReportAgreesWithTheEncoding() {
        try (TextEncoder e = create()) {
            String who = describe(e);
            int l = e.windowLength();
            TokenReport empty = e.tokenize("");
            check(empty.tokens().isEmpty() && empty.windows() == 1 && empty.ids().length == l, who + ": expected the "
                    + "empty prompt to give no tokens in one window of " + l + " ids, but it gave " + empty.tokens()
                    + " in " + empty.windows() + " window(s) of " + empty.ids().length + " ids");
            int bos = empty.ids()[0];
            int eos = empty.ids()[1];
            int pad = empty.ids()[l - 1];
            for (String p : all()) {
                TokenReport r = e.tokenize(p);
                String what = "tokenize('" + (p.length() > 40 ? p.substring(0, 40) + "…" : p) + "')";
                check(p.equals(r.prompt()), who + ": expected " + what + ".prompt() to be the text as given, but it "
                        + "is '" + r.prompt() + "'");
                check(r.ids().length == r.windows() * l, who + ": expected " + what + " to hold " + r.windows()
                        + " window(s) of " + l + " ids, but it holds " + r.ids().length + " ids");
                List<String> pieces = new ArrayList<>();
                r.words().forEach(w -> pieces.addAll(w.pieces()));
                check(pieces.equals(r.tokens()), who + ": expected " + what + ".tokens() to be the words' pieces in "
                        + "order, but the tokens are " + r.tokens() + " and the pieces " + pieces);
                int n = r.tokens().size();
                int per = l - 2;
                if (!windowedIds()) {
                    continue;
                }
                int placed = 0;
                for (int w = 0; w < r.windows(); w++) {
                    int base = w * l;
                    check(r.ids()[base] == bos, who + ": expected window " + w + " of " + what + " to start with BOS "
                            + bos + ", but it starts with " + r.ids()[base]);
                    int end = base + 1;
                    while (end < base + l && r.ids()[end] != eos) {
                        end++;
                    }
                    check(end < base + l, who + ": expected window " + w + " of " + what + " to contain EOS " + eos
                            + ", but it has none: " + Arrays.toString(Arrays.copyOfRange(r.ids(), base, base + l)));
                    placed += end - base - 1;
                    for (int i = end + 1; i < base + l; i++) {
                        check(r.ids()[i] == pad, who + ": expected padding " + pad + " after EOS in window " + w
                                + " of " + what + ", but id " + (i - base) + " is " + r.ids()[i]);
                    }
                }
                if (r.windows() == 1) {
                    int kept = Math.min(n, per);
                    check(placed == kept, who + ": expected " + kept + " of the " + n + " tokens of " + what
                            + " between BOS and EOS, but found " + placed);
                    check(r.dropped().equals(r.tokens().subList(kept, n)), who + ": expected " + what + ".dropped() "
                            + "to be the " + (n - kept) + " tokens past the window, but it is " + r.dropped());
                    check(r.truncated() == (n > per), who + ": expected truncated() = " + (n > per) + " for " + n
                            + " tokens in a window of " + per + ", but it is " + r.truncated());
                } else {
                    check(placed == n && r.dropped().isEmpty(), who + ": expected a chunked " + what + " to place all "
                            + n + " tokens in its " + r.windows() + " windows and drop none, but it placed " + placed
                            + " and dropped " + r.dropped());
                }
            }
        }
    }
}
