package io.assay.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.assay.framework.experiment.ImageMetrics;
import io.assay.framework.io.FileTrees;
import io.assay.framework.io.PngFiles;
import io.assay.framework.world.EmbeddedWorld;
import io.assay.sdk.tensor.RgbImage;
import io.assay.sdk.testkit.PluginArchiveBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SDK 1.1's model configuration reaches third-party stages: a scheduler plugin compiled at test time from
 * {@code src/test/resources/plugins/trailing-ddim} declares {@code @Setting(diffusersKey = "num_train_timesteps")} and
 * reads no file itself; run on a copy of the embedded world whose {@code scheduler_config.json} says
 * {@code num_train_timesteps = 500}, the host fills the setting from it (first timestep 499 instead of 999), hands the
 * stage the model's files through {@code StageContext.model()}, and a value the user sets wins.
 */
class ModelConfigPluginIT {

    @TempDir
    static Path tmp;
    static Path plugins;
    static Path model500;
    static Path cache;

    @BeforeAll
    static void setUp() throws Exception {
        cache = Dist.worldCache();
        Path world = EmbeddedWorld.ensure(cache, msg -> { });
        plugins = Files.createDirectories(tmp.resolve("plugins"));
        try (Stream<Path> s = Files.list(Dist.home().resolve("plugins"))) {
            for (Path p : s.filter(p -> !p.toString().contains("language")).toList()) {
                Files.copy(p, plugins.resolve(p.getFileName()));
            }
        }
        Path src = Path.of("src/test/resources/plugins/trailing-ddim").toAbsolutePath();
        PluginArchiveBuilder b = PluginArchiveBuilder.plugin("trailing-ddim", "1.0.0").requires(">=1.1.0 & <2.0.0")
                .description("DDIM over trailing timesteps (test plugin)");
        try (Stream<Path> s = Files.walk(src)) {
            for (Path f : s.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                String cls = src.relativize(f).toString().replace('/', '.').replaceFirst("\\.java$", "");
                b.source(cls, Files.readString(f, StandardCharsets.UTF_8));
            }
        }
        Path zip = b.build(Files.createDirectories(tmp.resolve("build")));
        Files.copy(zip, plugins.resolve(zip.getFileName()));
        // The plugin template (templates/plugin, built by the reactor) and its example-ddim scheduler.
        Path template = Path.of(System.getProperty("assay.template.zip",
                "../templates/plugin/target/assay-plugin-clipped-cfg-1.0.0-plugin.zip"));
        assertThat(template).as("the template's plugin zip (built by the reactor)").isRegularFile();
        Files.copy(template, plugins.resolve(template.getFileName()));

        model500 = tmp.resolve("model-500");
        FileTrees.copy(world, model500);
        Path cfg = model500.resolve("scheduler/scheduler_config.json");
        ObjectNode json = (ObjectNode) new ObjectMapper().readTree(Files.readString(cfg));
        assertThat(json.path("num_train_timesteps").asInt()).isEqualTo(1000);
        json.put("num_train_timesteps", 500);
        Files.writeString(cfg, new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(json));
    }

    record Run(RgbImage image, JsonNode trace) {
        double firstTimestep() {
            return trace.path("steps").get(0).path("timestep").asDouble();
        }

        JsonNode schedule() {
            for (JsonNode e : trace.path("events")) {
                if (e.path("stage").asText().equals("scheduler") && e.path("event").asText().equals("schedule")) {
                    return e.path("fields");
                }
            }
            throw new AssertionError("no scheduler/schedule event in the trace");
        }
    }

    static Run generate(String name, String... sets) throws Exception {
        List<String> args = new ArrayList<>(List.of("generate", "a red circle on a blue background", "--seed", "3",
                "--steps", "4", "--quiet", "--trace", "--out", tmp.resolve(name).toString(),
                "--set", "model.cache-dir=\"" + cache + "\"", "--set", "scheduler.name=trailing-ddim"));
        return generate(args, sets);
    }

    static Run generate(List<String> args, String... sets) throws Exception {
        args = new ArrayList<>(args);
        for (String s : sets) {
            args.add("--set");
            args.add(s);
        }
        args.add(1, "--plugins-dir=" + plugins);
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        int code = io.assay.framework.cli.AssayCli.run(args.toArray(String[]::new), new java.io.PrintWriter(out, true),
                new java.io.PrintWriter(err, true));
        assertThat(code).as("assay %s%n%s", args, err).isZero();
        Path png = Path.of(out.toString().lines().filter(l -> l.endsWith(".png")).findFirst().orElseThrow().trim());
        Path trace = png.resolveSibling(png.getFileName().toString().replaceFirst("\\.png$", ".trace.json"));
        return new Run(PngFiles.read(png), new ObjectMapper().readTree(Files.readString(trace)));
    }

    @Test
    void aThirdPartySchedulerTakesTheModelsTrainingTimestepsAndTheUserWins() throws Exception {
        Run world = generate("world");
        Run half = generate("model-500", "model.dir=\"" + model500 + "\"");
        Run user = generate("user-300", "model.dir=\"" + model500 + "\"", "scheduler.train-timesteps=300");

        // The embedded world's scheduler_config.json says 1000; the copy 500; the user's 300 wins over the file.
        assertThat(world.schedule().path("trainTimesteps").asInt()).isEqualTo(1000);
        assertThat(world.firstTimestep()).isEqualTo(999.0);
        assertThat(half.schedule().path("trainTimesteps").asInt()).isEqualTo(500);
        assertThat(half.firstTimestep()).isEqualTo(499.0);
        assertThat(user.schedule().path("trainTimesteps").asInt()).isEqualTo(300);
        assertThat(user.firstTimestep()).isEqualTo(299.0);
        // The stage saw the model's configuration files through StageContext.model().
        assertThat(half.schedule().path("modelFiles").asText()).contains("scheduler/scheduler_config.json",
                "unet/config.json", "model_index.json");
        assertThat(half.trace().path("steps")).hasSize(4);

        double mae = ImageMetrics.mae(world.image(), half.image());
        System.out.printf("trailing-ddim, T = 1000 vs T = 500 from the model: first timestep %.0f vs %.0f, "
                + "image MAE %.4f%n", world.firstTimestep(), half.firstTimestep(), mae);
        assertThat(mae).as("a different training schedule gives a different image").isGreaterThan(0.001);
    }

    @Test
    void theTemplatesExampleDdimFollowsTheModelsTrainingSchedule() throws Exception {
        List<String> base = List.of("generate", "a red circle on a blue background", "--seed", "3", "--steps", "4",
                "--quiet", "--trace", "--set", "model.cache-dir=\"" + cache + "\"", "--set",
                "scheduler.name=example-ddim");
        List<String> world = new ArrayList<>(base);
        world.addAll(List.of("--out", tmp.resolve("ddim-world").toString()));
        List<String> half = new ArrayList<>(base);
        half.addAll(List.of("--out", tmp.resolve("ddim-500").toString()));
        // diffusers' DDIM "leading" spacing: (N − 1)·(T / N) + steps_offset = 3·250 + 1 and 3·125 + 1.
        assertThat(generate(world).firstTimestep()).isEqualTo(751.0);
        assertThat(generate(half, "model.dir=\"" + model500 + "\"").firstTimestep()).isEqualTo(376.0);
    }
}
