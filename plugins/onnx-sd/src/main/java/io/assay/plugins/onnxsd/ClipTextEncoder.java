package io.assay.plugins.onnxsd;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import io.assay.lib.clip.ClipTokenizer;
import io.assay.lib.clip.LongPromptPolicy;
import io.assay.sdk.Component;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageContext;
import io.assay.sdk.StageException;
import io.assay.sdk.diffusion.Conditioning;
import io.assay.sdk.diffusion.TextEncoder;
import io.assay.sdk.diffusion.TokenReport;
import io.assay.sdk.onnx.OnnxModel;
import io.assay.sdk.onnx.OnnxSessions;
import io.assay.sdk.onnx.TensorSpec;
import io.assay.sdk.tensor.Tensor;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pf4j.Extension;

/**
 * The CLIP text encoder of a SD model directory: the CLIP BPE tokenizer ({@code tokenizer/}) and
 * {@code text_encoder/model.onnx} ({@code input_ids} int32 or int64 {@code [B, 77]} → {@code last_hidden_state}
 * {@code [B, 77, D]}, {@code pooler_output} {@code [B, D]}). With {@code long-prompt = chunk}, each 75-token window is
 * encoded separately and the hidden states are concatenated along the sequence axis; the pooled output is the first
 * window's.
 */
@Extension
@Component(name = "clip", description = "CLIP BPE tokenizer + ONNX text encoder (SD 1.x/2.x)",
        settings = ClipSettings.class)
public final class ClipTextEncoder implements TextEncoder {

    static final String NAME = "clip";
    private static final int WINDOW = 77;

    private final StageContext ctx;
    private final ClipTokenizer tokenizer;
    private final OnnxModel model;
    private final LongPromptPolicy policy;
    private final int hiddenSize;
    private final String pooledName;
    private volatile boolean closed;

    /** Loads the tokenizer and opens and validates the model. */
    @Inject
    public ClipTextEncoder(ClipSettings settings, StageContext ctx, OnnxSessions sessions) {
        this.ctx = ctx;
        this.policy = settings.longPrompt().equals("chunk") ? LongPromptPolicy.CHUNK : LongPromptPolicy.TRUNCATE;
        Path dir = settings.modelDir();
        Path tokDir = ModelDir.require(dir, "tokenizer", NAME);
        ModelDir.checkIndex(dir, NAME);
        try {
            this.tokenizer = Tokenizers.of(tokDir);
        } catch (IOException | RuntimeException e) {
            throw new StageException(ErrorCode.MODEL_INVALID, "Component 'clip': cannot load the tokenizer in '"
                    + tokDir + "': " + e.getMessage(), e);
        }
        this.model = sessions.open(ModelDir.require(dir, "text_encoder/model.onnx", NAME), NAME);
        try {
            model.requireInput("input_ids", Set.of(OnnxJavaType.INT32, OnnxJavaType.INT64), Set.of(2));
            TensorSpec hidden = model.requireOutput("last_hidden_state", Set.of(OnnxJavaType.FLOAT,
                    OnnxJavaType.FLOAT16), Set.of(3));
            this.pooledName = model.outputs().containsKey("pooler_output") ? "pooler_output"
                    : model.outputs().containsKey("text_embeds") ? "text_embeds" : null;
            long d = hidden.shape()[2];
            if (d <= 0) {
                throw model.invalid("declares no fixed hidden size in 'last_hidden_state' " + hidden.describe());
            }
            this.hiddenSize = (int) d;
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    @Override
    public TokenReport tokenize(String text) {
        checkOpen();
        return tokenizer.report(text, policy, WINDOW);
    }

    @Override
    public Conditioning encode(List<String> texts) {
        checkOpen();
        if (texts.isEmpty()) {
            throw new StageException(ErrorCode.INVALID_INPUT, "Component 'clip': nothing to encode");
        }
        List<TokenReport> reports = new ArrayList<>();
        int windows = 1;
        for (String t : texts) {
            TokenReport r = tokenizer.report(t, policy, WINDOW);
            reports.add(r);
            windows = Math.max(windows, r.windows());
            if (ctx.trace().enabled()) {
                Map<String, Object> f = new LinkedHashMap<>();
                f.put("prompt", r.prompt());
                f.put("normalized", r.normalized());
                f.put("tokens", r.tokens());
                f.put("split", r.words().stream().filter(TokenReport.Word::split)
                        .map(w -> w.text() + " -> " + String.join(" ", w.pieces())).toList());
                f.put("dropped", r.dropped());
                f.put("windows", r.windows());
                ctx.trace().record("token-report", f);
            }
        }
        int b = texts.size();
        // One model call per window index, all prompts batched; shorter prompts get an empty-prompt window.
        float[] hidden = new float[b * windows * WINDOW * hiddenSize];
        Tensor pooled = null;
        for (int w = 0; w < windows; w++) {
            int[] ids = new int[b * WINDOW];
            for (int i = 0; i < b; i++) {
                int[] all = reports.get(i).ids();
                int[] window = w * WINDOW < all.length ? java.util.Arrays.copyOfRange(all, w * WINDOW, (w + 1) * WINDOW)
                        : emptyWindow();
                System.arraycopy(window, 0, ids, i * WINDOW, WINDOW);
            }
            Map<String, Tensor> out = runModel(ids, b);
            Tensor h = out.get("last_hidden_state");
            float[] hd = h.data();
            int per = WINDOW * hiddenSize;
            for (int i = 0; i < b; i++) {
                System.arraycopy(hd, i * per, hidden, (i * windows + w) * per, per);
            }
            if (w == 0 && pooledName != null) {
                pooled = out.get(pooledName);
            }
        }
        Tensor hs = new Tensor(new long[] {b, (long) windows * WINDOW, hiddenSize}, hidden);
        if (ctx.trace().enabled()) {
            ctx.trace().record("embedding-stats", Map.of("shape", hs.shape(), "mean", hs.mean(), "std", hs.std(),
                    "l2", hs.l2Norm()));
        }
        return new Conditioning(hs, pooled);
    }

    private int[] emptyWindow() {
        return tokenizer.report("", LongPromptPolicy.TRUNCATE, WINDOW).ids();
    }

    private Map<String, Tensor> runModel(int[] ids, int b) {
        Map<String, OnnxTensor> in = new LinkedHashMap<>();
        try {
            in.put("input_ids", model.idsInput("input_ids", ids, new long[] {b, WINDOW}));
        } catch (OrtException e) {
            throw new StageException(ErrorCode.INTERNAL, "Component 'clip': cannot build input_ids: " + e, e);
        }
        Set<String> wanted = pooledName == null ? Set.of("last_hidden_state") : Set.of("last_hidden_state",
                pooledName);
        return model.run(in, wanted);
    }

    @Override
    public int hiddenSize() {
        return hiddenSize;
    }

    @Override
    public int windowLength() {
        return WINDOW;
    }

    private void checkOpen() {
        if (closed) {
            throw new StageException(ErrorCode.CLOSED, "Component 'clip' was closed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            model.close();
        }
    }
}
