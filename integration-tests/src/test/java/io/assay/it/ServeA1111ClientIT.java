package io.assay.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.assay.framework.cli.ServeCommand;
import io.assay.framework.io.PngFiles;
import io.assay.framework.serve.Server;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An AUTOMATIC1111 API client this project did not write — the npm package {@code stable-diffusion-api} 0.0.7,
 * pinned with its dependencies in {@code src/test/node/package-lock.json} (sharp held at 0.33.5, whose native build
 * comes from the registry) — drives {@code assay serve}: samplers, the current model, a txt2img batch sent with the
 * client's own defaults ({@code eta}, {@code enable_hr}, {@code alwayson_scripts} …), and a refused feature. The
 * client decodes the images with sharp; their pixels must equal, seed by seed, single-image requests for the seeds
 * the answer reports. {@code npm ci} runs into {@code target/a1111-node}. Skipped only when node is absent and
 * {@code CI} is not set.
 */
class ServeA1111ClientIT {

    @TempDir
    static Path tmp;

    static final ObjectMapper JSON = new ObjectMapper();

    static boolean nodeAvailable() {
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (java.io.IOException | InterruptedException e) {
            return false;
        }
    }

    static String run(Path dir, long seconds, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.appendTo(
                dir.resolve("stderr.log").toFile())).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(seconds, TimeUnit.SECONDS)).as(String.join(" ", cmd) + " finished").isTrue();
        assertThat(p.exitValue()).as(String.join(" ", cmd) + "\n" + out + "\n"
                + Files.readString(dir.resolve("stderr.log"))).isZero();
        return out;
    }

    static String rgbSha256(byte[] rgb) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(rgb));
    }

    @Test
    void aPublishedA1111ClientGetsImagesThatItsReportedSeedsReproduce() throws Exception {
        Assumptions.assumeTrue(nodeAvailable() || System.getenv("CI") != null,
                "node is not installed (CI would fail here instead)");
        assertThat(nodeAvailable()).as("node on PATH").isTrue();
        Path node = Files.createDirectories(Path.of("target", "a1111-node")).toAbsolutePath();
        for (String f : new String[] {"package.json", "package-lock.json", "a1111-client.js"}) {
            Files.copy(Path.of("src", "test", "node", f), node.resolve(f),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Files.deleteIfExists(node.resolve("stderr.log"));
        run(node, 600, "npm", "ci", "--no-audit", "--no-fund");

        Path plugins = Files.createDirectories(tmp.resolve("plugins"));
        try (Stream<Path> s = Files.list(Dist.home().resolve("plugins"))) {
            for (Path p : s.filter(p -> p.toString().endsWith(".zip") && !p.toString().contains("language"))
                    .toList()) {
                Files.copy(p, plugins.resolve(p.getFileName()));
            }
        }
        try (Server server = ServeCommand.start(List.of("--port", "0", "--no-watch", "--plugins-dir",
                plugins.toString(), "--out", tmp.resolve("out").toString(), "--set", "model.cache-dir=\""
                + Dist.worldCache() + "\""), new PrintWriter(new StringWriter(), true))) {
            String base = "http://127.0.0.1:" + server.port();
            JsonNode r = JSON.readTree(run(node, 600, "node", "a1111-client.js", base, server.token()).strip());

            assertThat(r.get("samplers").toString()).contains("\"Euler\"", "\"Euler a\"", "\"DDIM\"", "\"LCM\"");
            assertThat(r.get("model").asText()).startsWith("world-"); // the embedded world's directory
            assertThat(r.get("sampler").asText()).isEqualTo("Euler");
            assertThat(r.get("cfgScale").asDouble()).isEqualTo(5.0);
            assertThat(r.get("steps").asInt()).isEqualTo(6);
            assertThat(r.get("sentParameters").toString()).contains("\"eta\"", "\"enable_hr\"", "\"alwayson_scripts\"",
                    "\"use_deprecated_controlnet\"");
            List<Long> seeds = new ArrayList<>();
            r.get("seeds").forEach(s -> seeds.add(s.asLong()));
            assertThat(seeds).containsExactly(11L, 12L);
            assertThat(r.get("images")).hasSize(2);
            assertThat(r.get("images").get(0).get("rgbSha256").asText())
                    .isNotEqualTo(r.get("images").get(1).get("rgbSha256").asText());

            HttpClient http = HttpClient.newHttpClient();
            for (int i = 0; i < 2; i++) {
                JsonNode img = r.get("images").get(i);
                assertThat(img.get("width").asInt()).isEqualTo(64);
                assertThat(img.get("height").asInt()).isEqualTo(64);
                assertThat(img.get("channels").asInt()).isEqualTo(3);
                HttpResponse<String> one = http.send(HttpRequest.newBuilder(URI.create(base + "/sdapi/v1/txt2img"))
                        .header("Content-Type", "application/json").header("X-Assay-Token", server.token())
                        .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"a red circle on a blue background\","
                                + " \"seed\": " + seeds.get(i) + ", \"steps\": 6, \"cfg_scale\": 5, \"width\": 64, "
                                + "\"height\": 64, \"sampler_name\": \"Euler\"}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(one.statusCode()).as(one.body()).isEqualTo(200);
                byte[] png = Base64.getDecoder().decode(JSON.readTree(one.body()).get("images").get(0).asText());
                byte[] rgb = PngFiles.fromBufferedImage(ImageIO.read(new ByteArrayInputStream(png))).rgb();
                assertThat(img.get("rgbSha256").asText()).as("image %d, seed %d", i, seeds.get(i))
                        .isEqualTo(rgbSha256(rgb));
            }

            JsonNode refused = r.get("refused");
            assertThat(refused.get("status").asInt()).isEqualTo(400);
            assertThat(refused.get("body").get("error").asText()).isEqualTo("invalid-request");
            assertThat(refused.get("body").get("detail").asText()).contains("restore_faces");
        }
    }
}
