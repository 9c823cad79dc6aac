package io.assay.framework.cli;

import io.assay.framework.assembly.SingleStage;
import io.assay.framework.runtime.AssayRuntime;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.assay.framework.assembly.StageKey;
import io.assay.sdk.diffusion.TextEncoder;
import io.assay.sdk.diffusion.TokenReport;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code assay tokenize}: how the model receives a prompt. One prompt from the arguments (a readable report, or JSON
 * with {@code --json}), or JSON lines on standard input ({@code {"prompt": …}} in, one result line out per line in,
 * same order).
 */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = "Show how the text encoder's tokenizer receives a prompt: ids, tokens, sub-word splits, "
                + "normalization and what was dropped at the window. Without PROMPT, reads JSON lines "
                + "{\"prompt\": …} from standard input.")
public final class TokenizeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common = new CommonOptions();

    @Parameters(index = "0", arity = "0..1", paramLabel = "PROMPT")
    String prompt;

    @Option(names = "--model", paramLabel = "DIR", description = "Model directory whose tokenizer to use (model.dir).")
    Path model;

    @Option(names = "--json", description = "Print one JSON object instead of the readable report.")
    boolean json;

    private final ObjectMapper mapper = new ObjectMapper();

    @Override
    public Integer call() throws Exception {
        if (model != null) {
            common.set("--model", "model.dir", CommonOptions.quote(model.toAbsolutePath().toString()));
        }
        PrintWriter out = spec.commandLine().getOut();
        try (AssayRuntime runtime = common.open(spec.commandLine().getErr());
                SingleStage<TextEncoder> enc = runtime.single(runtime.configure(runtime.userFile(), List.of(), null,
                        Set.of(StageKey.TEXT_ENCODER.key())), StageKey.TEXT_ENCODER, TextEncoder.class)) {
            if (prompt != null) {
                TokenReport r = enc.stage().tokenize(prompt);
                out.println(json ? mapper.writeValueAsString(toJson(r)) : readable(r));
                return ExitCodes.OK;
            }
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            int lineNo = 0;
            for (String line; (line = in.readLine()) != null; ) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node;
                try {
                    node = mapper.readTree(line);
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    spec.commandLine().getErr().println("assay tokenize: stdin line " + lineNo
                            + ": not JSON: " + e.getOriginalMessage());
                    return ExitCodes.CONFIG;
                }
                if (!node.isObject() || !node.path("prompt").isTextual()) {
                    spec.commandLine().getErr().println("assay tokenize: stdin line " + lineNo
                            + ": expected an object with a string \"prompt\", found " + line);
                    return ExitCodes.CONFIG;
                }
                out.println(mapper.writeValueAsString(toJson(enc.stage().tokenize(node.get("prompt").asText()))));
                out.flush();
            }
            return ExitCodes.OK;
        }
    }

    ObjectNode toJson(TokenReport r) {
        ObjectNode o = mapper.createObjectNode();
        o.put("prompt", r.prompt());
        o.put("normalized", r.normalized());
        ArrayNode ids = o.putArray("ids");
        for (int id : r.ids()) {
            ids.add(id);
        }
        ArrayNode tokens = o.putArray("tokens");
        r.tokens().forEach(tokens::add);
        ArrayNode words = o.putArray("words");
        for (TokenReport.Word w : r.words()) {
            ObjectNode wn = words.addObject();
            wn.put("text", w.text());
            ArrayNode pieces = wn.putArray("pieces");
            w.pieces().forEach(pieces::add);
            wn.put("split", w.split());
        }
        ArrayNode dropped = o.putArray("dropped");
        r.dropped().forEach(dropped::add);
        o.put("windows", r.windows());
        o.put("truncated", r.truncated());
        return o;
    }

    static String readable(TokenReport r) {
        StringBuilder b = new StringBuilder();
        b.append("prompt:      ").append(r.prompt()).append('\n');
        if (!r.normalized().equals(r.prompt())) {
            b.append("normalized:  ").append(r.normalized()).append("   (the tokenizer's cleaning changed the text)\n");
        }
        b.append("tokens:      ").append(r.tokens().size()).append(r.windows() > 1 ? " in " + r.windows()
                + " windows" : "").append('\n');
        b.append("words:\n");
        for (TokenReport.Word w : r.words()) {
            b.append("  ").append(w.text()).append(" -> ").append(String.join(" | ", w.pieces()))
                    .append(w.split() ? "   (split into " + w.pieces().size() + " sub-words)" : "").append('\n');
        }
        if (r.truncated()) {
            b.append("dropped:     ").append(r.dropped().size()).append(" tokens beyond the window: ")
                    .append(String.join(" ", r.dropped())).append('\n');
        }
        b.append("ids:         ");
        int shown = 0;
        for (int id : r.ids()) {
            b.append(shown++ == 0 ? "" : " ").append(id);
        }
        return b.append('\n').toString();
    }
}
