package io.assay.framework.bench;

import io.assay.framework.assembly.Assembled;
import io.assay.framework.engine.GenerationEngine;
import io.assay.framework.engine.GenerationRequest;
import io.assay.framework.engine.GenerationResult;
import io.assay.framework.engine.StepObserver;
import io.assay.framework.experiment.ExperimentPlan;
import io.assay.framework.experiment.ExperimentRunner;
import io.assay.framework.runtime.AssayRuntime;
import io.assay.framework.runtime.RunConfig;
import io.assay.framework.settings.ConfigLoader;
import io.assay.lib.forge.Forge;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * The sweep benchmarks, through the experiment runner {@code assay compare} uses, against one image of the same run:
 * a 4-cell CFG sweep (4 trajectories from one encoding) and a 3-decoder VAE sweep (three decoders with different
 * weights where the model directory has them, else the whole decode and two tilings of one decoder: one trajectory,
 * 3 decodes). Each reports its wall time, the sessions it created (0: the models are loaded once), the
 * loops, decodes and text-encoder calls it ran, and its peak RSS (VmHWM reset before each part).
 */
public final class Sweeps {

    /** CFG scales of the 4-cell sweep. */
    static final List<Double> CFG = List.of(3.0, 5.0, 7.5, 12.0);

    /**
     * One part.
     *
     * @param name            {@code single}, {@code cfg-sweep} or {@code vae-sweep}
     * @param cells           images made
     * @param millis          wall time
     * @param sessionsCreated ONNX Runtime sessions created during it
     * @param trajectories    denoising loops run
     * @param decodes         VAE decodes run
     * @param encodings       text-encoder calls
     * @param unetCalls       batched U-Net calls
     * @param modelMillis     time inside the model calls (text encoder, U-Net, VAE decode); single image only, else -1
     * @param peakRss         VmHWM after the part, reset to the current RSS before it (bytes; -1 if unavailable)
     * @param variants        what the cells vary (the VAE sweep's decoders or tilings; empty for the others)
     * @param distinctImages  how many of the cells' images differ from every other cell's in some pixel (-1: not
     *                        counted)
     */
    public record Part(String name, int cells, double millis, int sessionsCreated, int trajectories, int decodes,
            int encodings, long unetCalls, double modelMillis, long peakRss, List<String> variants,
            int distinctImages) {
    }

    private Sweeps() {
    }

    /**
     * One image, then the CFG sweep, then the VAE sweep, on a loaded runtime. The VAE sweep decodes with three
     * different decoders when {@code modelDir} has them ({@code vae_decoder/} and {@code vae_decoders/2},
     * {@code vae_decoders/3}, as {@code assay forge --decoders 3} writes), else with three tilings of the one decoder.
     */
    static List<Part> run(AssayRuntime runtime, List<String> sets, Path modelDir, String prompt, long seed,
            StepObserver observer, Consumer<String> progress) throws IOException {
        List<Part> parts = new ArrayList<>();
        Path tmp = Files.createTempDirectory("assay-bench-sweeps-");
        try {
            progress.accept("sweeps: one image");
            parts.add(single(runtime, sets, observer));
            progress.accept(String.format(Locale.ROOT, "sweeps: one image %.0f ms", parts.get(0).millis()));
            StringBuilder values = new StringBuilder();
            for (double g : CFG) {
                values.append(values.length() == 0 ? "" : ", ").append(g);
            }
            String head = "prompts = [" + ConfigLoader.quote(prompt) + "]\n  seeds = [" + seed + "]\n";
            parts.add(experiment(runtime, sets, tmp, "cfg-sweep", head,
                    "{ path = guidance.scale, values = [" + values + "] }", progress, List.of()));
            List<Path> extra = extraDecoders(modelDir);
            if (extra.size() >= 2) {
                StringBuilder v = new StringBuilder("{ name = vae, variants { vae_decoder {}");
                for (Path d : extra.subList(0, 2)) {
                    v.append(", decoder-").append(d.getFileName().toString().replaceAll("[^A-Za-z0-9]", ""))
                            .append(" { autoencoder { model-dir = ")
                            .append(ConfigLoader.quote(d.toString())).append(" } }");
                }
                v.append(" } }");
                parts.add(experiment(runtime, sets, tmp, "vae-sweep", head, v.toString(), progress,
                        List.of("vae_decoder", modelDir.relativize(extra.get(0)) + "/vae_decoder",
                                modelDir.relativize(extra.get(1)) + "/vae_decoder")));
            } else {
                parts.add(experiment(runtime, sets, tmp, "vae-sweep", head,
                        "{ name = vae, variants { whole {}, "
                                + "tiled-16 { autoencoder { tiled-decode = true, tile-size = 16, tile-overlap = 4 } },"
                                + " tiled-24 { autoencoder { tiled-decode = true, tile-size = 24, tile-overlap = 8 } }"
                                + " } }", progress, List.of("whole", "tiled-16", "tiled-24")));
            }
        } finally {
            deleteTree(tmp);
        }
        return parts;
    }

    private static Part single(AssayRuntime runtime, List<String> sets, StepObserver observer) throws IOException {
        int before = runtime.sessions().sessionsCreated();
        Bench.Rss.resetPeak();
        long t0 = System.nanoTime();
        RunConfig c = runtime.configure(sets);
        GenerationResult r;
        try (Assembled a = runtime.assemble(c)) {
            GenerationRequest req = runtime.request(c, a);
            r = new GenerationEngine().generate(a.pipeline(), req, null, observer, () -> false);
            runtime.metadata(c, req, r, 0);
        }
        double ms = (System.nanoTime() - t0) / 1e6;
        Map<String, Double> t = r.timingsMillis();
        double model = t.getOrDefault("text-encoder", 0.0) + t.getOrDefault("denoiser", 0.0)
                + t.getOrDefault("autoencoder", 0.0);
        return new Part("single", 1, ms, runtime.sessions().sessionsCreated() - before, 1, 1, 1, r.denoiserCalls(),
                model, Bench.Rss.peak(), List.of(), -1);
    }

    private static Part experiment(AssayRuntime runtime, List<String> sets, Path tmp, String name, String head,
            String axis, Consumer<String> progress, List<String> variants) throws IOException {
        Path file = tmp.resolve(name + ".conf");
        Files.writeString(file, "experiment {\n  name = " + name + "\n  " + head + "  axes = [\n    " + axis + "\n  ]\n}\n");
        List<String> cellSets = new ArrayList<>(sets);
        int before = runtime.sessions().sessionsCreated();
        Bench.Rss.resetPeak();
        long t0 = System.nanoTime();
        ExperimentPlan plan = ExperimentPlan.of(runtime, file, cellSets);
        ExperimentRunner.Summary s = new ExperimentRunner(runtime).run(plan, tmp.resolve(name), () -> false,
                (done, total, computed) -> progress.accept("sweeps: " + name + " cell " + done + "/" + total));
        double ms = (System.nanoTime() - t0) / 1e6;
        long peak = Bench.Rss.peak();
        return new Part(name, s.cells(), ms, runtime.sessions().sessionsCreated() - before, s.trajectories(),
                s.decodes(), s.encodings(), s.denoiserCalls(), -1, peak, variants,
                distinctImages(tmp.resolve(name).resolve("cells")));
    }

    /** The extra decoder directories of {@code modelDir} ({@code vae_decoders/2}, {@code /3}, …) that exist. */
    static List<Path> extraDecoders(Path modelDir) {
        List<Path> out = new ArrayList<>();
        for (int i = 2; ; i++) {
            Path d = modelDir.resolve(Forge.extraDecoderDir(i));
            if (!Files.isRegularFile(d.resolve("vae_decoder").resolve("model.onnx"))) {
                return out;
            }
            out.add(d);
        }
    }

    /** How many of the PNGs in {@code cells} differ in some pixel from every other one; -1 if unreadable. */
    static int distinctImages(Path cells) {
        List<int[]> images = new ArrayList<>();
        try (Stream<Path> s = Files.list(cells)) {
            for (Path p : (Iterable<Path>) s.filter(f -> f.toString().endsWith(".png")).sorted()::iterator) {
                BufferedImage im = ImageIO.read(p.toFile());
                if (im == null) {
                    return -1;
                }
                images.add(im.getRGB(0, 0, im.getWidth(), im.getHeight(), null, 0, im.getWidth()));
            }
        } catch (IOException e) {
            return -1;
        }
        int distinct = 0;
        for (int i = 0; i < images.size(); i++) {
            boolean unique = true;
            for (int j = 0; j < images.size() && unique; j++) {
                unique = i == j || !Arrays.equals(images.get(i), images.get(j));
            }
            distinct += unique ? 1 : 0;
        }
        return distinct;
    }

    /** A part as a JSON-ready map. */
    static Map<String, Object> json(Part p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cells", p.cells());
        m.put("ms", p.millis());
        m.put("sessions_created", p.sessionsCreated());
        m.put("trajectories", p.trajectories());
        m.put("decodes", p.decodes());
        m.put("encodings", p.encodings());
        m.put("unet_calls", p.unetCalls());
        if (p.modelMillis() >= 0) {
            m.put("model_call_ms", p.modelMillis());
        }
        m.put("peak_rss_bytes", p.peakRss());
        if (!p.variants().isEmpty()) {
            m.put("variants", p.variants());
        }
        if (p.distinctImages() >= 0) {
            m.put("distinct_images", p.distinctImages());
        }
        return m;
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a temp dir left behind is not worth failing the benchmark
        }
    }
}
