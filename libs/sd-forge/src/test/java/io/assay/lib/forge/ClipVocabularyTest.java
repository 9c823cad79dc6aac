package io.assay.lib.forge;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.lib.clip.ClipTokenizer;
import io.assay.lib.clip.LongPromptPolicy;
import io.assay.sdk.diffusion.TokenReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClipVocabularyTest {

    @TempDir
    static Path dir;
    static ClipVocabulary vocab;
    static ClipTokenizer tokenizer;

    @BeforeAll
    static void generate() throws IOException {
        vocab = ClipVocabulary.generate();
        ModelFiles.writeTokenizer(vocab, "<|endoftext|>", dir);
        tokenizer = ClipTokenizer.load(dir);
    }

    @Test
    void hasClipsLayoutAndSize() throws IOException {
        assertThat(vocab.vocab()).hasSize(49408);
        assertThat(vocab.merges()).hasSize(48894).doesNotHaveDuplicates();
        assertThat(vocab.vocab().get("!")).isZero();
        assertThat(vocab.vocab().get("!</w>")).isEqualTo(256);
        assertThat(vocab.vocab().get("<|startoftext|>")).isEqualTo(49406);
        assertThat(vocab.vocab().get("<|endoftext|>")).isEqualTo(49407);
        assertThat(tokenizer.vocabSize()).isEqualTo(49408);
        assertThat(tokenizer.bosId()).isEqualTo(49406);
        assertThat(tokenizer.eosId()).isEqualTo(49407);
        assertThat(tokenizer.padId()).isEqualTo(49407);
        List<String> merges = Files.readAllLines(dir.resolve("merges.txt"));
        assertThat(merges.get(0)).isEqualTo("#version: 0.2");
        assertThat(merges).hasSize(48895);
        // Merge i makes token 512 + i, as in CLIP's files.
        String m = vocab.merges().get(1000);
        assertThat(vocab.vocab().get(m.replace(" ", ""))).isEqualTo(1512);
    }

    @Test
    void listedWordsAreSingleTokens() {
        TokenReport r = tokenizer.report("A photograph of an astronaut riding a horse on Mars, trending on ArtStation",
                LongPromptPolicy.TRUNCATE, 77);
        assertThat(r.tokens()).containsExactly("a</w>", "photograph</w>", "of</w>", "an</w>", "astronaut</w>",
                "riding</w>", "a</w>", "horse</w>", "on</w>", "mars</w>", ",</w>", "trending</w>", "on</w>",
                "artstation</w>");
        assertThat(r.ids()).hasSize(77);
        assertThat(r.ids()[0]).isEqualTo(49406);
        assertThat(r.ids()[15]).isEqualTo(49407);
        assertThat(r.ids()[76]).isEqualTo(49407);
    }

    @Test
    void anyTextTokenizesIntoPiecesThatSpellIt() {
        for (String word : List.of("zyzzogeton", "photosynthesis", "quokka", "xylophone", "naïve", "smörgåsbord",
                "東京", "42")) {
            TokenReport r = tokenizer.report(word, LongPromptPolicy.TRUNCATE, 77);
            String joined = String.join("", r.tokens()).replace("</w>", "");
            StringBuilder expected = new StringBuilder();
            String[] byteChar = ClipTokenizer.byteToUnicode();
            for (String piece : ClipTokenizer.words(word)) {
                for (byte b : piece.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
                    expected.append(byteChar[b & 0xff]);
                }
            }
            assertThat(joined).as(word).isEqualTo(expected.toString());
            assertThat(r.dropped()).isEmpty();
        }
        // Unlisted English words become a few pieces of two to four letters, not single bytes.
        assertThat(tokenizer.encode("photosynthesis").tokens()).hasSizeBetween(2, 6);
        assertThat(tokenizer.encode("naïve").tokens()).contains("Ã¯"); // ï as one token (its UTF-8 bytes as CLIP chars)
    }

    @Test
    void generationIsDeterministic() {
        ClipVocabulary again = ClipVocabulary.generate();
        assertThat(again.merges()).isEqualTo(vocab.merges());
        assertThat(again.vocab()).containsExactlyEntriesOf(vocab.vocab());
    }
}
