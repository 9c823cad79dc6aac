package io.assay.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.assay.framework.io.PngFiles;
import io.assay.sdk.tensor.RgbImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped decoder comparison ({@code configs/experiments/vae-audit.conf}): two images through the world's
 * autoencoder whole and tiled, a table in the report; its two cells share one denoising loop and one influence run.
 */
class VaeAuditExperimentIT {

    /** The suite's model cache: the worlds are built once for all classes. */
    static final Path cache = Dist.worldCache();

    static String cacheSet() {
        return "model.cache-dir=\"" + cache + "\"";
    }

    static JsonNode json(Path file) throws Exception {
        return new ObjectMapper().readTree(file.toFile());
    }

    @Test
    void eachImageGoesThroughEveryDecoderAndTheCellsShareOneInfluenceRun(@TempDir Path out) throws Exception {
        Path exp = Dist.configs().resolve("experiments/vae-audit.conf");
        Dist.Result check = Dist.cli("config", "check", exp.toString(), "--set", cacheSet()).requireOk();
        assertThat(check.out() + check.err()).contains("decoder comparison: 2 image(s) × 2 autoencoder variant(s)");
        Dist.cli("compare", exp.toString(), "--out", out.toString(), "--set", cacheSet()).requireOk();

        JsonNode run = json(out.resolve("run.json"));
        assertThat(run.get("trajectories").asInt()).as("whole and tiled decode one loop").isEqualTo(1);
        assertThat(run.get("decodes").asInt()).isEqualTo(2);
        assertThat(run.get("denoiserCalls").asInt()).as("20 steps of the loop + 20 of one influence run shared by "
                + "both cells (not one per cell: 60)").isEqualTo(40);
        assertThat(run.get("vaeAudits").asInt()).isEqualTo(4);

        JsonNode r = json(out.resolve("results.json"));
        JsonNode cells = r.get("results");
        assertThat(cells).hasSize(2);
        RgbImage whole = PngFiles.read(out.resolve(cells.get(0).get("image").asText()));
        RgbImage tiled = PngFiles.read(out.resolve(cells.get(1).get("image").asText()));
        assertThat(tiled.rgb()).as("tiled decoding changes the cell's image").isNotEqualTo(whole.rgb());
        // One influence run: the same numbers on both pages, each drawn over its own cell's image.
        JsonNode inf0 = json(out.resolve(cells.get(0).get("influencePage").asText()).resolveSibling("influence.json"));
        JsonNode inf1 = json(out.resolve(cells.get(1).get("influencePage").asText()).resolveSibling("influence.json"));
        assertThat(inf1.get("tokens")).hasSize(7);
        for (int j = 0; j < 7; j++) {
            // The foreground share differs: it is judged on each cell's own image.
            for (String k : new String[] {"word", "totalInfluence", "perStep"}) {
                assertThat(inf1.get("tokens").get(j).get(k)).isEqualTo(inf0.get("tokens").get(j).get(k));
            }
        }
        assertThat(inf0.get("tokens").get(1).get("totalInfluence").asDouble()).isPositive();
        assertThat(PngFiles.read(out.resolve(cells.get(1).get("influencePage").asText()).resolveSibling("base.png"))
                .rgb()).isEqualTo(tiled.rgb());

        JsonNode audits = r.get("vaeAudit");
        assertThat(audits).hasSize(4);
        Map<String, JsonNode> byKey = new HashMap<>();
        for (JsonNode a : audits) {
            byKey.put(a.get("image").asText() + "|" + a.get("variant").asText(), a);
            System.out.printf(Locale.ROOT, "vae-audit %-14s %-14s PSNR %6.2f dB  SSIM %.4f  worst %s %+.2f%n",
                    a.get("image").asText(), a.get("variant").asText(), a.get("psnr").asDouble(),
                    a.get("ssim").asDouble(), a.get("worstChannel").asText(), a.get("worstChannelShift").asDouble());
            assertThat(a.get("psnr").asDouble()).isBetween(15.0, 60.0);
            assertThat(a.get("ssim").asDouble()).isBetween(0.2, 1.0);
            RgbImage residual = PngFiles.read(out.resolve(a.get("residual").asText()));
            assertThat(residual.width()).isEqualTo(a.get("image").asText().equals("scene.png") ? 64 : 96);
            JsonNode page = json(out.resolve(a.get("page").asText()).resolveSibling("audit.json"));
            assertThat(page.get("psnr").asDouble()).isEqualTo(a.get("psnr").asDouble());
        }
        // Measured: tiling the 8×8 latents in 4×4 tiles costs about 0.2 dB and 0.02–0.04 SSIM on both images.
        for (String image : new String[] {"scene.png", "landscape.png"}) {
            JsonNode w = byKey.get(image + "|decoder whole");
            JsonNode t = byKey.get(image + "|decoder tiled");
            assertThat(w).as("%s through the whole decoder", image).isNotNull();
            assertThat(t).as("%s through the tiled decoder", image).isNotNull();
            assertThat(w.get("psnr").asDouble() - t.get("psnr").asDouble()).as("%s: PSNR whole − tiled", image)
                    .isGreaterThan(0.05);
            assertThat(w.get("ssim").asDouble() - t.get("ssim").asDouble()).as("%s: SSIM whole − tiled", image)
                    .isGreaterThan(0.005);
        }
        String html = Files.readString(out.resolve("index.html"));
        String table = html.substring(html.indexOf("<table id=\"vae-audit\">"));
        table = table.substring(0, table.indexOf("</table>"));
        assertThat(table.split("<tr>", -1)).as("header and one row per image × variant").hasSize(1 + 1 + 4);
        assertThat(table).contains("vae-audit/landscape/decoder-tiled/residual.png", "<td>blue ");

        // Resumed: nothing recomputed, the audits read back into the same table.
        Dist.cli("compare", exp.toString(), "--out", out.toString(), "--set", cacheSet()).requireOk();
        assertThat(json(out.resolve("run.json")).get("vaeAudits").asInt()).isZero();
        assertThat(json(out.resolve("results.json")).get("vaeAudit").toString()).isEqualTo(audits.toString());
    }
}
