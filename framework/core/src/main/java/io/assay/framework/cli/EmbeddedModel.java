package io.assay.framework.cli;

import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import java.nio.file.Path;
import java.util.function.Consumer;

/** Where the embedded default model comes from when no model directory is configured. */
final class EmbeddedModel {

    private EmbeddedModel() {
    }

    static Path ensure(Path cacheRoot, Consumer<String> progress) {
        throw new StageException(ErrorCode.MODEL_MISSING, "no model directory configured (model.dir, --model DIR or "
                + "ASSAY_MODEL_DIR) and this build has no embedded model");
    }
}
