package io.assay.lib.clip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.assay.sdk.diffusion.TokenReport;
import io.assay.sdk.testkit.References;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against the 250 cases made with openai/CLIP's simple_tokenizer + ftfy 6.1.1 (../shared/reference/clip-tokenizer). */
class ClipTokenizerReferenceTest {

    private static ClipTokenizer tokenizer;
    private static List<JsonNode> cases;

    @BeforeAll
    static void load() throws IOException {
        Path dir = References.require("clip-tokenizer");
        tokenizer = ClipTokenizer.load(dir);
        cases = new ArrayList<>();
        ObjectMapper m = new ObjectMapper();
        for (String line : Files.readAllLines(dir.resolve("cases.jsonl"))) {
            if (!line.isBlank()) {
                cases.add(m.readTree(line));
            }
        }
    }

    @Test
    void idsTokensAndCleaningMatchTheReference() {
        List<String> failures = new ArrayList<>();
        int identical = 0;
        for (JsonNode c : cases) {
            String prompt = c.get("prompt").asText();
            TokenReport r = tokenizer.report(prompt, LongPromptPolicy.TRUNCATE, 77);
            int[] expected = new int[77];
            for (int i = 0; i < 77; i++) {
                expected[i] = c.get("ids").get(i).asInt();
            }
            List<String> tokens = new ArrayList<>();
            c.get("tokens").forEach(t -> tokens.add(t.asText()));
            boolean same = java.util.Arrays.equals(r.ids(), expected) && r.tokens().equals(tokens)
                    && r.normalized().equals(c.get("cleaned").asText())
                    && r.tokens().size() == c.get("n_tokens_before_truncation").asInt();
            if (same) {
                identical++;
            } else {
                failures.add(prompt + " -> " + r.normalized() + " vs " + c.get("cleaned").asText());
            }
        }
        System.out.printf("CLIP tokenizer: %d/%d identical%n", identical, cases.size());
        assertThat(failures).as("cases that differ from openai/CLIP + ftfy").isEmpty();
        assertThat(cases).hasSize(250);
        assertThat(identical).isEqualTo(250);
    }

    @Test
    void everyApostropheFtfyUncurlsTokenizesAsTheAsciiOne() {
        TokenReport ascii = tokenizer.report("a dog's life, don't", LongPromptPolicy.TRUNCATE, 77);
        assertThat(ascii.tokens()).contains("'s</w>", "'t</w>");
        for (char apostrophe : new char[] {'\u02bc', '\u2018', '\u2019', '\u201a', '\u201b'}) {
            TokenReport r = tokenizer.report("a dog" + apostrophe + "s life, don" + apostrophe + "t",
                    LongPromptPolicy.TRUNCATE, 77);
            assertThat(r.ids()).as("U+%04X", (int) apostrophe).isEqualTo(ascii.ids());
        }
    }

    @Test
    void truncationReportsTheDroppedTokensAndChunkingKeepsThem() {
        String longPrompt = "a photo of a cat ".repeat(40).trim();
        TokenReport t = tokenizer.report(longPrompt, LongPromptPolicy.TRUNCATE, 77);
        assertThat(t.tokens()).hasSize(200);
        assertThat(t.dropped()).hasSize(125);
        assertThat(t.ids()).hasSize(77);
        assertThat(t.ids()[0]).isEqualTo(49406);
        assertThat(t.ids()[76]).isEqualTo(49407);
        TokenReport c = tokenizer.report(longPrompt, LongPromptPolicy.CHUNK, 77);
        assertThat(c.windows()).isEqualTo(3);
        assertThat(c.ids()).hasSize(231);
        assertThat(c.dropped()).isEmpty();
        assertThat(c.ids()[77]).isEqualTo(49406);
        assertThat(c.ids()[77 + 76]).isEqualTo(49407);
        assertThat(c.ids()[154 + 51]).isEqualTo(49407); // 50 tokens in the last window, then EOS
    }

    @Test
    void anyUnicodeTokenizesByByteFallbackAndSplitsAreReported() {
        TokenReport r = tokenizer.report("Gaussian Noise 🦊 नमस्ते", LongPromptPolicy.TRUNCATE, 77);
        assertThat(r.words().get(0).text()).isEqualTo("gaussian");
        assertThat(r.words().get(0).split()).isTrue();
        assertThat(r.words().get(0).pieces()).containsExactly("gau", "ssian</w>");
        assertThat(r.tokens()).allSatisfy(t -> assertThat(t).isNotEmpty());
    }

    @Test
    void malformedFilesAreRefusedNamingFileAndLine(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("vocab.json"), "{\"a\": 0, \"<|startoftext|>\": 1, \"<|endoftext|>\": 2}");
        Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\na b c\n");
        assertThatThrownBy(() -> ClipTokenizer.load(dir)).isInstanceOf(IOException.class)
                .hasMessageContaining("merges.txt:2").hasMessageContaining("expected 'A B'");
        Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\na b\n");
        assertThatThrownBy(() -> ClipTokenizer.load(dir)).hasMessageContaining("'ab', which is not in vocab.json");
    }

    @Test
    void threadSafe() {
        List<int[]> serial = cases.stream().map(c -> tokenizer.report(c.get("prompt").asText(),
                LongPromptPolicy.TRUNCATE, 77).ids()).toList();
        List<int[]> parallel = cases.parallelStream().map(c -> tokenizer.report(c.get("prompt").asText(),
                LongPromptPolicy.TRUNCATE, 77).ids()).toList();
        for (int i = 0; i < serial.size(); i++) {
            assertThat(parallel.get(i)).isEqualTo(serial.get(i));
        }
    }
}
