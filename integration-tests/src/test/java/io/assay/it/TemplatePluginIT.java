package io.assay.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.framework.cli.AssayCli;
import io.assay.framework.experiment.ImageMetrics;
import io.assay.framework.io.PngFiles;
import io.assay.sdk.tensor.RgbImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin template (templates/plugin), built by the reactor from its own standalone pom with its contract tests,
 * loads into the host unchanged: the host lists it, a pipeline selects it by name with its settings, and it changes
 * the image the way it says (clipping the guidance term).
 */
class TemplatePluginIT {

    static String run(Path plugins, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add(args[0].equals("config") ? 2 : 1, "--plugins-dir=" + plugins);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = AssayCli.run(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
        assertThat(code).as("assay %s%n%s", all, err).isZero();
        return out.toString();
    }

    @Test
    void theTemplateLoadsUnchangedAndChangesTheImage(@TempDir Path tmp) throws Exception {
        Path zip = Paths.get(System.getProperty("assay.template.zip",
                "../templates/plugin/target/assay-plugin-clipped-cfg-1.0.0-plugin.zip"));
        assertThat(zip).as("the template's plugin zip (built by the reactor)").isRegularFile();
        Path plugins = Files.createDirectories(tmp.resolve("plugins"));
        try (Stream<Path> s = Files.list(Dist.home().resolve("plugins"))) {
            for (Path p : s.filter(p -> !p.toString().contains("language")).toList()) {
                Files.copy(p, plugins.resolve(p.getFileName()));
            }
        }
        Files.copy(zip, plugins.resolve(zip.getFileName()));
        String cache = "model.cache-dir=\"" + Dist.worldCache() + "\"";

        assertThat(run(plugins, "plugins", "--set", cache)).contains("clipped-cfg", "1.0.0");
        String described = run(plugins, "config", "describe", "guidance", "--set", cache);
        assertThat(described).contains("clipped-cfg", "limit");

        String clipped = run(plugins, "generate", "a red circle on a blue background", "--seed", "3", "--quiet",
                "--out", tmp.resolve("clipped").toString(), "--set", cache, "--set", "guidance.name=clipped-cfg",
                "--set", "guidance.scale=12", "--set", "guidance.limit=0.05");
        String plain = run(plugins, "generate", "a red circle on a blue background", "--seed", "3", "--quiet",
                "--out", tmp.resolve("plain").toString(), "--set", cache, "--set", "guidance.scale=12");
        RgbImage a = PngFiles.read(Path.of(clipped.lines().filter(l -> l.endsWith(".png")).findFirst()
                .orElseThrow().trim()));
        RgbImage b = PngFiles.read(Path.of(plain.lines().filter(l -> l.endsWith(".png")).findFirst()
                .orElseThrow().trim()));
        double mae = ImageMetrics.mae(a, b);
        System.out.printf("template plugin: clipped-cfg (limit 0.05) vs cfg at scale 12: MAE %.4f%n", mae);
        assertThat(mae).as("clipping the guidance term changes the image").isGreaterThan(0.01);
        assertThat(PngFiles.readText(Path.of(clipped.lines().filter(l -> l.endsWith(".png")).findFirst()
                .orElseThrow().trim())).get("assay")).contains("clipped-cfg (clipped-cfg 1.0.0)");
    }
}
