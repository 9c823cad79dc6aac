package io.assay.lib.websources;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.assay.sdk.curation.WebRecord;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;

/**
 * Records from dataset directories: {@code manifest.jsonl} (one JSON object per line) next to the image files it
 * names. The manifest is read line by line; each image is loaded when its record is produced.
 *
 * <p>Image paths come from a file anyone may have edited, so a path leaving the dataset directory (through
 * {@code ..}, an absolute path or a symbolic link) is refused rather than followed.
 */
final class ManifestSource extends AbstractRecordSource {

    private final List<Path> dirs;

    ManifestSource(List<Path> dirs) {
        super("manifest", "dataset", dirs);
        this.dirs = dirs;
    }

    @Override
    Iterator<WebRecord> newPass() {
        return new Pass();
    }

    final class Pass extends LazyIterator<WebRecord> {
        private int nextDir;
        private Path dir;
        private BufferedReader lines;
        private long lineNo;

        Pass() {
            super(ManifestSource.this);
        }

        @Override
        WebRecord computeNext() {
            while (true) {
                if (lines == null) {
                    if (nextDir >= dirs.size()) {
                        return null;
                    }
                    dir = dirs.get(nextDir++);
                    lineNo = 0;
                    try {
                        // Malformed bytes become U+FFFD: one bad line must not end the dataset (a strict decoder would throw).
                        lines = new BufferedReader(new InputStreamReader(
                                Files.newInputStream(dir.resolve(SourceFiles.MANIFEST)), StandardCharsets.UTF_8));
                    } catch (IOException e) {
                        return Unreadable.record(SourceFiles.MANIFEST + ":0",
                                "cannot open " + dir.resolve(SourceFiles.MANIFEST) + ": " + Unreadable.describe(e),
                                SourceFiles.MANIFEST);
                    }
                }
                String line;
                try {
                    line = lines.readLine();
                } catch (IOException e) {
                    closeLines();
                    return Unreadable.record(SourceFiles.MANIFEST + ":" + (lineNo + 1),
                            "cannot read the manifest: " + Unreadable.describe(e), SourceFiles.MANIFEST);
                }
                if (line == null) {
                    closeLines();
                    continue;
                }
                lineNo++;
                if (!line.isBlank()) {
                    return parse(line);
                }
            }
        }

        private WebRecord parse(String line) {
            String lineId = SourceFiles.MANIFEST + ":" + lineNo;
            JsonNode node;
            try {
                node = DatasetJson.MAPPER.readTree(line);
            } catch (JsonProcessingException e) {
                return Unreadable.record(lineId, "line " + lineNo + " is not valid JSON: "
                        + Unreadable.describe(e).lines().findFirst().orElse(""), SourceFiles.MANIFEST);
            }
            if (node == null || !node.isObject()) {
                return Unreadable.record(lineId, "line " + lineNo + " is not a JSON object", SourceFiles.MANIFEST);
            }
            DatasetJson.Fields f = DatasetJson.fromJson(node);
            if (f.id() == null || f.id().isEmpty()) {
                return Unreadable.record(lineId, "line " + lineNo + " has no id", SourceFiles.MANIFEST);
            }
            byte[] image = null;
            if (f.image() != null) {
                Path file = inside(f.image());
                if (file == null) {
                    return Unreadable.record(f.id(), "image path escapes the dataset directory", SourceFiles.MANIFEST);
                }
                try {
                    try (var in = Files.newInputStream(file)) {
                        image = Bytes.readAll(in, Bytes.MAX_IMAGE_BYTES, "image file");
                    }
                } catch (NoSuchFileException e) {
                    return Unreadable.record(f.id(), "image file missing: " + f.image(), SourceFiles.MANIFEST);
                } catch (IOException e) {
                    return Unreadable.record(f.id(), "cannot read image " + f.image() + ": " + Unreadable.describe(e),
                            SourceFiles.MANIFEST);
                }
            }
            return new WebRecord(f.id(), f.url(), f.page(), f.caption() == null ? "" : f.caption(), image,
                    f.inboundLinks(), f.metadata());
        }

        /** The image file, or {@code null} if the path leads outside the dataset directory. */
        private Path inside(String relative) {
            Path rel;
            try {
                rel = Path.of(relative);
            } catch (InvalidPathException e) {
                return null;
            }
            if (rel.isAbsolute() || rel.getRoot() != null || relative.startsWith("/") || relative.startsWith("\\")) {
                return null;
            }
            Path base = dir.toAbsolutePath().normalize();
            Path file = base.resolve(rel).normalize();
            if (!file.startsWith(base) || file.equals(base)) {
                return null;
            }
            if (Files.exists(file)) {
                try {
                    if (!file.toRealPath().startsWith(base.toRealPath())) {
                        return null;
                    }
                } catch (IOException e) {
                    return file;
                }
            }
            return file;
        }

        private void closeLines() {
            quietlyClose(lines);
            lines = null;
        }

        @Override
        void release() {
            closeLines();
        }
    }
}
