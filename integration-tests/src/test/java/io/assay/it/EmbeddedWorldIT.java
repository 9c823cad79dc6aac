package io.assay.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.assay.framework.io.PngFiles;
import io.assay.framework.world.EmbeddedWorld;
import io.assay.framework.world.ProceduralWeb;
import io.assay.framework.world.SceneJudge;
import io.assay.framework.world.WorldCompiler;
import io.assay.sdk.tensor.RgbImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded default through the CLI and the same plugins that run Stable Diffusion: prompt adherence measured by
 * pixel statistics over 20 prompts × 5 images per guidance scale, determinism of the build and of a seed, and a
 * prompt outside the corpus.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EmbeddedWorldIT {

    /** The suite's model cache: the worlds are built once for all classes. */
    static final Path cache = Dist.worldCache();

    static String cacheSet() {
        return "model.cache-dir=\"" + cache + "\"";
    }

    @BeforeAll
    static void build() {
        EmbeddedWorld.ensure(cache, msg -> { });
    }

    /** Generates {@code batch} images for a prompt and returns them. */
    static List<RgbImage> generate(Path out, String prompt, double guidance, long seed, int batch) throws Exception {
        Dist.Result r = Dist.cli("generate", prompt, "--guidance", Double.toString(guidance), "--seed",
                Long.toString(seed), "--batch", Integer.toString(batch), "--out", out.toString(), "--quiet",
                "--set", cacheSet()).requireOk();
        List<RgbImage> images = new ArrayList<>();
        for (String line : r.out().split("\n")) {
            if (line.endsWith(".png")) {
                images.add(PngFiles.read(Path.of(line.trim())));
            }
        }
        assertThat(images).hasSize(batch);
        return images;
    }

    /** The 20 test prompts: [shape, foreground, background], foreground ≠ background. */
    static List<int[]> prompts() {
        SplittableRandom r = new SplittableRandom(7);
        List<int[]> prompts = new ArrayList<>();
        while (prompts.size() < 20) {
            int fg = r.nextInt(8);
            int bg = (fg + 1 + r.nextInt(7)) % 8;
            prompts.add(new int[] {r.nextInt(3), fg, bg});
        }
        return prompts;
    }

    static String text(int[] p) {
        return "a " + ProceduralWeb.COLOURS.get(p[1]) + " " + ProceduralWeb.SHAPES.get(p[0]) + " on a "
                + ProceduralWeb.COLOURS.get(p[2]) + " background";
    }

    /** One JSON line of a prompts file. */
    record Line(String prompt, long seed, double guidance, int batch) {
        String json() {
            return "{\"prompt\": \"" + prompt + "\", \"seed\": " + seed + ", \"guidance\": " + guidance
                    + ", \"batch\": " + batch + "}";
        }
    }

    /**
     * Runs every line in one process ({@code generate --prompts}) and returns each line's images, in order.
     *
     * @param sets extra overrides (e.g. the world's denoiser)
     */
    static List<List<RgbImage>> generateAll(Path out, List<Line> lines, String... sets) throws Exception {
        Files.createDirectories(out);
        Path file = out.resolve("prompts.jsonl");
        Files.write(file, lines.stream().map(Line::json).toList());
        List<String> args = new ArrayList<>(List.of("generate", "--prompts", file.toString(), "--out",
                out.resolve("images").toString(), "--quiet", "--set", cacheSet()));
        for (String s : sets) {
            args.add("--set");
            args.add(s);
        }
        Dist.Result r = Dist.cli(args.toArray(String[]::new)).requireOk();
        List<Path> written = r.out().lines().map(String::strip).filter(l -> l.endsWith(".png")).map(Path::of)
                .toList();
        assertThat(written).hasSize(lines.stream().mapToInt(Line::batch).sum());
        List<List<RgbImage>> images = new ArrayList<>();
        int k = 0;
        for (Line l : lines) {
            List<RgbImage> own = new ArrayList<>();
            for (int b = 0; b < l.batch(); b++) {
                own.add(PngFiles.read(written.get(k++)));
            }
            images.add(own);
        }
        return images;
    }

    /** Share of images whose foreground and background colours are the prompt's, judged from pixels. */
    static double adherence(List<int[]> prompts, List<List<RgbImage>> images) {
        int hits = 0;
        int total = 0;
        for (int i = 0; i < prompts.size(); i++) {
            for (RgbImage img : images.get(i)) {
                SceneJudge.Verdict v = SceneJudge.judge(img);
                hits += ProceduralWeb.COLOURS.get(prompts.get(i)[1]).equals(v.foreground())
                        && ProceduralWeb.COLOURS.get(prompts.get(i)[2]).equals(v.background()) ? 1 : 0;
                total++;
            }
        }
        return hits / (double) total;
    }

    /** Images of the adherence test at CFG 7.5, per variant, reused by the novelty test. */
    static final Map<String, List<RgbImage>> AT_DEFAULT_GUIDANCE = new LinkedHashMap<>();

    @Test
    @Order(1)
    void promptAdherenceAtTheDefaultGuidanceAndNearChanceWithout(@TempDir Path out) throws Exception {
        List<int[]> prompts = prompts();
        for (String variant : List.of("local", "memorize")) {
            List<Line> guided = new ArrayList<>();
            List<Line> unguided = new ArrayList<>();
            for (int i = 0; i < prompts.size(); i++) {
                guided.add(new Line(text(prompts.get(i)), 1000 + i, 7.5, 5));
                unguided.add(new Line(text(prompts.get(i)), 2000 + i, 0, 2));
            }
            List<Line> all = new ArrayList<>(guided);
            all.addAll(unguided);
            List<List<RgbImage>> images = generateAll(out.resolve(variant), all, "model.world-denoiser=" + variant);
            double atDefault = adherence(prompts, images.subList(0, prompts.size()));
            double atZero = adherence(prompts, images.subList(prompts.size(), all.size()));
            System.out.printf("world-denoiser %s: both colours right %.1f%% at CFG 7.5 (100 images), %.1f%% at CFG 0"
                    + " (40 images)%n", variant, 100 * atDefault, 100 * atZero);
            AT_DEFAULT_GUIDANCE.put(variant, images.subList(0, prompts.size()).stream().flatMap(List::stream)
                    .toList());
            // Measured 97 % (local; 93 % with world-13) and 99 % (memorize); the floor is the 90 %.
            assertThat(atDefault).as("%s: adherence at the default guidance 7.5", variant)
                    .isGreaterThanOrEqualTo(0.90);
            assertThat(atZero).as("%s: adherence of the unconditional image (guidance 0)", variant).isLessThan(0.15);
        }
    }

    /**
     * Novelty: the share of generated images farther from their nearest training image than the 25th percentile of
     * the training images' own nearest-neighbour distances (mean absolute difference of 8×8-cell colours).
     */
    @Test
    @Order(2)
    void theComposingWorldMakesNewImagesTheMemorizingOneCopies() {
        assertThat(AT_DEFAULT_GUIDANCE).as("runs after the adherence test").containsKeys("local", "memorize");
        WorldCompiler.Spec spec = WorldCompiler.Spec.defaults();
        List<ProceduralWeb.Scene> scenes = ProceduralWeb.scenes(spec.seed(), spec.records());
        int n = scenes.size();
        double[][] train = new double[n][];
        for (int i = 0; i < n; i++) {
            train[i] = cells(ProceduralWeb.render(scenes.get(i), spec.size(), spec.size()));
        }
        // Nearest other training image for every 8th training image (300 of 2400 keeps this to seconds).
        List<Double> own = new ArrayList<>();
        for (int i = 0; i < n; i += 8) {
            own.add(nearest(train, train[i], i));
        }
        own.sort(null);
        double threshold = own.get(own.size() / 4);
        Map<String, Double> novelty = new LinkedHashMap<>();
        for (var e : AT_DEFAULT_GUIDANCE.entrySet()) {
            int novel = 0;
            for (RgbImage img : e.getValue()) {
                novel += nearest(train, cells(img), -1) > threshold ? 1 : 0;
            }
            novelty.put(e.getKey(), novel / (double) e.getValue().size());
        }
        System.out.printf("novelty (share farther from the training set than its 25th-percentile member, %.2f "
                + "levels of cell colour): local %.1f%%, memorize %.1f%%%n", threshold, 100 * novelty.get("local"),
                100 * novelty.get("memorize"));
        // Measured 99 % vs 0 % (98 % with world-13; with h = 0, no smoothing at low noise, 59 %).
        assertThat(novelty.get("local")).isGreaterThanOrEqualTo(0.8);
        assertThat(novelty.get("local")).isGreaterThan(novelty.get("memorize") + 0.3);
    }

    /**
     * The picture at the latent grid's resolution: the mean colour of each 8×8 cell. Comparing there, a decoded copy
     * of a training latent (blurred by the autoencoder, but with the same cell colours) counts as a copy.
     */
    private static double[] cells(RgbImage img) {
        int gw = img.width() / 8;
        int gh = img.height() / 8;
        double[] out = new double[gw * gh * 3];
        for (int y = 0; y < img.height(); y++) {
            for (int x = 0; x < img.width(); x++) {
                for (int c = 0; c < 3; c++) {
                    out[((y / 8) * gw + x / 8) * 3 + c] += img.get(x, y, c) / 64.0;
                }
            }
        }
        return out;
    }

    /** Mean absolute difference of cell colours to the nearest image of {@code train} other than {@code skip}. */
    private static double nearest(double[][] train, double[] img, int skip) {
        double best = Double.MAX_VALUE;
        for (int j = 0; j < train.length; j++) {
            if (j == skip) {
                continue;
            }
            double d = 0;
            double[] t = train[j];
            for (int k = 0; k < img.length && d < best; k++) {
                d += Math.abs(img[k] - t[k]);
            }
            best = Math.min(best, d);
        }
        return best / img.length;
    }

    @Test
    @Order(3)
    void twentySeedsGiveTwentyImagesAndTheGuidanceSweepFourPerPrompt(@TempDir Path out) throws Exception {
        List<Line> lines = new ArrayList<>();
        for (int s = 0; s < 20; s++) {
            lines.add(new Line("a red circle on a blue background", s, 7.5, 1));
        }
        List<List<RgbImage>> seeds = generateAll(out.resolve("seeds"), lines);
        int seedPairs = 0;
        int distinctSeeds = 0;
        double closest = Double.MAX_VALUE;
        for (int a = 0; a < 20; a++) {
            for (int b = a + 1; b < 20; b++) {
                seedPairs++;
                double d = CompareIT.meanAbsDiff(seeds.get(a).get(0), seeds.get(b).get(0));
                closest = Math.min(closest, d);
                distinctSeeds += d > 2 ? 1 : 0;
            }
        }
        // The sweep: 20 prompts × 5 seeds at CFG 0, 3, 12 and 25, one process per scale (the same prompt and seed at
        // another scale is another output folder).
        List<int[]> prompts = prompts();
        double[] sweep = {0, 3, 12, 25};
        int seedsPerPrompt = 5;
        List<List<List<RgbImage>>> byScale = new ArrayList<>();
        for (double g : sweep) {
            List<Line> at = new ArrayList<>();
            for (int[] p : prompts) {
                for (int s = 0; s < seedsPerPrompt; s++) {
                    at.add(new Line(text(p), 11 + s, g, 1));
                }
            }
            byScale.add(generateAll(out.resolve("cfg" + g), at));
        }
        int scalePairs = 0;
        int distinctScales = 0;
        double closestScales = Double.MAX_VALUE;
        int monotone = 0;
        for (int p = 0; p < prompts.size(); p++) {
            // The named measure: how far guidance moves the image from the unconditional (CFG 0) image of the same
            // seed — mean absolute pixel difference, averaged over the prompt's seeds.
            double[] moved = new double[sweep.length];
            for (int s = 0; s < seedsPerPrompt; s++) {
                int i = p * seedsPerPrompt + s;
                for (int a = 0; a < sweep.length; a++) {
                    RgbImage img = byScale.get(a).get(i).get(0);
                    moved[a] += CompareIT.meanAbsDiff(img, byScale.get(0).get(i).get(0)) / seedsPerPrompt;
                    for (int b = a + 1; b < sweep.length; b++) {
                        scalePairs++;
                        double d = CompareIT.meanAbsDiff(img, byScale.get(b).get(i).get(0));
                        distinctScales += d > 2 ? 1 : 0;
                        closestScales = Math.min(closestScales, d);
                    }
                }
            }
            boolean rising = true;
            for (int a = 1; a < sweep.length; a++) {
                rising &= moved[a] > moved[a - 1];
            }
            monotone += rising ? 1 : 0;
        }
        System.out.printf("pairs of images differing by more than 2 levels: %d of %d pairs of 20 seeds (closest %.2f), "
                + "%d of %d pairs of CFG 0/3/12/25 images of one prompt and seed (closest %.2f); distance from the CFG-0 "
                + "image rising across the sweep for %d of %d prompts%n", distinctSeeds, seedPairs, closest,
                distinctScales, scalePairs, closestScales, monotone, prompts.size());
        // Measured (world-16, and world-17 to the digit) 190/190 (closest pair 15.9 levels apart), 600/600 (closest 2.64) and 18/20 prompts;
        // world-14 gave 190/190, 600/600 and 19/20, world-13 598/600 and 16/20. The floors: every pair of
        // seeds and every pair of scales distinct, a rising trend on 80 % of prompts.
        assertThat(distinctSeeds).as("distinct seed pairs").isEqualTo(seedPairs);
        assertThat(distinctScales).as("distinct guidance pairs").isEqualTo(scalePairs);
        assertThat(monotone / (double) prompts.size()).as("prompts whose images move monotonically further from the "
                + "unconditional image as guidance grows").isGreaterThanOrEqualTo(0.8);
    }

    /**
     * Composition: a world compiled without any picture of 4 colour/shape/background combinations, prompted for them.
     * The memorizing variant can only return pictures it saw; the composing one can put a foreground window of one
     * picture next to a background window of another.
     */
    @Test
    @Order(9)
    void heldOutCombinationsAreComposedNotRecalled(@TempDir Path dir) throws Exception {
        int[][] heldOut = {{2, 2, 5}, {1, 3, 0}, {0, 6, 3}, {1, 4, 1}};
        WorldCompiler.Spec spec = WorldCompiler.Spec.defaults();
        List<WorldCompiler.Example> examples = new ArrayList<>();
        int removed = 0;
        for (ProceduralWeb.Scene sc : ProceduralWeb.scenes(spec.seed(), spec.records())) {
            boolean held = false;
            for (int[] h : heldOut) {
                held |= sc.shape() == h[0] && sc.fg() == h[1] && sc.bg() == h[2];
            }
            if (held) {
                removed++;
            } else {
                examples.add(new WorldCompiler.Example(ProceduralWeb.render(sc, spec.size(), spec.size()),
                        sc.caption()));
            }
        }
        assertThat(removed).as("pictures of the held-out combinations removed").isPositive();
        List<int[]> prompts = List.of(heldOut);
        List<Line> lines = new ArrayList<>();
        for (int i = 0; i < heldOut.length; i++) {
            lines.add(new Line(text(heldOut[i]), 500 + i, 7.5, 5));
        }
        Map<String, Double> adherence = new LinkedHashMap<>();
        for (WorldCompiler.Denoiser d : WorldCompiler.Denoiser.values()) {
            Path model = dir.resolve(d.name().toLowerCase(java.util.Locale.ROOT));
            WorldCompiler.compile(examples, spec.withDenoiser(d), model);
            adherence.put(d.name(), adherence(prompts, generateAll(dir.resolve("out-" + d.name()), lines,
                    "model.dir=\"" + model + "\"")));
        }
        System.out.printf("held-out combinations (%d pictures removed), both colours right at CFG 7.5: local %.1f%%, "
                + "memorize %.1f%% (20 images each)%n", removed, 100 * adherence.get("LOCAL"),
                100 * adherence.get("MEMORIZE"));
        // Measured 80 % vs 0 % (world-14: 50 %, world-13: 70 %). The misses are foregrounds judged the palette colour
        // nearest a blend of the asked colour and the background's (yellow on purple judged orange, blue on orange
        // purple). The target is 70 %; the floor sits a step of 20 images below it.
        assertThat(adherence.get("LOCAL")).as("the composing world on combinations it never saw")
                .isGreaterThanOrEqualTo(0.65)
                .isGreaterThanOrEqualTo(adherence.get("MEMORIZE") + 0.4);
    }

    /**
     * At 256×256 (32×32 latents, four times the training pictures' side) the windows tile the larger canvas with the
     * asked colours — several shapes on one background, a mosaic rather than one centred shape — so the judge's
     * foreground and background colours still follow the prompt. Measured 95 % on another set of 19 prompts.
     */
    @Test
    @Order(4)
    void promptAdherenceHoldsAt256(@TempDir Path out) throws Exception {
        // All 20 prompts, one seed each: a 256×256 image costs as much as 16 at 64×64. Measured 18 of 20 (world-16 and -17);
        // 10 prompts (9 of 10) left a floor of 85 % no room at all, so it was asserted at 80 %.
        List<int[]> prompts = prompts();
        List<Line> lines = prompts.stream().map(p -> new Line(text(p), 11, 7.5, 1)).toList();
        List<List<RgbImage>> images = generateAll(out, lines, "run.width=256", "run.height=256");
        assertThat(images.get(0).get(0).width()).isEqualTo(256);
        double a = adherence(prompts, images);
        System.out.printf("world-denoiser local at 256×256: both colours right %.1f%% at CFG 7.5 (%d images)%n",
                100 * a, prompts.size());
        assertThat(a).as("adherence at 256×256").isGreaterThanOrEqualTo(0.85);
    }

    @Test
    @Order(4)
    void anySizeAMultipleOfEightWorksAndLongPromptsAreChunked(@TempDir Path out) throws Exception {
        for (int[] wh : new int[][] {{96, 64}, {128, 128}}) {
            Dist.Result r = Dist.cli("generate", "a red circle on a blue background", "--width",
                    Integer.toString(wh[0]), "--height", Integer.toString(wh[1]), "--out",
                    out.resolve(wh[0] + "x" + wh[1]).toString(), "--quiet", "--set", cacheSet()).requireOk();
            RgbImage img = PngFiles.read(Path.of(r.out().strip()));
            assertThat(img.width()).isEqualTo(wh[0]);
            assertThat(img.height()).isEqualTo(wh[1]);
            assertThat(SceneJudge.judge(img).background()).isEqualTo("blue");
        }
        // Image-to-image at 128×128 from a 128×128 picture.
        Path init = out.resolve("init.png");
        RgbImage scene = ProceduralWeb.render(ProceduralWeb.scenes(5, 1).get(0), 128, 128);
        PngFiles.write(init, scene, Map.of());
        Dist.Result i2i = Dist.cli("generate", "a red circle on a blue background", "--init-image", init.toString(),
                "--strength", "0.6", "--out", out.resolve("i2i").toString(), "--quiet", "--set", cacheSet())
                .requireOk();
        assertThat(PngFiles.read(Path.of(i2i.out().strip())).width()).isEqualTo(128);
        // 100 words: more than one 77-token window, encoded window by window.
        String longPrompt = "a red circle on a blue background" + " with a blue background".repeat(20);
        Dist.Result chunked = Dist.cli("generate", longPrompt, "--out", out.resolve("long").toString(), "--quiet",
                "--set", cacheSet(), "--set", "text-encoder.long-prompt=chunk").requireOk();
        assertThat(PngFiles.read(Path.of(chunked.out().strip())).width()).isEqualTo(64);
        // Two 512×512 images with guidance are four rows of 64×64 latents: over the world's bound, refused before
        // ONNX Runtime allocates ~20 GB of window scores.
        Dist.Result tooBig = Dist.cli("generate", "a red circle on a blue background", "--width", "512", "--height",
                "512", "--batch", "2", "--out", out.resolve("too-big").toString(), "--quiet", "--set", cacheSet());
        assertThat(tooBig.exit()).isNotZero();
        assertThat(tooBig.err()).contains("max_latent_positions", "4 × 64 × 64 = 16384").doesNotContain("\tat ");
        // The memorizing variant is 64×64 only, and says so instead of failing inside ONNX Runtime.
        Dist.Result refused = Dist.cli("generate", "a red circle on a blue background", "--width", "128",
                "--height", "128", "--out", out.resolve("refused").toString(), "--quiet", "--set", cacheSet(),
                "--set", "model.world-denoiser=memorize");
        assertThat(refused.exit()).isNotZero();
        assertThat(refused.err()).contains("takes 8×8 latents only", "16×16").doesNotContain("\tat ");
    }

    @Test
    @Order(5)
    void twoBuildsAreByteIdenticalAndASeedGivesTheSamePixels(@TempDir Path other, @TempDir Path out)
            throws Exception {
        Path a = EmbeddedWorld.ensure(cache, msg -> { });
        Path b = EmbeddedWorld.ensure(other, msg -> { });
        assertThat(EmbeddedWorld.checksums(b)).isEqualTo(EmbeddedWorld.checksums(a)).isNotEmpty();
        assertThat(a.getFileName()).isEqualTo(b.getFileName());
        assertThat(a.getFileName().toString()).isEqualTo("world-" + WorldCompiler.Spec.defaults().hash());

        RgbImage first = generate(out.resolve("1"), "a red circle on a blue background", 7.5, 42, 1).get(0);
        RgbImage second = generate(out.resolve("2"), "a red circle on a blue background", 7.5, 42, 1).get(0);
        assertThat(second.rgb()).isEqualTo(first.rgb());
        RgbImage otherSeed = generate(out.resolve("3"), "a red circle on a blue background", 7.5, 43, 1).get(0);
        assertThat(otherSeed.rgb()).isNotEqualTo(first.rgb());
    }

    @Test
    @Order(6)
    void aPromptOutsideTheCorpusStillGivesAnImageAndTokenizeShowsTheSplit(@TempDir Path out) throws Exception {
        RgbImage img = generate(out, "Gaussian Noise", 7.5, 1, 1).get(0);
        assertThat(img.width()).isEqualTo(64);
        Dist.Result t = Dist.cli("tokenize", "Gaussian Noise", "--json", "--set", cacheSet()).requireOk();
        JsonNode n = new ObjectMapper().readTree(t.out());
        assertThat(n.get("normalized").asText()).isEqualTo("gaussian noise");
        assertThat(n.get("words").get(0).get("split").asBoolean()).as("'gaussian' is not a corpus word").isTrue();
        assertThat(n.get("ids")).hasSize(77);
        Dist.Result readable = Dist.cli("tokenize", "a red circle", "--set", cacheSet()).requireOk();
        assertThat(readable.out()).contains("red -> red</w>").doesNotContain("split into");
    }

    @Test
    @Order(7)
    void tokenizeReadsJsonLinesInOrder() throws Exception {
        java.io.InputStream stdin = System.in;
        try {
            System.setIn(new java.io.ByteArrayInputStream(("{\"prompt\": \"a red circle\"}\n"
                    + "{\"prompt\": \"un cercle rouge sur fond bleu\"}\n").getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            Dist.Result r = Dist.cli("tokenize", "--set", cacheSet()).requireOk();
            String[] lines = r.out().strip().split("\n");
            assertThat(lines).hasSize(2);
            assertThat(new ObjectMapper().readTree(lines[0]).get("prompt").asText()).isEqualTo("a red circle");
            assertThat(new ObjectMapper().readTree(lines[1]).get("prompt").asText())
                    .isEqualTo("un cercle rouge sur fond bleu");
        } finally {
            System.setIn(stdin);
        }
    }

    @Test
    @Order(8)
    void pngsCarryTheirProvenance(@TempDir Path out) throws Exception {
        Dist.Result r = Dist.cli("generate", "a green square on a yellow background", "--seed", "5", "--out",
                out.toString(), "--quiet", "--set", cacheSet()).requireOk();
        Path png = Path.of(r.out().strip());
        Map<String, String> text = PngFiles.readText(png);
        assertThat(text.get("parameters")).startsWith("a green square on a yellow background\nSteps: 20, "
                + "Sampler: Euler, CFG scale: 7.5, Seed: 5, Size: 64x64");
        JsonNode prov = new ObjectMapper().readTree(text.get("assay"));
        assertThat(prov.get("components").get("denoiser").asText()).isEqualTo("onnx-unet (onnx-sd 0.1.0)");
        assertThat(prov.get("guidance").asText()).contains("cfg");
        assertThat(prov.get("initialNoiseSha256").asText()).hasSize(64);
        assertThat(Files.list(out).filter(p -> p.getFileName().toString().startsWith(".")).count())
                .as("no temporary files left").isZero();
    }
}
