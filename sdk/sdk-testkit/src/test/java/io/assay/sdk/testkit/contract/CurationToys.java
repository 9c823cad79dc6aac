package io.assay.sdk.testkit.contract;

import io.assay.sdk.Component;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import io.assay.sdk.curation.DatasetWriter;
import io.assay.sdk.curation.RecordSource;
import io.assay.sdk.curation.WebRecord;
import io.assay.sdk.metrics.SimilarityMetric;
import io.assay.sdk.tensor.RgbImage;
import io.assay.sdk.testkit.WebRecords;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.pf4j.Extension;

/** Correct toy stages of the SDK 1.1 curation and metric interfaces, for the kit's own tests. */
public final class CurationToys {

    private CurationToys() {
    }

    static StageException closed(String name) {
        return new StageException(ErrorCode.CLOSED, "Component '" + name + "' was closed");
    }

    /** The sample records, and (damaged) an entry it cannot read in the middle. */
    @Extension
    @Component(name = "toy-source", description = "A toy record source for the kit's own tests")
    public static class ToySource implements RecordSource {
        final boolean damaged;
        volatile boolean closed;

        /** The undamaged source. */
        public ToySource() {
            this(false);
        }

        ToySource(boolean damaged) {
            this.damaged = damaged;
        }

        List<WebRecord> records0() {
            List<WebRecord> out = new ArrayList<>(WebRecords.sample());
            if (damaged) {
                out.add(5, new WebRecord("entry-5", null, null, "", null, -1, Map.of(UNREADABLE, "bad gzip member")));
            }
            return out;
        }

        @Override
        public Iterator<WebRecord> records() {
            if (closed) {
                throw closed("toy-source");
            }
            return records0().iterator();
        }

        @Override
        public String describe() {
            return "toy: " + records0().size() + " records";
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /**
     * Writes record {@code n} as {@code n.id}, {@code n.txt} and {@code n.img} (the id last, so a record is complete
     * when its id exists); a checkpoint is the count, and resuming deletes every record from it on.
     */
    @Extension
    @Component(name = "toy-writer", description = "A toy dataset writer for the kit's own tests")
    public static class ToyWriter implements DatasetWriter {
        volatile boolean closed;

        @Override
        public Output open(Path directory, Map<String, Object> resumeFrom) throws IOException {
            if (closed) {
                throw closed("toy-writer");
            }
            long start = 0;
            if (resumeFrom == null) {
                if (Files.isDirectory(directory)) {
                    try (Stream<Path> s = Files.list(directory)) {
                        if (s.findAny().isPresent()) {
                            throw new IOException("'" + directory + "' is not empty");
                        }
                    }
                }
            } else {
                start = ((Number) resumeFrom.get("count")).longValue();
                try (Stream<Path> s = Files.list(directory)) {
                    for (Path p : s.toList()) {
                        if (Long.parseLong(p.getFileName().toString().replaceFirst("\\..*$", "")) >= start) {
                            Files.delete(p);
                        }
                    }
                }
            }
            Files.createDirectories(directory);
            long first = start;
            return new Output() {
                long n = first;

                @Override
                public void write(WebRecord r, Map<String, Object> extra) throws IOException {
                    Files.write(directory.resolve(n + ".img"), r.image());
                    Files.writeString(directory.resolve(n + ".txt"), r.caption());
                    Files.writeString(directory.resolve(n + ".id"), r.id());
                    n++;
                }

                @Override
                public Map<String, Object> checkpoint() {
                    return Map.of("count", n);
                }

                @Override
                public long written() {
                    return n;
                }

                @Override
                public void close() {
                }
            };
        }

        @Override
        public String readBy() {
            return "toy-reader";
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /** Reads what {@link ToyWriter} wrote. */
    static RecordSource reader(Path dir) {
        return new ToySource() {
            @Override
            List<WebRecord> records0() {
                List<WebRecord> out = new ArrayList<>();
                try {
                    for (long n = 0; Files.exists(dir.resolve(n + ".id")); n++) {
                        out.add(WebRecords.record(Files.readString(dir.resolve(n + ".id")),
                                Files.readString(dir.resolve(n + ".txt"), StandardCharsets.UTF_8),
                                Files.readAllBytes(dir.resolve(n + ".img"))));
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                return out;
            }
        };
    }

    /** The mean brightness of the image minus one hundredth of the text's length. */
    @Extension
    @Component(name = "toy-metric", description = "A toy similarity metric for the kit's own tests")
    public static class ToyMetric implements SimilarityMetric {
        volatile boolean closed;

        @Override
        public double[] scores(List<RgbImage> images, List<String> texts) {
            if (closed) {
                throw closed("toy-metric");
            }
            if (images.size() != texts.size()) {
                throw new StageException(ErrorCode.INVALID_INPUT, images.size() + " images but " + texts.size()
                        + " texts");
            }
            double[] out = new double[images.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = score(images.get(i), texts.get(i));
            }
            return out;
        }

        double score(RgbImage image, String text) {
            double sum = 0;
            for (byte b : image.rgb()) {
                sum += b & 0xFF;
            }
            return sum / image.rgb().length / 255 - text.length() / 100.0;
        }

        @Override
        public String describe() {
            return "toy metric: brightness − length/100";
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
