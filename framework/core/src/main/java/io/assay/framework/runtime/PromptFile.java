package io.assay.framework.runtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.assay.framework.settings.ConfigLoader;
import io.assay.sdk.settings.ConfigErrorsException;
import io.assay.sdk.settings.ConfigProblem;
import io.assay.sdk.settings.ConfigReport;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Many runs from one file ({@code assay generate --prompts FILE}): one prompt per line, or a JSON object per line
 * with the prompt and per-line overrides —
 * <pre>
 * a red circle on a blue background
 * {"prompt": "a green square", "seed": 3, "guidance": 12, "set": {"scheduler.name": "ddim"}}
 * </pre>
 * Blank lines and lines starting with {@code #} are skipped. Every problem is reported with the file, the line and
 * the field before anything runs.
 */
public final class PromptFile {

    /** What a JSON line's fields set: field → config path and JSON type. */
    private static final Map<String, Field> FIELDS = new LinkedHashMap<>();

    static {
        FIELDS.put("prompt", new Field("run.prompt", Kind.TEXT));
        FIELDS.put("negative", new Field("run.negative", Kind.TEXT));
        FIELDS.put("seed", new Field("run.seed", Kind.INTEGER));
        FIELDS.put("steps", new Field("run.steps", Kind.INTEGER));
        FIELDS.put("width", new Field("run.width", Kind.INTEGER));
        FIELDS.put("height", new Field("run.height", Kind.INTEGER));
        FIELDS.put("batch", new Field("run.batch", Kind.INTEGER));
        FIELDS.put("guidance", new Field("guidance.scale", Kind.NUMBER));
        FIELDS.put("scheduler", new Field("scheduler.name", Kind.TEXT));
    }

    private enum Kind { TEXT, INTEGER, NUMBER }

    private record Field(String path, Kind kind) {
    }

    /**
     * One run.
     *
     * @param line the line it came from (1-based)
     * @param sets its overrides ({@code run.prompt} and the line's own)
     */
    public record Entry(int line, List<String> sets) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private PromptFile() {
    }

    /**
     * Reads the file.
     *
     * @throws ConfigErrorsException naming every bad line (file:line, field, what was found)
     */
    public static List<Entry> read(Path file) {
        ConfigReport report = new ConfigReport();
        List<String> lines;
        try {
            lines = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file)))
                    .toString().lines().toList();
        } catch (CharacterCodingException e) {
            report.error(new ConfigProblem(file.toString(), -1, "", "not UTF-8 text"));
            throw new ConfigErrorsException(report, file.toString());
        } catch (IOException e) {
            report.error(new ConfigProblem(file.toString(), -1, "", "cannot read: " + e.getMessage()));
            throw new ConfigErrorsException(report, file.toString());
        }
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            List<String> sets = line.startsWith("{") ? json(line, file, i + 1, report)
                    : List.of("run.prompt=" + ConfigLoader.quote(line));
            if (sets != null) {
                out.add(new Entry(i + 1, sets));
            }
        }
        if (out.isEmpty() && !report.hasErrors()) {
            report.error(new ConfigProblem(file.toString(), -1, "", "no prompts: every line is blank or a comment"));
        }
        if (report.hasErrors()) {
            throw new ConfigErrorsException(report, file.toString());
        }
        return out;
    }

    /** A line's configuration problems (its overrides made it invalid), reported at the line. */
    public static ConfigErrorsException blame(Path file, Entry entry, ConfigErrorsException e) {
        ConfigReport r = new ConfigReport();
        return ConfigLoader.reattribute(e, file.toString(), entry.line(), "", r) > 0
                ? new ConfigErrorsException(r, file.toString()) : e;
    }

    private static List<String> json(String line, Path file, int lineNo, ConfigReport report) {
        JsonNode n;
        try {
            n = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            report.error(new ConfigProblem(file.toString(), lineNo, "", "not a JSON object: "
                    + e.getOriginalMessage()));
            return null;
        }
        if (!n.path("prompt").isTextual()) {
            report.error(new ConfigProblem(file.toString(), lineNo, "prompt", "a JSON line needs a string \"prompt\""));
            return null;
        }
        List<String> sets = new ArrayList<>();
        int errors = report.errors().size();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            JsonNode v = f.getValue();
            if (f.getKey().equals("set")) {
                set(v, file, lineNo, report, sets);
                continue;
            }
            Field field = FIELDS.get(f.getKey());
            if (field == null) {
                report.error(new ConfigProblem(file.toString(), lineNo, f.getKey(), "unknown field; fields: "
                        + String.join(", ", FIELDS.keySet()) + ", set"));
            } else if (field.kind() == Kind.TEXT && !v.isTextual()
                    || field.kind() == Kind.INTEGER && !v.canConvertToLong()
                    || field.kind() == Kind.INTEGER && !v.isIntegralNumber()
                    || field.kind() == Kind.NUMBER && !v.isNumber()) {
                report.error(new ConfigProblem(file.toString(), lineNo, f.getKey(), "expected "
                        + field.kind().name().toLowerCase(java.util.Locale.ROOT) + ", found " + v));
            } else {
                sets.add(field.path() + "=" + (v.isTextual() ? ConfigLoader.quote(v.asText()) : v.toString()));
            }
        }
        return report.errors().size() == errors ? sets : null;
    }

    /** {@code "set": {"path": value, …}}: any config key, as {@code --set} takes it. */
    private static void set(JsonNode v, Path file, int lineNo, ConfigReport report, List<String> sets) {
        if (!v.isObject()) {
            report.error(new ConfigProblem(file.toString(), lineNo, "set", "expected an object of "
                    + "\"path\": value, found " + v));
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isValueNode()) {
                report.error(new ConfigProblem(file.toString(), lineNo, "set." + e.getKey(), "expected a string, "
                        + "number or boolean, found " + e.getValue()));
            } else {
                sets.add(e.getKey() + "=" + (e.getValue().isTextual() ? ConfigLoader.quote(e.getValue().asText())
                        : e.getValue().toString()));
            }
        }
    }
}
