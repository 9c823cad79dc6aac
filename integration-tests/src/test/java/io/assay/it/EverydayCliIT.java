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

    /** The suite's model cache: the worlds are built once for all classes. */
    static final Path cache = Dist.worldCache();

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

    /** What {@code @Component(keys)} makes of {@code euler}'s block: {@code eta} belongs to DDIM only. */
    static final String EULER_REFUSES_ETA = "scheduler.eta: component 'euler' does not accept the setting 'eta' (its "
            + "settings record SchedulerSettings is shared with components that do); it accepts: num-train-timesteps, "
            + "beta-start, beta-end, beta-schedule, steps-offset, prediction-type, timestep-spacing, "
            + "use-karras-sigmas, model-dir";

    @Test
    void aKeyTheComponentDoesNotAcceptIsRefusedAtCheckTimeByItsDeclaredKeys(@TempDir Path dir) throws Exception {
        Path f = write(dir, "euler-eta.conf", includeDefault(), "scheduler { name = euler, eta = 0.5 }");
        Dist.Result r = Dist.cli("config", "check", f.toString(), "--set", cacheSet());
        assertThat(r.exit()).isEqualTo(3);
        // Refused where the block is bound (the hook), at the key's own line, not by building the scheduler.
        assertThat(r.err()).contains("euler-eta.conf:2: " + EULER_REFUSES_ETA)
                .doesNotContain("refuses these settings");
        // The run refuses it the same way, before anything runs.
        Dist.Result run = Dist.cli("generate", "x", "--config", f.toString(), "--out", dir.resolve("o").toString(),
                "--set", cacheSet());
        assertThat(run.exit()).isEqualTo(3);
        assertThat(run.err()).contains("euler-eta.conf:2: " + EULER_REFUSES_ETA);
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
        assertThat(r.err()).contains("eta-sweep.conf:4: scheduler.eta: axis 'scheduler.eta' value '0': "
                + EULER_REFUSES_ETA.substring("scheduler.eta: ".length()));
    }

    @Test
    void describeShowsOnlyTheKeysEachSchedulerAccepts() {
        String out = Dist.cli("config", "describe", "scheduler").requireOk().out();
        String ddim = block(out, "scheduler { name = ddim }");
        String euler = block(out, "scheduler { name = euler }");
        assertThat(keys(ddim)).containsExactly("num-train-timesteps", "beta-start", "beta-end", "beta-schedule",
                "steps-offset", "prediction-type", "timestep-spacing", "set-alpha-to-one", "clip-sample",
                "clip-sample-range", "eta", "model-dir");
        assertThat(keys(euler)).containsExactly("num-train-timesteps", "beta-start", "beta-end", "beta-schedule",
                "steps-offset", "prediction-type", "timestep-spacing", "use-karras-sigmas", "model-dir");
        assertThat(keys(block(out, "scheduler { name = lcm }"))).contains("original-inference-steps",
                "timestep-scaling").doesNotContain("timestep-spacing", "eta", "solver-order");
        // Every one of the 9 shows fewer than the shared record's 17 keys.
        Matcher titles = Pattern.compile("(?m)^scheduler \\{ name = ([a-z0-9-]+) \\}").matcher(out);
        int schedulers = 0;
        while (titles.find()) {
            schedulers++;
            assertThat(keys(block(out, titles.group(0))).size()).as(titles.group(1)).isBetween(8, 12);
        }
        assertThat(schedulers).isGreaterThanOrEqualTo(9);
    }

    /** The lines of one {@code config describe} entry, from its title to the blank line after it. */
    static String block(String describe, String title) {
        int from = describe.indexOf(title + "   (");
        assertThat(from).as(title + " in\n" + describe).isNotNegative();
        int to = describe.indexOf("\n\n", from);
        return describe.substring(from, to < 0 ? describe.length() : to);
    }

    /** The keys an entry lists, in order. */
    static List<String> keys(String block) {
        List<String> out = new ArrayList<>();
        block.lines().skip(1).forEach(l -> out.add(l.trim().split("\\s+")[0]));
        return out;
    }

    @Test
    void anUnknownSimilarityMetricIsRefusedByCheckWithTheInstalledOnes(@TempDir Path dir) throws Exception {
        Path f = write(dir, "metric.conf", includeDefault(), "metrics.similarity = clip-scroe");
        Dist.Result r = Dist.cli("config", "check", f.toString(), "--set", cacheSet());
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(3);
        assertThat(r.err()).contains("metric.conf:2: metrics.similarity: no SimilarityMetric named 'clip-scroe'; "
                + "did you mean 'clip-score'?; installed: ").containsPattern("installed: [a-z, -]*clip-score");
        Path ok = write(dir, "metric-ok.conf", includeDefault(), "metrics.similarity = clip-score");
        assertThat(Dist.cli("config", "check", ok.toString(), "--set", cacheSet()).requireOk().out())
                .contains("OK: ");
    }

    @Test
    void maxBatchOneSplitsEveryStepAndGivesTheSamePixels(@TempDir Path out) throws Exception {
        JsonNode[] traces = new JsonNode[2];
        byte[][] pixels = new byte[2][];
        String[] maxBatch = {"0", "1"};
        for (int i = 0; i < 2; i++) {
            Dist.Result r = Dist.cli("generate", "a red circle on a blue background", "--steps", "6", "--trace",
                    "--out", out.resolve("mb" + maxBatch[i]).toString(), "--quiet", "--set", cacheSet(), "--set",
                    "denoiser.max-batch=" + maxBatch[i]).requireOk();
            Path png = Path.of(r.out().lines().filter(l -> l.endsWith(".png")).findFirst().orElseThrow().trim());
            pixels[i] = PngFiles.read(png).rgb();
            traces[i] = new ObjectMapper().readTree(Files.readString(png.resolveSibling(png.getFileName().toString()
                    .replaceFirst("\\.png$", ".trace.json"))));
        }
        // CFG: two rows per step — one call each step unlimited, two calls each step at max-batch 1.
        assertThat(traces[0].path("result").path("denoiserCalls").asInt()).isEqualTo(6);
        assertThat(traces[1].path("result").path("denoiserCalls").asInt()).isEqualTo(12);
        // The same image, to the bit. Until world-17 it was not: ONNX Runtime summed a [1, S, D] ReduceSum in another
        // order than a [2, S, D] one, and multiplied a single row by a matrix it had not pre-packed with a one-row
        // kernel of its own; the sharp window posterior carried those last-bit differences into 238 of 12288 8-bit
        // values. The world's graph now avoids both (LocalDenoiserModel.pooledHiddenStates, rowsTimes).
        JsonNode a = traces[0].path("result").path("finalLatents");
        JsonNode b = traces[1].path("result").path("finalLatents");
        int differing = 0;
        for (int i = 0; i < Math.min(pixels[0].length, pixels[1].length); i++) {
            differing += pixels[0][i] != pixels[1][i] ? 1 : 0;
        }
        System.out.printf("max-batch 1 vs unlimited: final latents l2 %.9f vs %.9f, mean %.9f vs %.9f; %d of %d 8-bit "
                + "values differ%n", b.path("l2").asDouble(), a.path("l2").asDouble(), b.path("mean").asDouble(),
                a.path("mean").asDouble(), differing, pixels[0].length);
        assertThat(b.path("l2").asDouble()).isEqualTo(a.path("l2").asDouble());
        assertThat(b.path("mean").asDouble()).isEqualTo(a.path("mean").asDouble());
        assertThat(pixels[1]).as("the image at max-batch 1").isEqualTo(pixels[0]);
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
