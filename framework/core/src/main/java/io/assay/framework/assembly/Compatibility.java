package io.assay.framework.assembly;

import io.assay.framework.engine.Pipeline;
import io.assay.framework.settings.ValidatedConfig;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import java.util.ArrayList;
import java.util.List;

/**
 * Typed stage contracts checked when a pipeline is assembled, so an incompatible swap is refused before anything
 * runs, with a message naming both components and the mismatch.
 */
public final class Compatibility {

    private Compatibility() {
    }

    /** Throws {@code INCOMPATIBLE} naming every mismatch between the pipeline's stages. */
    public static void check(Pipeline p, ValidatedConfig v) {
        List<String> problems = new ArrayList<>();
        String den = label(v, "denoiser");
        String ae = label(v, "autoencoder");
        String te = label(v, "text-encoder");
        String sch = label(v, "scheduler");
        if (p.denoiser().latentChannels() != p.autoencoder().latentChannels()) {
            problems.add("latent channels: " + den + " takes " + p.denoiser().latentChannels() + " but " + ae
                    + " produces " + p.autoencoder().latentChannels());
        }
        int cross = p.denoiser().crossAttentionDim();
        if (cross >= 0 && cross != p.textEncoder().hiddenSize()) {
            problems.add("hidden size: " + te + " produces " + p.textEncoder().hiddenSize() + "-wide hidden states but "
                    + den + " cross-attends to width " + cross);
        }
        if (p.scheduler().predictionType() != p.denoiser().predictionType()) {
            problems.add("prediction type: " + den + " predicts " + p.denoiser().predictionType() + " but " + sch
                    + " expects " + p.scheduler().predictionType() + " (set scheduler.prediction-type)");
        }
        if (!problems.isEmpty()) {
            throw new StageException(ErrorCode.INCOMPATIBLE, "the pipeline's components do not fit together:\n  "
                    + String.join("\n  ", problems));
        }
    }

    private static String label(ValidatedConfig v, String stage) {
        ValidatedConfig.Selection s = v.stages().get(stage);
        return stage + " '" + s.canonicalName() + "'";
    }
}
