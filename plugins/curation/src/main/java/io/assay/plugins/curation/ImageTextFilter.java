package io.assay.plugins.curation;

import io.assay.lib.imagetext.ImageTextScorer;
import io.assay.sdk.Component;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import io.assay.sdk.curation.Images;
import io.assay.sdk.curation.ScraperFilter;
import io.assay.sdk.curation.Verdict;
import io.assay.sdk.curation.WebRecord;
import io.assay.sdk.onnx.OnnxSessions;
import io.assay.sdk.tensor.RgbImage;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import org.pf4j.Extension;

/**
 * LAION-style CLIP-score filtering: embeds the image and its alt text in one space and keeps the pair when their
 * cosine similarity reaches {@code threshold} (reason {@code low-similarity}; score: the similarity). Scores a batch
 * per model call. The scorer is the embedded world's closed-form image encoder or a user-supplied CLIP ONNX export
 * ({@link ImageTextScorer#open}).
 */
@Extension
@Component(name = "image-text", description = "Image–alt-text similarity threshold (CLIP score)",
        settings = ImageTextSettings.class)
public final class ImageTextFilter implements ScraperFilter {

    private final ImageTextSettings settings;
    private final ImageTextScorer scorer;
    private volatile boolean closed;

    /** Opens the scorer. */
    @Inject
    public ImageTextFilter(ImageTextSettings settings, OnnxSessions sessions) {
        this.settings = settings;
        if (settings.modelDir() == null) {
            throw new StageException(ErrorCode.INVALID_INPUT, "Component 'image-text' needs model-dir (or model.dir)");
        }
        this.scorer = ImageTextScorer.open(settings.modelDir(), sessions);
    }

    @Override
    public Verdict judge(WebRecord record) {
        return judgeAll(List.of(record)).get(0);
    }

    @Override
    public List<Verdict> judgeAll(List<WebRecord> records) {
        if (closed) {
            throw new StageException(ErrorCode.CLOSED, "Component 'image-text' was closed");
        }
        Verdict[] out = new Verdict[records.size()];
        List<Integer> at = new ArrayList<>();
        List<RgbImage> images = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            WebRecord r = records.get(i);
            if (!r.hasImage()) {
                out[i] = settings.withoutImage().equals("keep") ? Verdict.keep(Double.NaN)
                        : Verdict.reject("no-image", Double.NaN);
                continue;
            }
            try {
                images.add(Images.decode(r.image(), settings.maxPixels()));
            } catch (Images.UnreadableImageException e) {
                out[i] = Verdict.reject(Verdict.UNREADABLE, Double.NaN);
                continue;
            }
            texts.add(r.caption());
            at.add(i);
        }
        for (int from = 0; from < images.size(); from += settings.batchSize()) {
            int to = Math.min(images.size(), from + settings.batchSize());
            double[] s = scorer.scores(images.subList(from, to), texts.subList(from, to));
            for (int k = 0; k < s.length; k++) {
                out[at.get(from + k)] = s[k] >= settings.threshold() ? Verdict.keep(s[k])
                        : Verdict.reject("low-similarity", s[k]);
            }
        }
        return List.of(out);
    }

    @Override
    public int preferredBatchSize() {
        return settings.batchSize();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            scorer.close();
        }
    }
}
