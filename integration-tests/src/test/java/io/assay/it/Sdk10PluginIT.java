package io.assay.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.assay.framework.experiment.ImageMetrics;
import io.assay.framework.io.PngFiles;
import io.assay.framework.world.EmbeddedWorld;
import io.assay.sdk.tensor.RgbImage;
import io.assay.sdk.testkit.PluginArchiveBuilder;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backward compatibility in the host: the plugin template as it was at SDK 1.0 (frozen in
 * {@code sdk/sdk-testkit/src/test/resources/sdk-1.0-template}, {@code plugin.requires=>=1.0.0 & <2.0.0}, its
 * guidance written against {@code Guidance.start(iterations)} and {@code ConditioningKind}), compiled at test time
 * and dropped into the current distribution's plugins, loads, is listed, describes every key of its settings record
 * (it predates {@code @Component(keys)}), and generates: with a limit no term reaches
 * it is the built-in {@code cfg} (same conditionings, same batch, same image); with a small limit it changes the image.
 */
class Sdk10PluginIT {

    static final Path TEMPLATE = Path.of("../sdk/sdk-testkit/src/test/resources/sdk-1.0-template").toAbsolutePath()
            .normalize();

    @TempDir
    static Path tmp;

    static String run(Path plugins, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add(1, "--plugins-dir=" + plugins);
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        int code = io.assay.framework.cli.AssayCli.run(all.toArray(String[]::new), new java.io.PrintWriter(out, true),
                new java.io.PrintWriter(err, true));
        assertThat(code).as("assay %s%n%s", all, err).isZero();
        return out.toString();
    }

    record Generated(RgbImage image, JsonNode trace) {
    }

    static Generated generate(Path plugins, Path cache, String name, String... sets) throws Exception {
        List<String> args = new ArrayList<>(List.of("generate", "a red circle on a blue background", "--seed", "5",
                "--steps", "8", "--quiet", "--trace", "--out", tmp.resolve(name).toString(), "--set",
                "model.cache-dir=\"" + cache + "\"", "--set", "guidance.scale=9"));
        for (String s : sets) {
            args.add("--set");
            args.add(s);
        }
        String out = run(plugins, args.toArray(String[]::new));
        Path png = Path.of(out.lines().filter(l -> l.endsWith(".png")).findFirst().orElseThrow().trim());
        Path trace = png.resolveSibling(png.getFileName().toString().replaceFirst("\\.png$", ".trace.json"));
        return new Generated(PngFiles.read(png), new ObjectMapper().readTree(Files.readString(trace)));
    }

    @Test
    void theSdk10TemplateLoadsIsListedAndGenerates() throws Exception {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(TEMPLATE.resolve("plugin.properties"))) {
            p.load(in);
        }
        assertThat(p.getProperty("plugin.requires")).isEqualTo(">=1.0.0 & <2.0.0");
        PluginArchiveBuilder b = PluginArchiveBuilder.plugin(p.getProperty("plugin.id"),
                p.getProperty("plugin.version")).requires(p.getProperty("plugin.requires"))
                .description(p.getProperty("plugin.description"));
        Path src = TEMPLATE.resolve("src/main/java");
        int sources = 0;
        try (Stream<Path> s = Files.walk(src)) {
            for (Path f : s.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                b.source(src.relativize(f).toString().replace('/', '.').replaceFirst("\\.java$", ""),
                        Files.readString(f, StandardCharsets.UTF_8));
                sources++;
            }
        }
        assertThat(sources).isEqualTo(2);
        Path zip = b.build(Files.createDirectories(tmp.resolve("build")));
        Path plugins = Files.createDirectories(tmp.resolve("plugins"));
        try (Stream<Path> s = Files.list(Dist.home().resolve("plugins"))) {
            for (Path f : s.filter(f -> !f.toString().contains("language")).toList()) {
                Files.copy(f, plugins.resolve(f.getFileName()));
            }
        }
        Files.copy(zip, plugins.resolve("clipped-cfg-sdk10.zip"));
        Path cache = Dist.worldCache();
        EmbeddedWorld.ensure(cache, msg -> { });

        String listed = run(plugins, "plugins", "--set", "model.cache-dir=\"" + cache + "\"");
        assertThat(listed).containsPattern("clipped-cfg 1\\.0\\.0\\s+requires SDK >=1\\.0\\.0 & <2\\.0\\.0\\s+STARTED")
                .contains("Guidance:      clipped-cfg");
        // Written before @Component(keys) (SDK 1.2), it accepts, and config describe lists, every key of its
        // record.
        java.io.StringWriter described = new java.io.StringWriter();
        assertThat(io.assay.framework.cli.AssayCli.run(new String[] {"config", "describe", "guidance",
            "--plugins-dir=" + plugins}, new java.io.PrintWriter(described, true),
                new java.io.PrintWriter(new java.io.StringWriter(), true))).isZero();
        assertThat(EverydayCliIT.keys(EverydayCliIT.block(described.toString(), "guidance { name = clipped-cfg }")))
                .containsExactly("scale", "limit");

        Generated unclipped = generate(plugins, cache, "unclipped", "guidance.name=clipped-cfg",
                "guidance.limit=1e30");
        Generated cfg = generate(plugins, cache, "cfg", "guidance.name=cfg");
        Generated clipped = generate(plugins, cache, "clipped", "guidance.name=clipped-cfg", "guidance.limit=0.05");

        for (Generated g : List.of(unclipped, clipped)) {
            List<String> keys = new ArrayList<>();
            g.trace().path("run").path("conditionings").forEach(c -> keys.add(c.path("key").asText()));
            assertThat(keys).as("an SDK 1.0 guidance runs over uncond, cond").containsExactly("uncond", "cond");
            assertThat(g.trace().path("steps").get(0).path("conditionings").asInt()).isEqualTo(2);
        }
        double same = ImageMetrics.mae(unclipped.image(), cfg.image());
        double changed = ImageMetrics.mae(clipped.image(), cfg.image());
        System.out.printf("SDK 1.0 clipped-cfg vs built-in cfg at scale 9: limit 1e30 MAE %.6f, limit 0.05 MAE %.4f%n",
                same, changed);
        assertThat(same).as("a limit no term reaches is plain CFG").isLessThan(1e-3);
        assertThat(changed).as("a small limit changes the image").isGreaterThan(0.01);
    }
}
