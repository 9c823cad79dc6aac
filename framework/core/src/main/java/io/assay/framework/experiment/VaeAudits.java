package io.assay.framework.experiment;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import io.assay.framework.assembly.Assembled;
import io.assay.framework.assembly.PipelineAssembler;
import io.assay.framework.inspect.VaeAudit;
import io.assay.framework.io.Slugs;
import io.assay.framework.runtime.AssayRuntime;
import io.assay.framework.runtime.RunConfig;
import io.assay.sdk.tensor.RgbImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The decoder comparison of an experiment ({@code vae-audit { images = [...] }}): every image is encoded (latent mean)
 * and decoded by each autoencoder variant of the experiment — the distinct autoencoders its cells use (component,
 * settings, model) — and audited ({@link VaeAudit}). Each audit is written to
 * {@code vae-audit/<image>/<variant>/} ({@code audit.json}, {@code residual.png}, {@code index.html}) and skipped
 * when its {@code audit.json} exists, so a resumed run writes the same report; the report reads the files back.
 */
final class VaeAudits {

    private static final ObjectMapper JSON = new ObjectMapper();

    private VaeAudits() {
    }

    /**
     * One autoencoder variant.
     *
     * @param label the values of the axes that set it ({@code base} when no axis touches the autoencoder)
     * @param dir its directory name under each image's
     * @param config the configuration of the first cell that uses it
     */
    record Variant(String label, String dir, RunConfig config) {
    }

    /** The experiment's autoencoder variants, in the order their first cells come in the experiment. */
    static List<Variant> variants(ExperimentPlan plan) {
        Experiment exp = plan.experiment();
        Map<Experiment.Cell, ExperimentPlan.PlannedCell> byCell = new LinkedHashMap<>();
        plan.cells().forEach(c -> byCell.putIfAbsent(c.cell(), c));
        Map<String, Variant> out = new LinkedHashMap<>();
        Set<String> dirs = new HashSet<>();
        for (Experiment.Cell cell : exp.cells()) {
            ExperimentPlan.PlannedCell c = byCell.get(cell);
            if (c == null) {
                continue;
            }
            String identity = identity(c.config());
            if (out.containsKey(identity)) {
                continue;
            }
            List<String> parts = new ArrayList<>();
            for (int k = 0; k < exp.axes().size(); k++) {
                Experiment.Axis a = exp.axes().get(k);
                if (touchesAutoencoder(a)) {
                    parts.add(a.label() + " " + a.values().get(cell.valueIndex().get(k)));
                }
            }
            String label = parts.isEmpty() ? "base" : String.join(", ", parts);
            String dir = Slugs.of(label, 48).isEmpty() ? "variant" : Slugs.of(label, 48);
            String unique = dir;
            for (int n = 2; !dirs.add(unique); n++) {
                unique = dir + "-" + n;
            }
            out.put(identity, new Variant(label, unique, c.config()));
        }
        return List.copyOf(out.values());
    }

    /** What makes two cells' autoencoders the same: the component and plugin, its settings and the model. */
    static String identity(RunConfig c) {
        Config config = c.validated().config();
        String settings = config.hasPath("autoencoder") ? config.getValue("autoencoder")
                .render(ConfigRenderOptions.concise()) : "";
        String model = config.hasPath("model") ? config.getValue("model").render(ConfigRenderOptions.concise()) : "";
        return PipelineAssembler.components(c.validated()).get("autoencoder") + "|" + settings + "|" + model;
    }

    /** Whether any value of an axis sets an {@code autoencoder} or {@code model} path. */
    static boolean touchesAutoencoder(Experiment.Axis a) {
        for (List<String> sets : a.overrides()) {
            for (String set : sets) {
                String path = set.substring(0, set.indexOf('=')).trim();
                if (path.startsWith("autoencoder") || path.startsWith("model.")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The directory of one image's audits: its file name without the extension, made a slug. */
    static String imageDir(Path image) {
        String name = image.getFileName().toString().replaceFirst("\\.[^.]*$", "");
        return Slugs.of(name, 40).isEmpty() ? "image" : Slugs.of(name, 40);
    }

    /** Runs the audits that are missing; returns how many ran. */
    static int run(AssayRuntime runtime, ExperimentPlan plan, Path dir) throws IOException {
        List<Path> images = plan.experiment().vaeAuditImages();
        if (images.isEmpty()) {
            return 0;
        }
        int ran = 0;
        for (Variant v : variants(plan)) {
            List<Path> missing = images.stream().filter(i -> !Files.isRegularFile(auditDir(dir, i, v)
                    .resolve("audit.json"))).toList();
            if (missing.isEmpty()) {
                continue;
            }
            try (Assembled a = runtime.assemble(v.config())) {
                for (Path image : missing) {
                    RgbImage img = AssayRuntime.readInitImage(image, v.config().run().maxInitPixels());
                    VaeAudit.Result r = VaeAudit.run(a.pipeline().autoencoder(), img);
                    Map<String, Object> extra = new LinkedHashMap<>();
                    extra.put("image", image.getFileName().toString());
                    extra.put("variant", v.label());
                    extra.put("autoencoder", PipelineAssembler.components(v.config().validated()).get("autoencoder"));
                    if (r.original().width() != img.width() || r.original().height() != img.height()) {
                        extra.put("croppedFrom", img.width() + "x" + img.height());
                    }
                    VaeAudit.write(r, auditDir(dir, image, v), extra);
                    ran++;
                }
            }
        }
        return ran;
    }

    private static Path auditDir(Path dir, Path image, Variant v) {
        return dir.resolve("vae-audit").resolve(imageDir(image)).resolve(v.dir());
    }

    /**
     * The report's rows, read from the audit files: per image × variant, PSNR, SSIM, the worst colour channel shift
     * (the channel whose mean moved most, signed: decoded − original, 0–255) and the links to its pages.
     */
    static List<Map<String, Object>> rows(ExperimentPlan plan, Path dir) throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        if (plan.experiment().vaeAuditImages().isEmpty()) {
            return out;
        }
        List<Variant> variants = variants(plan);
        for (Path image : plan.experiment().vaeAuditImages()) {
            for (Variant v : variants) {
                Path audit = auditDir(dir, image, v);
                if (!Files.isRegularFile(audit.resolve("audit.json"))) {
                    continue; // not run here (an engine that runs cells elsewhere runs no audits)
                }
                Map<?, ?> a = JSON.readValue(audit.resolve("audit.json").toFile(), Map.class);
                String worst = null;
                double shift = 0;
                for (Object o : (List<?>) a.get("channels")) {
                    Map<?, ?> ch = (Map<?, ?>) o;
                    double d = ((Number) ch.get("decodedMean")).doubleValue()
                            - ((Number) ch.get("originalMean")).doubleValue();
                    if (worst == null || Math.abs(d) > Math.abs(shift)) {
                        worst = (String) ch.get("channel");
                        shift = d;
                    }
                }
                String rel = dir.relativize(audit).toString().replace('\\', '/');
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("image", image.getFileName().toString());
                row.put("variant", v.label());
                row.put("psnr", a.get("psnr"));
                row.put("ssim", a.get("ssim"));
                row.put("worstChannel", worst);
                row.put("worstChannelShift", shift);
                row.put("residualMean", a.get("residualMean"));
                row.put("residual", rel + "/residual.png");
                row.put("decoded", rel + "/decoded.png");
                row.put("page", rel + "/index.html");
                out.add(row);
            }
        }
        return out;
    }
}
