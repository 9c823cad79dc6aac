package io.assay.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.assay.framework.io.PngFiles;
import io.assay.sdk.tensor.Npy;
import io.assay.sdk.tensor.RgbImage;
import io.assay.sdk.testkit.References;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The tiny random-weight SD pipeline of {@code ../shared/reference/tiny-sd} run end to end through the CLI, the
 * plugin host and the real plugins, for every case and every exporter variant, within the bounds the reference's
 * own sensitivity analysis supports: latents after step 1 within 2e-3, final latents within 5e-3, the decoded image
 * within 5e-4, the PNG within one level. The float16 variant is a different function (weights rounded to float16),
 * checked at float16 precision.
 */
class ReferencePipelineIT {

    private static final ObjectMapper JSON = new ObjectMapper().enable(
            com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS.mappedFeature());
    private static final Map<String, String> SCHEDULERS = Map.of(
            "DDIMScheduler", "ddim",
            "EulerDiscreteScheduler", "euler",
            "EulerAncestralDiscreteScheduler", "euler-ancestral",
            "DPMSolverMultistepScheduler", "dpmpp-2m",
            "PNDMScheduler", "pndm");
    private static final List<String> VARIANTS = List.of("", "ids-int64", "timestep-rank0-float",
            "timestep-float-batch", "vae-latent-parameters", "unet-external-data", "fp16");

    static Stream<Arguments> cases() throws IOException {
        Path casesDir = References.require("tiny-sd/cases");
        List<Arguments> out = new ArrayList<>();
        JsonNode index = JSON.readTree(casesDir.resolve("index.json").toFile());
        for (JsonNode c : index.get("cases")) {
            for (String v : VARIANTS) {
                out.add(Arguments.of(c.get("name").asText(), v.isEmpty() ? "base" : v));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} / {1}")
    @MethodSource("cases")
    void caseMatchesDiffusers(String name, String variant, @TempDir Path tmp) throws IOException {
        Path ref = References.require("tiny-sd");
        Path caseDir = ref.resolve("cases").resolve(name);
        JsonNode c = JSON.readTree(caseDir.resolve("case.json").toFile());
        Path model = Dist.overlay(ref.resolve("model"), variant.equals("base") ? null
                : ref.resolve("variants").resolve(variant), tmp.resolve("model"));
        Path out = tmp.resolve("out");
        Path latents = tmp.resolve("latents");

        JsonNode sched = c.get("scheduler");
        List<String> args = new ArrayList<>(List.of("generate", c.get("prompt").asText(),
                "--model", model.toString(),
                "--steps", c.get("num_inference_steps").asText(),
                "--guidance", c.get("guidance_scale").asText(),
                "--scheduler", SCHEDULERS.get(sched.get("class").asText()),
                "--width", c.get("width").asText(), "--height", c.get("height").asText(),
                "--init-latents", caseDir.resolve("init_latents.npy").toString(),
                "--save-latents", latents.toString(), "--out", out.toString(), "--quiet",
                "--set", "scheduler.timestep-spacing=" + sched.get("config").get("timestep_spacing").asText()));
        if (!c.get("negative_prompt").isNull()) {
            args.addAll(List.of("--negative", c.get("negative_prompt").asText()));
        }
        if (Files.exists(caseDir.resolve("step_noise.npy"))) {
            args.addAll(List.of("--step-noise", caseDir.resolve("step_noise.npy").toString()));
        }
        if (c.get("mode").asText().equals("img2img")) {
            args.addAll(List.of("--init-image", caseDir.resolve("input_image.png").toString(),
                    "--strength", c.get("strength").asText()));
        }
        Dist.cli(args.toArray(String[]::new)).requireOk();

        boolean fp16 = variant.equals("fp16");
        float[] finalRef = Npy.read(caseDir.resolve("final_latents.npy")).toFloats();
        float[] step1Ref = Npy.read(caseDir.resolve("latents_step1.npy")).toFloats();
        float[] imageRef = Npy.read(caseDir.resolve("image.npy")).toFloats();
        float[] trajectory = Npy.read(latents.resolve("trajectory.npy")).toFloats();
        float[] step1 = java.util.Arrays.copyOfRange(trajectory, step1Ref.length, 2 * step1Ref.length);

        assertClose("latents after step 1", step1, step1Ref, fp16 ? 0.05 * maxAbs(step1Ref) : 2e-3);
        assertClose("final latents", Npy.read(latents.resolve("final.npy")).toFloats(), finalRef,
                fp16 ? 0.05 * maxAbs(finalRef) : 5e-3);
        assertClose("decoded image", Npy.read(latents.resolve("decoded.npy")).toFloats(), imageRef,
                fp16 ? 0.05 * maxAbs(imageRef) : 5e-4);

        Path png;
        try (Stream<Path> s = Files.list(out)) {
            png = s.filter(p -> p.toString().endsWith(".png")).findFirst().orElseThrow();
        }
        RgbImage mine = PngFiles.read(png);
        RgbImage theirs = PngFiles.read(caseDir.resolve("image.png"));
        int maxDiff = 0;
        for (int i = 0; i < mine.rgb().length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs((mine.rgb()[i] & 0xff) - (theirs.rgb()[i] & 0xff)));
        }
        assertThat(maxDiff).as("max PNG level difference").isLessThanOrEqualTo(fp16 ? 16 : 1);
        assertThat(PngFiles.readText(png)).containsKeys("parameters", "assay");
    }

    /**
     * Without replay: the torch-compatible noise source with the case's seed reproduces the reference's initial
     * latents, so {@code --seed N} alone gives diffusers' image (cases without per-step noise).
     */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"01_ddim_astronaut_g7.5_64x64",
        "02_euler_artstation_g7.5_64x96", "04_dpmpp2m_gaussian_g1_64x64", "05_pndm_negprompt_g7.5_96x64"})
    void aSeedAloneReproducesDiffusers(String name, @TempDir Path tmp) throws IOException {
        Path ref = References.require("tiny-sd");
        Path caseDir = ref.resolve("cases").resolve(name);
        JsonNode c = JSON.readTree(caseDir.resolve("case.json").toFile());
        JsonNode sched = c.get("scheduler");
        List<String> args = new ArrayList<>(List.of("generate", c.get("prompt").asText(),
                "--model", ref.resolve("model").toString(), "--seed", c.get("latents_seed").asText(),
                "--steps", c.get("num_inference_steps").asText(), "--guidance", c.get("guidance_scale").asText(),
                "--scheduler", SCHEDULERS.get(sched.get("class").asText()),
                "--width", c.get("width").asText(), "--height", c.get("height").asText(),
                "--save-latents", tmp.resolve("lat").toString(), "--out", tmp.resolve("out").toString(), "--quiet",
                "--set", "scheduler.timestep-spacing=" + sched.get("config").get("timestep_spacing").asText()));
        if (!c.get("negative_prompt").isNull()) {
            args.addAll(List.of("--negative", c.get("negative_prompt").asText()));
        }
        Dist.cli(args.toArray(String[]::new)).requireOk();
        assertClose("initial noise", Npy.read(tmp.resolve("lat/init.npy")).toFloats(),
                Npy.read(caseDir.resolve("init_latents.npy")).toFloats(), 0);
        assertClose("final latents", Npy.read(tmp.resolve("lat/final.npy")).toFloats(),
                Npy.read(caseDir.resolve("final_latents.npy")).toFloats(), 5e-3);
    }

    static float maxAbs(float[] a) {
        float m = 0;
        for (float v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return Math.max(1, m);
    }

    static void assertClose(String what, float[] actual, float[] expected, double atol) {
        assertThat(actual).as(what + " length").hasSize(expected.length);
        double max = 0;
        int at = -1;
        for (int i = 0; i < actual.length; i++) {
            double d = Math.abs((double) actual[i] - expected[i]);
            if (!(d <= max)) {
                max = d;
                at = i;
            }
        }
        assertThat(max).as("%s: max |diff| %s at %d (bound %s)", what, max, at, atol).isLessThanOrEqualTo(atol);
    }
}
