package io.assay.plugins.curationio;

import io.assay.lib.imagetext.ImageTextScorer;
import io.assay.sdk.Component;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import io.assay.sdk.metrics.SimilarityMetric;
import io.assay.sdk.onnx.OnnxSessions;
import io.assay.sdk.tensor.RgbImage;
import jakarta.inject.Inject;
import java.util.List;
import org.pf4j.Extension;

/**
 * CLIP score: the cosine similarity of an image's and a text's embeddings in one space ({@link ImageTextScorer}): a
 * CLIP export in ONNX with CLIP's own preprocessing, or a model directory whose {@code image_encoder/} maps images into
 * its text encoder's pooled space (the embedded world). What {@code assay compare} reports as prompt–image similarity.
 */
@Extension
@Component(name = "clip-score", description = "Cosine similarity of image and text embeddings (CLIP score)",
        settings = ClipScoreSettings.class)
public final class ClipScore implements SimilarityMetric {

    private final ClipScoreSettings settings;
    private final ImageTextScorer scorer;
    private volatile boolean closed;

    /**
     * Opens the scorer.
     *
     * @throws StageException {@code INVALID_SETTING} without a model directory, {@code MODEL_INVALID} when the
     *     directory holds no image–text model
     */
    @Inject
    public ClipScore(ClipScoreSettings settings, OnnxSessions sessions) {
        this.settings = settings;
        if (settings.modelDir() == null) {
            throw new StageException(ErrorCode.INVALID_SETTING, "Component 'clip-score' needs model-dir (or the "
                    + "pipeline's model.dir)");
        }
        this.scorer = ImageTextScorer.open(settings.modelDir(), sessions);
    }

    @Override
    public double[] scores(List<RgbImage> images, List<String> texts) {
        if (closed) {
            throw new StageException(ErrorCode.CLOSED, "Component 'clip-score' was closed");
        }
        if (images.size() != texts.size()) {
            throw new StageException(ErrorCode.INVALID_INPUT, "Component 'clip-score' scores image–text pairs, but "
                    + "got " + images.size() + " images and " + texts.size() + " texts");
        }
        double[] out = new double[images.size()];
        for (int from = 0; from < out.length; from += settings.batchSize()) {
            int to = Math.min(out.length, from + settings.batchSize());
            double[] s = scorer.scores(images.subList(from, to), texts.subList(from, to));
            System.arraycopy(s, 0, out, from, s.length);
        }
        return out;
    }

    @Override
    public String describe() {
        return scorer.describe();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            scorer.close();
        }
    }
}
