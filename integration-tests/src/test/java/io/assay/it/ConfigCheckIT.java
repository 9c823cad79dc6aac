package io.assay.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.sdk.testkit.References;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code assay config check} on broken pipeline files against the installed plugins: each kind of mistake gives its
 * own message naming the file, the line and the key, and a non-zero exit code (3, configuration error).
 */
class ConfigCheckIT {

    private static String model() {
        return References.require("tiny-sd/model").toString();
    }

    private static Dist.Result check(Path dir, String name, String... lines) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, String.join("\n", lines) + "\n");
        return Dist.cli("config", "check", f.toString());
    }

    @Test
    void wrongType(@TempDir Path dir) throws Exception {
        Dist.Result r = check(dir, "wrong-type.conf", "model.dir = \"" + model() + "\"", "run {", "  steps = many",
                "}");
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.err()).contains("wrong-type.conf:3: run.steps: expected a whole number, found \"many\" (string)");
    }

    @Test
    void unknownKeyWithSuggestion(@TempDir Path dir) throws Exception {
        Dist.Result r = check(dir, "unknown-key.conf", "model.dir = \"" + model() + "\"",
                "scheduler { name = euler, timestep-spacinng = leading }");
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.err()).contains("unknown-key.conf:2: scheduler.timestep-spacinng: unknown key for component "
                + "'euler'; did you mean 'timestep-spacing'?");
    }

    @Test
    void misspelledComponentListsTheInstalledOnes(@TempDir Path dir) throws Exception {
        Dist.Result r = check(dir, "misspelled.conf", "model.dir = \"" + model() + "\"", "",
                "denoiser.name = onnx-unett");
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.err()).contains("misspelled.conf:3: denoiser.name: no Denoiser named 'onnx-unett'; did you mean "
                + "'onnx-unet'?; installed: onnx-unet (plugin onnx-sd 0.1.0)");
    }

    @Test
    void malformedHocon(@TempDir Path dir) throws Exception {
        Dist.Result r = check(dir, "malformed.conf", "model.dir = \"" + model() + "\"", "guidance {",
                "  name = cfg", "  scale = [7.5", "");
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.err()).containsPattern("malformed\\.conf:\\d+: malformed HOCON: ");
    }

    @Test
    void allProblemsOfOneFileInOneNumberedReportAndValidFilesPass(@TempDir Path dir) throws Exception {
        Dist.Result r = check(dir, "several.conf", "model.dir = \"" + model() + "\"", "run.steps = many",
                "guidance { name = cfg, scale = -1 }", "noise.name = torch", "sampler.name = euler");
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.err()).contains("(4):", "1) ", "2) ", "3) ", "4) ", "several.conf:3: guidance.scale",
                "several.conf:4: noise.name: no NoiseSource named 'torch'", "several.conf:5: sampler: unknown section");
        for (Path conf : new Path[] {Dist.configs().resolve("sd15.conf"), Dist.configs().resolve("sd15-cuda.conf"),
            Dist.configs().resolve("default.conf")}) {
            Dist.Result ok = Dist.cli("config", "check", conf.toString(), "--set", "model.dir=\"" + model() + "\"");
            assertThat(ok.exit()).as(ok.err()).isZero();
            assertThat(ok.out()).contains("OK: ");
        }
    }
}
