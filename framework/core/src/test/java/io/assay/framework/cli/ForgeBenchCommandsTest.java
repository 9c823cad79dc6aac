package io.assay.framework.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The argument checks of {@code assay forge} and {@code assay bench} that run before any model or plugin is touched:
 * each wrong input is one line on stderr, no stack trace, with the exit code of {@link ExitCodes}, and nothing is
 * written.
 */
class ForgeBenchCommandsTest {

    private record Run(int exit, String out, String err) {
    }

    private static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = AssayCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    private static void oneLine(Run r, int exit, String contains) {
        assertThat(r.exit()).as("exit code; stderr %s", r.err()).isEqualTo(exit);
        assertThat(r.err().strip().lines().toList()).as("stderr: %s", r.err()).hasSize(1);
        assertThat(r.err()).contains(contains).doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void forgeRefusesAnUnknownPresetOrDtype(@TempDir Path tmp) {
        oneLine(cli("forge", "sdxl", "--out", tmp.resolve("m").toString()), ExitCodes.USAGE,
                "unknown preset 'sdxl'; expected one of tiny, mid, sd15, sd21");
        oneLine(cli("forge", "tiny", "--out", tmp.resolve("m").toString(), "--dtype", "bf16"), ExitCodes.USAGE,
                "unknown --dtype 'bf16'; expected fp32 or fp16");
        assertThat(tmp.resolve("m")).doesNotExist();
    }

    @Test
    void forgeRefusesATargetThatIsNotAnEmptyDirectory(@TempDir Path tmp) throws IOException {
        Path full = Files.createDirectories(tmp.resolve("full"));
        Files.writeString(full.resolve("mine.txt"), "keep");
        oneLine(cli("forge", "tiny", "--out", full.toString()), ExitCodes.IO, "exists and is not empty");
        assertThat(Files.readString(full.resolve("mine.txt"))).isEqualTo("keep");

        Path file = Files.writeString(tmp.resolve("file"), "x");
        oneLine(cli("forge", "tiny", "--out", file.toString()), ExitCodes.IO, "exists and is not a directory");

        oneLine(cli("forge", "tiny", "--out", file.resolve("below").toString()), ExitCodes.IO, "is not a directory");
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("full", "file");
        }
    }

    @Test
    void forgeRefusesAnUnwritableParent(@TempDir Path tmp) throws IOException {
        Path locked = Files.createDirectories(tmp.resolve("locked"));
        org.junit.jupiter.api.Assumptions.assumeTrue(locked.toFile().setWritable(false, false));
        try {
            org.junit.jupiter.api.Assumptions.assumeFalse(Files.isWritable(locked), "running as a user who can "
                    + "write anywhere");
            oneLine(cli("forge", "tiny", "--out", locked.resolve("m").toString()), ExitCodes.IO, "is not writable");
        } finally {
            locked.toFile().setWritable(true, false);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--size|256|is not WxH",
        "--size|100x64|multiples of 8",
        "--size|0x0|multiples of 8",
        "--steps|0|--steps must be at least 1",
        "--runs|0|--runs must be at least 1",
        "--provider|rocm|--provider must be cpu or cuda",
        "--scheduler|pndm|--scheduler must be euler or ddim",
        "--guidance|-1|--guidance must be a finite number",
        "--threads|-2|--threads must be 0"})
    void benchRefusesBadOptionsBeforeLoadingAnything(String option, String value, String message,
            @TempDir Path tmp) {
        oneLine(cli("bench", tmp.toString(), option, value), ExitCodes.CONFIG, message);
    }

    @Test
    void benchNamesTheMissingModelFile(@TempDir Path tmp) throws IOException {
        oneLine(cli("bench", tmp.resolve("nowhere").toString()), ExitCodes.MODEL, "does not exist");
        Files.createDirectories(tmp.resolve("scheduler"));
        Files.writeString(tmp.resolve("model_index.json"), "{}");
        Files.writeString(tmp.resolve("scheduler").resolve("scheduler_config.json"), "{}");
        oneLine(cli("bench", tmp.toString()), ExitCodes.MODEL, "has no tokenizer/vocab.json");
    }
}
