package io.assay.framework.experiment;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.assay.sdk.settings.ConfigErrorsException;
import io.assay.sdk.settings.ConfigProblem;
import io.assay.sdk.settings.ConfigReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An experiment: a base pipeline (the rest of the file) plus an {@code experiment} section with prompts, seeds and
 * axes. An axis is either a config path with values or named variants that overlay config:
 * <pre>
 * experiment {
 *   prompts = ["commodity"]
 *   seeds = [0]
 *   axes = [
 *     { path = guidance.scale, values = [0, 3, 12, 25] }
 *     { name = vae, variants { whole {}, tiled { autoencoder.tiled-decode = true } } }
 *   ]
 * }
 * </pre>
 * Every cell with the same seed and size starts from the same initial latents.
 *
 * <p>Two axes edit the prompt instead of the configuration: {@code { prompt-sr = ["photo", "painting"] }} is
 * AUTOMATIC1111's Prompt S/R — the first value is searched for in the prompt and the negative prompt, every
 * occurrence replaced by each value in turn (so the first cell keeps the prompt as written), and a prompt that holds
 * it in neither is an error; {@code { prompt-suffix = ["", ", highly detailed"] }} appends each value to the prompt.
 * Prompt edits apply in the order the axes are written.
 *
 * @param name the experiment's name
 * @param prompts the prompts
 * @param seeds the seeds
 * @param axes the axes, in order (the first varies along a contact sheet's columns, the second along its rows)
 * @param negative the base configuration's negative prompt ({@code run.negative}, "" when unset), which Prompt S/R
 *     edits too
 * @param influence whether every cell also gets token influence maps ({@code influence = true};
 *     {@link io.assay.framework.inspect.Influence}, without re-runs), computed once per trajectory (cells that differ
 *     only in the autoencoder share them)
 * @param vaeAuditImages the images of the decoder comparison ({@code vae-audit { images = [...] }}, paths relative to
 *     the file that names them): each is encoded and decoded by every autoencoder variant of the experiment
 *     ({@link VaeAudits}); empty without the section
 */
public record Experiment(String name, List<String> prompts, List<Long> seeds, List<Axis> axes, String negative,
        boolean influence, List<java.nio.file.Path> vaeAuditImages) {

    /** An experiment whose base negative prompt is empty, without influence maps. */
    public Experiment(String name, List<String> prompts, List<Long> seeds, List<Axis> axes) {
        this(name, prompts, seeds, axes, "", false);
    }

    /** An experiment without a decoder comparison. */
    public Experiment(String name, List<String> prompts, List<Long> seeds, List<Axis> axes, String negative,
            boolean influence) {
        this(name, prompts, seeds, axes, negative, influence, List.of());
    }

    /** How an axis edits the prompt. */
    public enum PromptEdit {
        /** AUTOMATIC1111's Prompt S/R: the first value, wherever it occurs in prompt and negative, becomes each value. */
        SEARCH_REPLACE,
        /** Each value appended to the prompt. */
        SUFFIX;

        /**
         * The prompt and negative prompt of value {@code i}.
         *
         * @return {prompt, negative}
         */
        public String[] apply(List<String> values, int i, String prompt, String negative) {
            if (this == SUFFIX) {
                return new String[] {prompt + values.get(i), negative};
            }
            String search = values.get(0);
            return new String[] {prompt.replace(search, values.get(i)), negative.replace(search, values.get(i))};
        }
    }

    /**
     * One axis.
     *
     * @param label the axis label (its path or name)
     * @param values the value labels
     * @param overrides per value, the {@code --set} overrides it applies
     * @param origin where the axis is declared (for messages)
     * @param edit how the axis edits the prompt, or null for an axis of configuration overrides
     */
    public record Axis(String label, List<String> values, List<List<String>> overrides, ConfigProblem origin,
            PromptEdit edit) {

        /** An axis of configuration overrides. */
        public Axis(String label, List<String> values, List<List<String>> overrides, ConfigProblem origin) {
            this(label, values, overrides, origin, null);
        }
    }

    /**
     * One cell: a prompt, a seed and one value per axis.
     *
     * @param prompt the experiment's prompt (cells of one prompt are compared with each other)
     * @param overrides the configuration overrides of its axis values (and {@code run.negative} when a prompt edit
     *     changed it)
     * @param text the prompt the cell runs: {@code prompt} after the prompt-editing axes
     */
    public record Cell(String prompt, long seed, List<Integer> valueIndex, List<String> overrides, String text) {

        /** A cell that runs its prompt as written. */
        public Cell(String prompt, long seed, List<Integer> valueIndex, List<String> overrides) {
            this(prompt, seed, valueIndex, overrides, prompt);
        }
    }

    /** Reads the {@code experiment} section, reporting every problem with file:line. */
    public static Experiment parse(Config config, String subject) {
        ConfigReport report = new ConfigReport();
        if (!config.hasPath("experiment")) {
            report.error(new ConfigProblem(subject, -1, "experiment", "missing: an experiment file needs an "
                    + "experiment { prompts, seeds, axes } section"));
            throw new ConfigErrorsException(report, subject);
        }
        Config e = config.getConfig("experiment");
        String name = e.hasPath("name") ? e.getString("name") : subject.replaceAll(".*/", "").replace(".conf", "");
        List<String> prompts = strings(e, "prompts", report);
        List<Long> seeds = new ArrayList<>();
        if (!e.hasPath("seeds")) {
            seeds.add(0L);
        } else {
            try {
                seeds.addAll(e.getLongList("seeds"));
            } catch (RuntimeException ex) {
                report.error(ConfigProblem.at(e.getValue("seeds").origin(), "experiment.seeds",
                        "expected a list of whole numbers"));
            }
        }
        List<Axis> axes = new ArrayList<>();
        if (e.hasPath("axes")) {
            ConfigValue v = e.getValue("axes");
            if (!(v instanceof ConfigList list)) {
                report.error(ConfigProblem.at(v.origin(), "experiment.axes", "expected a list of axes"));
            } else {
                for (int i = 0; i < list.size(); i++) {
                    Axis a = axis(list.get(i), "experiment.axes[" + i + "]", report);
                    if (a != null) {
                        axes.add(a);
                    }
                }
            }
        }
        boolean influence = false;
        if (e.hasPath("influence")) {
            try {
                influence = e.getBoolean("influence");
            } catch (RuntimeException ex) {
                report.error(ConfigProblem.at(e.getValue("influence").origin(), "experiment.influence",
                        "expected true or false"));
            }
        }
        List<java.nio.file.Path> auditImages = vaeAuditImages(e, report);
        for (String k : e.root().keySet()) {
            if (!List.of("name", "prompts", "seeds", "axes", "influence", "vae-audit").contains(k)) {
                report.error(ConfigProblem.at(e.getValue(k).origin(), "experiment." + k,
                        "unknown key; an experiment has name, prompts, seeds, axes, influence, vae-audit"));
            }
        }
        if (prompts.isEmpty() && !report.hasErrors()) {
            report.error(ConfigProblem.at(e.root().origin(), "experiment.prompts", "needs at least one prompt"));
        }
        String negative = config.hasPath("run.negative") && config.getValue("run.negative").valueType()
                == ConfigValueType.STRING ? config.getString("run.negative") : "";
        for (Axis a : axes) {
            if (a.edit() == PromptEdit.SEARCH_REPLACE) {
                String search = a.values().get(0);
                for (String p : prompts) {
                    // As AUTOMATIC1111 checks the prompt as written (before other axes edit it).
                    if (!p.contains(search) && !negative.contains(search)) {
                        report.error(new ConfigProblem(a.origin().file(), a.origin().line(), a.origin().key()
                                + ".prompt-sr", "Prompt S/R did not find '" + search + "' in the prompt '" + p
                                + "' or the negative prompt '" + negative + "'"));
                    }
                }
            }
        }
        if (report.hasErrors()) {
            throw new ConfigErrorsException(report, subject);
        }
        return new Experiment(name, prompts, seeds, axes, negative, influence, auditImages);
    }

    /**
     * The {@code vae-audit { images = [...] }} section: each image resolved against the directory of the file that
     * names it, and required to exist (the error names the path and the file:line).
     */
    private static List<java.nio.file.Path> vaeAuditImages(Config e, ConfigReport report) {
        if (!e.hasPath("vae-audit")) {
            return List.of();
        }
        ConfigValue section = e.getValue("vae-audit");
        if (!(section instanceof ConfigObject o)) {
            report.error(ConfigProblem.at(section.origin(), "experiment.vae-audit", "expected a section "
                    + "{ images = [\"a.png\", ...] }"));
            return List.of();
        }
        for (String k : o.keySet()) {
            if (!k.equals("images")) {
                report.error(ConfigProblem.at(o.get(k).origin(), "experiment.vae-audit." + k, "unknown key; the "
                        + "vae-audit section has images"));
            }
        }
        ConfigValue list = o.get("images");
        if (!(list instanceof ConfigList images) || images.isEmpty()) {
            report.error(ConfigProblem.at(list != null ? list.origin() : section.origin(), "experiment.vae-audit"
                    + ".images", "needs a non-empty list of image files"));
            return List.of();
        }
        List<java.nio.file.Path> out = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            ConfigValue v = images.get(i);
            String where = "experiment.vae-audit.images[" + i + "]";
            if (v.valueType() != ConfigValueType.STRING || ((String) v.unwrapped()).isBlank()) {
                report.error(ConfigProblem.at(v.origin(), where, "expected the path of an image file"));
                continue;
            }
            java.nio.file.Path p = java.nio.file.Path.of((String) v.unwrapped());
            String file = v.origin().filename();
            if (!p.isAbsolute() && file != null && java.nio.file.Path.of(file).getParent() != null) {
                p = java.nio.file.Path.of(file).getParent().resolve(p);
            }
            p = p.toAbsolutePath().normalize();
            if (!java.nio.file.Files.isRegularFile(p)) {
                report.error(ConfigProblem.at(v.origin(), where, "image '" + v.unwrapped() + "' does not exist ("
                        + p + ")"));
                continue;
            }
            if (out.contains(p)) {
                report.error(ConfigProblem.at(v.origin(), where, "image '" + v.unwrapped() + "' is listed twice"));
                continue;
            }
            out.add(p);
        }
        return List.copyOf(out);
    }

    private static List<String> strings(Config e, String key, ConfigReport report) {
        if (!e.hasPath(key)) {
            return List.of();
        }
        try {
            return e.getStringList(key);
        } catch (RuntimeException ex) {
            report.error(ConfigProblem.at(e.getValue(key).origin(), "experiment." + key, "expected a list of strings"));
            return List.of();
        }
    }

    private static Axis axis(ConfigValue v, String where, ConfigReport report) {
        if (!(v instanceof ConfigObject o)) {
            report.error(ConfigProblem.at(v.origin(), where, "expected { path, values } or { name, variants }"));
            return null;
        }
        Config a = o.toConfig();
        ConfigProblem origin = ConfigProblem.at(v.origin(), where, "");
        for (String key : List.of("prompt-sr", "prompt-suffix")) {
            if (!a.hasPath(key)) {
                continue;
            }
            List<String> values;
            try {
                values = a.getStringList(key);
            } catch (RuntimeException ex) {
                report.error(ConfigProblem.at(a.getValue(key).origin(), where + "." + key, "expected a list of "
                        + "strings"));
                return null;
            }
            if (values.isEmpty() || key.equals("prompt-sr") && values.get(0).isEmpty()) {
                report.error(ConfigProblem.at(a.getValue(key).origin(), where + "." + key, key.equals("prompt-sr")
                        ? "needs at least one value, the first non-empty (it is what is searched for)"
                        : "needs at least one value"));
                return null;
            }
            String label = a.hasPath("name") ? a.getString("name") : key.equals("prompt-sr") ? "prompt S/R"
                    : "prompt suffix";
            List<List<String>> none = java.util.Collections.nCopies(values.size(), List.of());
            return new Axis(label, List.copyOf(values), none, origin, key.equals("prompt-sr")
                    ? PromptEdit.SEARCH_REPLACE : PromptEdit.SUFFIX);
        }
        if (a.hasPath("path")) {
            String path = a.getString("path");
            if (!a.hasPath("values") || a.getValue("values").valueType() != ConfigValueType.LIST
                    || a.getList("values").isEmpty()) {
                report.error(ConfigProblem.at(v.origin(), where + ".values", "axis '" + path
                        + "' needs a non-empty list of values"));
                return null;
            }
            List<String> labels = new ArrayList<>();
            List<List<String>> overrides = new ArrayList<>();
            for (ConfigValue val : a.getList("values")) {
                String rendered = val.render(ConfigRenderOptions.concise());
                labels.add(val.valueType() == ConfigValueType.STRING ? (String) val.unwrapped() : rendered);
                overrides.add(List.of(path + "=" + rendered));
            }
            return new Axis(path, labels, overrides, origin);
        }
        if (a.hasPath("variants")) {
            String label = a.hasPath("name") ? a.getString("name") : "variant";
            Map<String, List<String>> variants = new LinkedHashMap<>();
            ConfigObject vs = a.getObject("variants");
            for (Map.Entry<String, ConfigValue> e : declaredOrder(vs)) {
                List<String> sets = new ArrayList<>();
                if (e.getValue() instanceof ConfigObject vo) {
                    for (Map.Entry<String, ConfigValue> kv : vo.toConfig().entrySet()) {
                        sets.add(kv.getKey() + "=" + kv.getValue().render(ConfigRenderOptions.concise()));
                    }
                }
                variants.put(e.getKey(), sets);
            }
            if (variants.isEmpty()) {
                report.error(ConfigProblem.at(v.origin(), where + ".variants", "axis '" + label
                        + "' needs at least one variant"));
                return null;
            }
            return new Axis(label, List.copyOf(variants.keySet()), List.copyOf(variants.values()), origin);
        }
        report.error(ConfigProblem.at(v.origin(), where, "an axis needs 'path' and 'values', or 'variants'"));
        return null;
    }

    /**
     * The entries of an object in the order the file declares them (Typesafe Config keeps no order): by line, then
     * by where the key stands on its line.
     */
    static List<Map.Entry<String, ConfigValue>> declaredOrder(ConfigObject o) {
        Map<java.net.URL, List<String>> files = new java.util.HashMap<>();
        List<Map.Entry<String, ConfigValue>> entries = new ArrayList<>(o.entrySet());
        entries.sort(java.util.Comparator.comparingInt((Map.Entry<String, ConfigValue> e) -> e.getValue().origin()
                .lineNumber()).thenComparingInt(e -> column(e.getKey(), e.getValue().origin(), files))
                .thenComparing(Map.Entry::getKey));
        return entries;
    }

    /** Where {@code key} first stands on its origin's line, or 0 when the file cannot be read. */
    private static int column(String key, com.typesafe.config.ConfigOrigin origin,
            Map<java.net.URL, List<String>> files) {
        java.net.URL url = origin.url();
        int line = origin.lineNumber();
        if (url == null || line < 1) {
            return 0;
        }
        List<String> lines = files.computeIfAbsent(url, u -> {
            try (java.io.InputStream in = u.openStream()) {
                return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines().toList();
            } catch (java.io.IOException e) {
                return List.of();
            }
        });
        if (line > lines.size()) {
            return 0;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(^|[\\s{,])\"?" + java.util.regex.Pattern.quote(key)
                + "\"?\\s*[{:=]").matcher(lines.get(line - 1));
        return m.find() ? m.start() : 0;
    }

    /** Every cell: prompts × seeds × the axes' cartesian product, the first axis varying fastest. */
    public List<Cell> cells() {
        List<Cell> out = new ArrayList<>();
        int combos = 1;
        for (Axis a : axes) {
            combos *= a.values().size();
        }
        for (String p : prompts) {
            for (long s : seeds) {
                for (int c = 0; c < combos; c++) {
                    List<Integer> idx = new ArrayList<>();
                    List<String> sets = new ArrayList<>();
                    String text = p;
                    String neg = negative;
                    int rest = c;
                    for (Axis a : axes) {
                        int i = rest % a.values().size();
                        rest /= a.values().size();
                        idx.add(i);
                        sets.addAll(a.overrides().get(i));
                        if (a.edit() != null) {
                            String[] edited = a.edit().apply(a.values(), i, text, neg);
                            text = edited[0];
                            neg = edited[1];
                        }
                    }
                    if (!neg.equals(negative)) {
                        sets.add("run.negative=" + io.assay.framework.settings.ConfigLoader.quote(neg));
                    }
                    out.add(new Cell(p, s, idx, sets, text));
                }
            }
        }
        return out;
    }

    /**
     * The cells in running order: grouped by the values of the axes that change what is loaded (a model directory, a
     * stage's component, or any file a stage reads), so each model is loaded as few times as possible and is released
     * as soon as no following cell in its group needs it. Within a group, the experiment's own order.
     */
    public List<Cell> orderedCells() {
        List<Integer> heavy = new ArrayList<>();
        for (int k = 0; k < axes.size(); k++) {
            if (loadsModels(axes.get(k))) {
                heavy.add(k);
            }
        }
        List<Cell> cells = new ArrayList<>(cells());
        if (heavy.isEmpty()) {
            return cells;
        }
        java.util.Comparator<Cell> byHeavy = (x, y) -> {
            for (int k : heavy) {
                int c = Integer.compare(x.valueIndex().get(k), y.valueIndex().get(k));
                if (c != 0) {
                    return c;
                }
            }
            return 0;
        };
        cells.sort(byHeavy); // stable: the rest keeps the experiment's order
        return cells;
    }

    /** Whether an axis's values can change which model files are opened. */
    static boolean loadsModels(Axis a) {
        for (List<String> sets : a.overrides()) {
            for (String set : sets) {
                String path = set.substring(0, set.indexOf('=')).trim();
                if (path.startsWith("model.") || path.endsWith(".name") || path.endsWith("dir")
                        || path.endsWith("file") || path.startsWith("onnx.")) {
                    return true;
                }
            }
        }
        return false;
    }
}
