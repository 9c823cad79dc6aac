package io.assay.sdk.testkit.contract;

import static io.assay.sdk.testkit.contract.Checks.check;
import static io.assay.sdk.testkit.contract.Checks.describe;

import io.assay.sdk.ErrorCode;
import io.assay.sdk.curation.Images;
import io.assay.sdk.metrics.SimilarityMetric;
import io.assay.sdk.tensor.RgbImage;
import io.assay.sdk.testkit.WebRecords;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The {@link SimilarityMetric} contract (since SDK 1.1): one finite score per image–text pair, deterministic, each pair
 * scored as if alone (batching does not change a score), inputs untouched, lists of different lengths refused with
 * {@code INVALID_INPUT}, empty lists scored as empty, {@code describe()} one line.
 */
public interface SimilarityMetricContract extends StageContract<SimilarityMetric> {

    /** The images scored: four generated pictures by default. */
    default List<RgbImage> images() {
        List<RgbImage> out = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            try {
                out.add(Images.decode(WebRecords.png(64 + 16 * i, 64, 100 + i), Images.DEFAULT_MAX_PIXELS));
            } catch (Images.UnreadableImageException e) {
                throw new IllegalStateException("a generated PNG did not decode", e);
            }
        }
        return out;
    }

    /** The texts, one per image. */
    default List<String> texts() {
        return List.of("a red circle on a blue background", "two cups of coffee", "a green square", "");
    }

    /** Tolerance for a pair's score alone vs in a batch. */
    default double tolerance() {
        return 1e-5;
    }

    @Override
    default void use(SimilarityMetric stage) {
        stage.scores(images().subList(0, 1), texts().subList(0, 1));
    }

    /** One finite score per pair; the same scores again; each pair scores as when alone; inputs untouched. */
    @Test
    default void scoresArePerPairFiniteDeterministicAndIndependent() {
        try (SimilarityMetric metric = create()) {
            String who = describe(metric);
            List<RgbImage> images = images();
            List<String> texts = texts();
            List<byte[]> before = images.stream().map(RgbImage::rgb).map(byte[]::clone).toList();
            double[] s = metric.scores(images, texts);
            check(s != null && s.length == images.size(), who + ": expected " + images.size() + " scores, but got "
                    + (s == null ? "null" : s.length));
            for (int i = 0; i < s.length; i++) {
                check(Double.isFinite(s[i]), who + ": expected finite scores, but pair " + i + " scored " + s[i]);
                double alone = metric.scores(List.of(images.get(i)), List.of(texts.get(i)))[0];
                check(Math.abs(alone - s[i]) <= tolerance(), who + ": expected pair " + i + " to score the same alone ("
                        + alone + ") as in a batch (" + s[i] + ")");
                check(Arrays.equals(before.get(i), images.get(i).rgb()), who + ": modified image " + i);
            }
            check(Arrays.equals(s, metric.scores(images, texts)), who + ": expected the same scores for the same "
                    + "pairs, but a second call differs");
        }
    }

    /** Lists of different lengths are refused with {@code INVALID_INPUT}; empty lists give no scores. */
    @Test
    default void mismatchedListsAreRefusedAndEmptyOnesScoreNothing() {
        try (SimilarityMetric metric = create()) {
            String who = describe(metric);
            Checks.refused(who, "scores(2 images, 1 text)", ErrorCode.INVALID_INPUT,
                    () -> metric.scores(images().subList(0, 2), texts().subList(0, 1)));
            double[] none = metric.scores(List.of(), List.of());
            check(none != null && none.length == 0, who + ": expected no scores for no pairs, but got "
                    + Arrays.toString(none));
        }
    }

    /** {@code describe()} is one non-blank line. */
    @Test
    default void describeIsOneLine() {
        try (SimilarityMetric metric = create()) {
            String d = metric.describe();
            check(d != null && !d.isBlank() && d.lines().count() == 1, describe(metric) + ": expected describe() to "
                    + "be one non-blank line, but it is '" + d + "'");
        }
    }
}
