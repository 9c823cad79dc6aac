package io.assay.lib.clip;

import io.assay.sdk.diffusion.TokenReport;
import java.util.List;

/**
 * A prompt's BPE encoding, before any window.
 *
 * @param prompt the text as given
 * @param cleaned the text after cleaning (what the regex splits)
 * @param ids the token ids, without BOS/EOS
 * @param tokens the token strings
 * @param words each regex piece with its tokens
 */
public record Encoding(String prompt, String cleaned, int[] ids, List<String> tokens, List<TokenReport.Word> words) {
}
