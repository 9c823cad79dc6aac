package io.assay.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.assay.framework.io.PngFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The everyday CLI (issue 15): {@code config check} on every kind of shipped file and on mistakes that used to pass
 * until run time, {@code config describe} (filters, value lists, unknown stages), {@code generate}'s random seed and
 * its warnings (truncation, literal special tokens, a scheduler's recommended ranges) on stderr and in the image,
 * flag names in errors, {@code --scheduler}'s help, and {@code compare} with a bare experiment name.
 */
class EverydayCliIT {

    @TempDir
    static Path cache;

    static String cacheSet() {
        return "model.cache-dir=\"" + cache + "\"";
    }

    static Path write(Path dir, String name, String... lines) throws Exception {
        return Files.writeString(dir.resolve(name), String.join("\n", lines) + "\n");
    }

    static String includeDefault() {
        return "include \"" + Dist.configs().resolve("default.conf") + "\"";
    }

    @Test
    void everyShippedExperimentAndCurationFileChecksAndSaysWhatItIs() {
        String[][] files = {
            {"experiments/gaussian-noise.conf", "experiment 'gaussian-noise': 4 cells"},
            {"experiments/commodity-cfg-sweep.conf", "experiment 'commodity-cfg-sweep': 4 cells"},
            {"curation/laion-style.conf", "curation chain: source procedural, 5 filter(s): junk-caption, language, "
                    + "min-size, near-duplicate, image-text"},
            {"curation/laion-style-no-language.conf", "curation chain: source procedural, 4 filter(s)"}};
        for (String[] f : files) {
            Dist.Result r = Dist.cli("config", "check", Dist.configs().resolve(f[0]).toString(), "--set", cacheSet());
            assertThat(r.exit()).as(f[0] + "\n" + r.err()).isZero();
            assertThat(r.out()).as(f[0]).contains("OK: ", f[1]);
        }
    }

    @Test
    void aPipelineNamingAnUnsetModelDirectoryIsAProblemNotTheEmbeddedWorld() {
        Dist.Result r = Dist.cli("config", "check", Dist.configs().resolve("sd15.conf").toString(), "--set",
                cacheSet());
        assertThat(r.exit()).as(r.out()).isEqualTo(3);
        assertThat(r.out()).doesNotContain("OK");
        assertThat(r.err()).contains("sd15.conf:8: model.dir: this pipeline names a model directory, but the value "
                + "is unset (${?ASSAY_MODEL_DIR})", "1 problem(s)");
    }

    @Test
    void aComponentsOwnRuleFiresAtCheckTimeWithFileAndLine(@TempDir Path dir) throws Exception {
        Path f = write(dir, "euler-eta.conf", includeDefault(), "scheduler { name = euler, eta = 0.5 }");
        Dist.Result r = Dist.cli("config", "check", f.toString(), "--set", cacheSet());
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.err()).contains("euler-eta.conf:2: scheduler: component 'euler' refuses these settings: "
                + "Setting 'eta' = 0.5 does not apply to component 'euler'");
        // The same setting on the scheduler that uses it passes.
        Path ok = write(dir, "ddim-eta.conf", includeDefault(), "scheduler { name = ddim, eta = 0.5 }");
        assertThat(Dist.cli("config", "check", ok.toString(), "--set", cacheSet()).requireOk().out())
                .contains("OK: ");
    }

    @Test
    void anExperimentCellThatAComponentRefusesFailsTheCheck(@TempDir Path dir) throws Exception {
        Path f = write(dir, "eta-sweep.conf", includeDefault(), "experiment {", "  prompts = [x]",
                "  axes = [ { path = scheduler.eta, values = [0, 0.5] } ]", "}");
        Dist.Result r = Dist.cli("config", "check", f.toString(), "--set", cacheSet());
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.err()).contains("component 'euler' refuses these settings: Setting 'eta'");
    }

    @Test
    void recommendedRangesAreWarningsOnCheckAndGenerate(@TempDir Path dir) throws Exception {
        Path f = write(dir, "lcm.conf", includeDefault(), "scheduler.name = lcm");
        Dist.Result r = Dist.cli("config", "check", f.toString(), "--set", cacheSet()).requireOk();
        assertThat(r.err()).contains("warning: scheduler 'lcm' is meant for 2 to 8 steps; this run has 20",
                "warning: scheduler 'lcm' is meant for a guidance scale of 1 to 2; this run has 7.5");
        Dist.Result inRange = Dist.cli("generate", "a red circle on a blue background", "--scheduler", "lcm",
                "--steps", "4", "--guidance", "1.5", "--out", dir.resolve("lcm").toString(), "--quiet", "--set",
                cacheSet()).requireOk();
        assertThat(inRange.err()).doesNotContain("warning");
    }

    @Test
    void describeListsFiltersValueListsAndRefusesAnUnknownStage() {
        Dist.Result filters = Dist.cli("config", "describe", "curation.filters").requireOk();
        for (String name : new String[] {"junk-caption", "language", "min-size", "near-duplicate", "image-text",
            "link-rank"}) {
            assertThat(filters.out()).contains("curation.filters [ { name = " + name + " } ]");
        }
        assertThat(filters.out()).containsPattern("without-image\\s+keep\\|reject\\s+default reject");
        Dist.Result model = Dist.cli("config", "describe", "model").requireOk();
        assertThat(model.out()).containsPattern("world-denoiser\\s+local\\|memorize").doesNotContain("scheduler {");
        Dist.Result unknown = Dist.cli("config", "describe", "shceduler");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("no section or stage 'shceduler'; known: ", "scheduler", "curation.filters");
        assertThat(unknown.out()).isEmpty();
    }

    @Test
    void seedMinusOneDrawsARandomSeedReportedOnStderrInTheNameAndInTheImage(@TempDir Path out) throws Exception {
        Dist.Result r = Dist.cli("generate", "a red circle on a blue background", "--seed", "-1", "--steps", "4",
                "--out", out.toString(), "--quiet", "--set", cacheSet()).requireOk();
        Matcher m = Pattern.compile("drew the random seed (\\d+)").matcher(r.err());
        assertThat(m.find()).as(r.err()).isTrue();
        long seed = Long.parseLong(m.group(1));
        Path png = Path.of(r.out().strip());
        assertThat(png.getFileName().toString()).isEqualTo("a-red-circle-on-a-blue-background-" + seed + ".png");
        JsonNode prov = new ObjectMapper().readTree(PngFiles.readText(png).get("assay"));
        assertThat(prov.get("seed").asLong()).isEqualTo(seed);
        assertThat(prov.get("seedDrawn").asBoolean()).isTrue();
        assertThat(PngFiles.readText(png).get("parameters")).contains("Seed: " + seed);
        // The reported seed reproduces the image.
        Dist.Result again = Dist.cli("generate", "a red circle on a blue background", "--seed", Long.toString(seed),
                "--steps", "4", "--out", out.resolve("again").toString(), "--quiet", "--set", cacheSet())
                .requireOk();
        assertThat(PngFiles.read(Path.of(again.out().strip())).rgb()).isEqualTo(PngFiles.read(png).rgb());
    }

    @Test
    void truncationAndLiteralSpecialTokensAreWarnedAndRecorded(@TempDir Path out) throws Exception {
        // Words the embedded world's vocabulary holds whole: 8 tokens (the special one included), then 7 per repeat.
        String prompt = "a red circle <|endoftext|> on a blue background" + " a red circle on a blue background"
                .repeat(11);
        Dist.Result r = Dist.cli("generate", prompt, "--steps", "2", "--out", out.toString(), "--quiet", "--set",
                cacheSet()).requireOk();
        // 8 + 11 × 7 = 85 tokens, of which 75 fit.
        assertThat(r.err()).contains("warning: run.prompt holds the literal special token <|endoftext|>",
                "warning: run.prompt is 85 tokens; the text encoder keeps the first 75 and drops 10: 'a blue "
                + "background a red circle on a blue background'");
        JsonNode warnings = new ObjectMapper().readTree(PngFiles.readText(Path.of(r.out().strip())).get("assay"))
                .get("warnings");
        assertThat(warnings).hasSize(2);
        assertThat(warnings.get(0).asText()).contains("is 85 tokens");
        assertThat(warnings.get(1).asText()).contains("<|endoftext|>");
    }

    @Test
    void errorsNameTheFlagTheUserTyped(@TempDir Path out) {
        Dist.Result r = Dist.cli("generate", "x", "--scheduler", "eulr", "--out", out.toString(), "--set", cacheSet());
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.err()).contains("command line --scheduler: scheduler.name: no Scheduler named 'eulr'; did you "
                + "mean 'euler'?").doesNotContain("--set:1", "--scheduler:1");
        Dist.Result s = Dist.cli("generate", "x", "--strength", "0", "--out", out.toString());
        assertThat(s.exit()).isEqualTo(2);
        assertThat(s.err()).contains("--strength must be in (0, 1]");
    }

    @Test
    void schedulerHelpListsTheInstalledSchedulers() {
        String before = System.getProperty("assay.home");
        System.setProperty("assay.home", Dist.home().toString());
        try {
            Dist.Result r = Dist.cli("generate", "--help").requireOk();
            String help = r.out().replaceAll("\\s+", " ");
            assertThat(help).contains("one of the installed: ddim, dpmpp-2m, dpmpp-2m-karras, euler, "
                    + "euler-ancestral, heun, lcm, lms, pndm.");
            assertThat(help).contains("--strength=S Image-to-image strength in (0, 1]");
        } finally {
            if (before == null) {
                System.clearProperty("assay.home");
            } else {
                System.setProperty("assay.home", before);
            }
        }
    }

    @Test
    void compareTakesAnExperimentsBareName(@TempDir Path work) throws Exception {
        // As a user runs it: the launcher from a directory holding configs/experiments/.
        Path exps = Files.createDirectories(work.resolve("configs").resolve("experiments"));
        Files.writeString(exps.resolve("two-seeds.conf"), includeDefault() + "\nexperiment {\n  prompts = [\"a red "
                + "circle on a blue background\"]\n  seeds = [0, 1]\n}\n");
        List<String> cmd = new ArrayList<>(List.of(Dist.home().resolve("bin").resolve("assay").toString(), "compare",
                "two-seeds", "--out", work.resolve("out").toString(), "--plugins-dir",
                Dist.home().resolve("plugins").toString(), "--set", cacheSet(), "--set", "run.steps=2"));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true);
        pb.environment().remove("ASSAY_CONFIGS");
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).contains("compare: cell 2/2");
        assertThat(work.resolve("out").resolve("index.html")).isRegularFile();
        assertThat(Files.readString(work.resolve("out").resolve("results.json"))).contains("two-seeds");
    }
}
