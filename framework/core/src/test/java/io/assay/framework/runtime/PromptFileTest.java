package io.assay.framework.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.assay.sdk.settings.ConfigErrorsException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --prompts FILE}: plain lines and JSON lines become overrides; every bad line is named before any runs. */
class PromptFileTest {

    @Test
    void plainAndJsonLinesBecomeOverrides(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("p.txt");
        Files.writeString(f, String.join("\n", "# a comment", "a red circle", "", "  say \"hi\"  ",
                "{\"prompt\": \"a green square\", \"seed\": 3, \"guidance\": 12.5, \"scheduler\": \"ddim\", "
                        + "\"set\": {\"noise.name\": \"torch-cpu\", \"run.batch\": 2}}"));
        List<PromptFile.Entry> e = PromptFile.read(f);
        assertThat(e).extracting(PromptFile.Entry::line).containsExactly(2, 4, 5);
        assertThat(e.get(0).sets()).containsExactly("run.prompt=\"a red circle\"");
        assertThat(e.get(1).sets()).containsExactly("run.prompt=\"say \\\"hi\\\"\"");
        assertThat(e.get(2).sets()).containsExactly("run.prompt=\"a green square\"", "run.seed=3",
                "guidance.scale=12.5", "scheduler.name=\"ddim\"", "noise.name=\"torch-cpu\"", "run.batch=2");
    }

    @Test
    void everyBadLineIsNamedWithItsLineAndField(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.jsonl");
        Files.writeString(f, String.join("\n", "{\"prompt\": \"ok\"}", "{\"prompt\": \"x\", \"seed\": 2.5}",
                "{\"prompt\": \"x\", \"colour\": \"red\"}", "{\"seed\": 1}", "{not json",
                "{\"prompt\": \"x\", \"set\": [1]}", "{\"prompt\": \"x\", \"steps\": \"20\"}"));
        assertThatThrownBy(() -> PromptFile.read(f)).isInstanceOf(ConfigErrorsException.class)
                .satisfies(t -> {
                    String m = t.getMessage();
                    assertThat(m).contains("bad.jsonl:2: seed: expected integer, found 2.5",
                            "bad.jsonl:3: colour: unknown field", "bad.jsonl:4: prompt: a JSON line needs a string",
                            "bad.jsonl:5: not a JSON object", "bad.jsonl:6: set: expected an object",
                            "bad.jsonl:7: steps: expected integer, found \"20\"");
                    assertThat(((ConfigErrorsException) t).report().errors()).hasSize(6);
                });
    }

    @Test
    void anEmptyOrUnreadableFileIsRefused(@TempDir Path dir) throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.txt"), "# nothing\n\n");
        assertThatThrownBy(() -> PromptFile.read(empty)).hasMessageContaining("no prompts");
        Path latin1 = Files.write(dir.resolve("latin1.txt"), "caf\u00e9".getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> PromptFile.read(latin1)).hasMessageContaining("not UTF-8");
        assertThatThrownBy(() -> PromptFile.read(dir.resolve("missing.txt"))).hasMessageContaining("cannot read");
    }
}
