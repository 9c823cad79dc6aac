package io.assay.framework.world;

import io.assay.lib.imagetext.ClipPreprocessor;
import io.assay.lib.websources.RecordSource;
import io.assay.lib.websources.RecordSources;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import io.assay.sdk.curation.Images;
import io.assay.sdk.curation.WebRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;

/** Reads a curated dataset (webdataset shards or a manifest directory) as world training examples. */
final class CuratedDataset {

    private CuratedDataset() {
    }

    /**
     * Every readable record with image bytes, brought to {@code size}×{@code size} (shorter side scaled, centre
     * cropped), with its caption.
     *
     * @throws StageException {@code MODEL_MISSING} when the directory holds no dataset or no usable example
     */
    static List<WorldCompiler.Example> examples(Path dataset, int size) throws IOException {
        String type;
        if (Files.isRegularFile(dataset.resolve("manifest.jsonl"))) {
            type = "manifest";
        } else {
            try (Stream<Path> s = Files.list(dataset)) {
                if (s.noneMatch(p -> p.getFileName().toString().endsWith(".tar"))) {
                    throw new StageException(ErrorCode.MODEL_MISSING, "'" + dataset + "' holds no curated dataset "
                            + "(expected manifest.jsonl or .tar shards, as assay curate writes under kept/)");
                }
            }
            type = "webdataset";
        }
        List<WorldCompiler.Example> out = new ArrayList<>();
        try (RecordSource src = RecordSources.open(type, List.of(dataset), RecordSources.Options.defaults())) {
            for (Iterator<WebRecord> it = src.records(); it.hasNext();) {
                WebRecord r = it.next();
                if (r.metadata().containsKey("unreadable") || !r.hasImage()) {
                    continue;
                }
                try {
                    out.add(new WorldCompiler.Example(ClipPreprocessor.squareCrop(
                            Images.decode(r.image(), Images.DEFAULT_MAX_PIXELS), size), r.caption()));
                } catch (Images.UnreadableImageException e) {
                    // curated datasets hold readable images; anything else is skipped rather than trained on
                }
            }
        }
        if (out.isEmpty()) {
            throw new StageException(ErrorCode.MODEL_MISSING, "'" + dataset + "' holds no readable image examples");
        }
        return out;
    }
}
