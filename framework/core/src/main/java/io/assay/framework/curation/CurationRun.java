package io.assay.framework.curation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.assay.framework.io.AtomicFiles;
import io.assay.framework.io.PngFiles;
import io.assay.lib.imagetext.ClipPreprocessor;
import io.assay.lib.websources.DatasetWriter;
import io.assay.lib.websources.DatasetWriters;
import io.assay.lib.websources.RecordSource;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import io.assay.sdk.curation.Images;
import io.assay.sdk.curation.ScraperFilter;
import io.assay.sdk.curation.Verdict;
import io.assay.sdk.curation.WebRecord;
import io.assay.sdk.tensor.RgbImage;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;

/**
 * One curation run: source → readability check → filter chain → kept dataset, with every record accounted for.
 * A record ends in exactly one place: the kept dataset, or the ledger ({@code ledger.jsonl}) with the filter and
 * reason that rejected it — {@code unreadable} when the source, the decoder or a filter could not read it — so
 * {@code kept + rejected + unreadable = read}.
 *
 * <p>Resumable: every {@code checkpointEvery} records the writer makes its output durable, the ledger is forced to
 * disk, and {@code checkpoint.json} (written atomically, last) records how many source records are done, the
 * ledger's length, the writer's position, the counts and each filter's state. A run killed at any point restarts
 * from its last checkpoint: later output is truncated away and the source is re-read past the done records.
 */
public final class CurationRun {

    /** A filter in the chain. */
    public record NamedFilter(String name, ScraperFilter filter) {
    }

    /**
     * Run options.
     *
     * @param format kept-dataset format (webdataset or directory)
     * @param shardSize records per webdataset shard
     * @param checkpointEvery records between checkpoints
     * @param maxPixels the decoder's pixel budget
     * @param examplesPerReason examples kept per filter and reason for the report
     * @param configHash the identity of the configuration (a different one refuses to resume)
     */
    public record Options(String format, int shardSize, int checkpointEvery, long maxPixels, int examplesPerReason,
            String configHash) {
    }

    /** One example for the report. */
    public static final class Example {
        /** Record id. */
        public String id;
        /** Caption. */
        public String caption;
        /** Image URL. */
        public String url;
        /** The filter's score. */
        public double score;
        /** A small PNG data URI, or null. */
        public String thumbnail;
    }

    /** What a checkpoint holds (public fields: Jackson). */
    public static final class Checkpoint {
        /** Configuration identity. */
        public String configHash;
        /** Source records fully handled. */
        public long processed;
        /** Ledger bytes covering them. */
        public long ledgerBytes;
        /** The writer's resume position. */
        public Map<String, Object> writer;
        /** Counts so far. */
        public Summary summary;
        /** Each filter's saved state, base64. */
        public Map<String, String> filterStates = new LinkedHashMap<>();
        /** Report examples per "filter / reason" (and "kept"). */
        public Map<String, List<Example>> examples = new LinkedHashMap<>();
        /** Whether the source was exhausted. */
        public boolean complete;
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Opens the kept dataset's writer: fresh ({@code resumeFrom} null) or rolled back to a checkpoint. */
    @FunctionalInterface
    public interface WriterFactory {
        /** Opens the writer over {@code dir}. */
        DatasetWriter open(Path dir, Map<String, Object> resumeFrom) throws IOException;
    }

    private final List<NamedFilter> filters;
    private final Options options;
    private final Path out;
    private final WriterFactory writers;

    /** Creates the run, writing the built-in format {@link Options#format()}. */
    public CurationRun(List<NamedFilter> filters, Options options, Path out) {
        this(filters, options, out, (dir, resume) -> DatasetWriters.open(options.format(), dir, options.shardSize(),
                resume));
    }

    /** Creates the run, writing with {@code writers} (e.g. a {@code curation.writer} component). */
    public CurationRun(List<NamedFilter> filters, Options options, Path out, WriterFactory writers) {
        this.filters = List.copyOf(filters);
        this.options = options;
        this.out = out;
        this.writers = java.util.Objects.requireNonNull(writers, "writers is null");
    }

    /** The checkpoint file of an output directory. */
    public static Path checkpointFile(Path out) {
        return out.resolve("checkpoint.json");
    }

    /**
     * Runs (or resumes) to the end of the source.
     *
     * @param progress called with the number of source records handled so far
     * @param cancelled checked between batches; when it turns true the run checkpoints and stops
     * @return the final checkpoint (complete unless cancelled)
     */
    public Checkpoint run(RecordSource source, LongConsumer progress, BooleanSupplier cancelled) throws IOException {
        Files.createDirectories(out);
        Checkpoint cp = resumePoint();
        boolean resuming = cp != null;
        if (cp == null) {
            cp = new Checkpoint();
            cp.configHash = options.configHash();
            cp.summary = new Summary();
            for (NamedFilter f : filters) {
                cp.summary.filters.put(f.name(), new Summary.FilterCounts());
            }
        }
        if (cp.complete) {
            return cp;
        }
        // The survey pass (link ranks and other whole-source facts) runs again on resume: it is deterministic.
        List<ScraperFilter> surveying = filters.stream().map(NamedFilter::filter).filter(ScraperFilter::needsSurvey)
                .toList();
        if (!surveying.isEmpty()) {
            for (Iterator<WebRecord> it = source.records(); it.hasNext();) {
                WebRecord r = it.next();
                if (!r.metadata().containsKey("unreadable")) {
                    surveying.forEach(f -> f.survey(r));
                }
            }
            surveying.forEach(ScraperFilter::surveyed);
        }
        for (NamedFilter f : filters) {
            String s = cp.filterStates.get(f.name());
            if (s != null) {
                f.filter().restoreState(Base64.getDecoder().decode(s));
            }
        }
        Path ledgerFile = out.resolve("ledger.jsonl");
        if (!resuming) {
            Files.deleteIfExists(ledgerFile);
        }
        int batchSize = Math.max(1, Math.min(1024, filters.stream().mapToInt(f -> f.filter().preferredBatchSize())
                .max().orElse(1)));
        try (FileChannel ledger = FileChannel.open(ledgerFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                DatasetWriter writer = writers.open(out.resolve("kept"), resuming ? cp.writer : null)) {
            ledger.truncate(cp.ledgerBytes);
            ledger.position(cp.ledgerBytes);
            if (!resuming) {
                // A checkpoint before the first record: a run that fails early (a full disk at the first shard)
                // leaves a directory the next run resumes from the start, not one it must be told to discard.
                checkpoint(cp, ledger, writer);
            }
            Iterator<WebRecord> it = source.records();
            long skipped = 0;
            while (skipped < cp.processed && it.hasNext()) {
                it.next();
                skipped++;
            }
            long sinceCheckpoint = 0;
            long t0 = System.nanoTime();
            List<WebRecord> batch = new ArrayList<>(batchSize);
            boolean stopped = false;
            while (it.hasNext() || !batch.isEmpty()) {
                if (it.hasNext()) {
                    batch.add(it.next());
                    if (batch.size() < batchSize && it.hasNext()) {
                        continue;
                    }
                }
                handle(batch, cp, ledger, writer);
                cp.processed += batch.size();
                sinceCheckpoint += batch.size();
                batch.clear();
                progress.accept(cp.processed);
                if (sinceCheckpoint >= options.checkpointEvery() || cancelled.getAsBoolean()) {
                    cp.summary.seconds += (System.nanoTime() - t0) / 1e9;
                    t0 = System.nanoTime();
                    checkpoint(cp, ledger, writer);
                    sinceCheckpoint = 0;
                    if (cancelled.getAsBoolean()) {
                        stopped = true;
                        break;
                    }
                }
            }
            cp.summary.seconds += (System.nanoTime() - t0) / 1e9;
            cp.complete = !stopped;
            checkpoint(cp, ledger, writer);
        }
        return cp;
    }

    private Checkpoint resumePoint() throws IOException {
        Path f = checkpointFile(out);
        if (!Files.isRegularFile(f)) {
            if (Files.exists(out.resolve("ledger.jsonl")) || Files.exists(out.resolve("kept"))) {
                throw new StageException(ErrorCode.INVALID_INPUT, "'" + out + "' holds curation output without a "
                        + "checkpoint; choose another --out or pass --fresh to start over");
            }
            return null;
        }
        Checkpoint cp = JSON.readValue(f.toFile(), Checkpoint.class);
        if (!options.configHash().equals(cp.configHash)) {
            throw new StageException(ErrorCode.INVALID_INPUT, "'" + out + "' holds a run of a different "
                    + "configuration (checkpoint " + cp.configHash + ", now " + options.configHash() + "); choose "
                    + "another --out or pass --fresh to start over");
        }
        return cp;
    }

    private void checkpoint(Checkpoint cp, FileChannel ledger, DatasetWriter writer) throws IOException {
        cp.writer = writer.checkpoint();
        ledger.force(false);
        cp.ledgerBytes = ledger.position();
        cp.filterStates.clear();
        for (NamedFilter f : filters) {
            byte[] s = f.filter().saveState();
            if (s.length > 0) {
                cp.filterStates.put(f.name(), Base64.getEncoder().encodeToString(s));
            }
        }
        AtomicFiles.write(checkpointFile(out), JSON.writeValueAsBytes(cp));
    }

    /** Judges one batch and writes every record's fate. */
    private void handle(List<WebRecord> batch, Checkpoint cp, FileChannel ledger, DatasetWriter writer)
            throws IOException {
        Summary sum = cp.summary;
        int n = batch.size();
        String[] fateFilter = new String[n];
        Verdict[] fate = new Verdict[n];
        List<Map<String, Object>> scores = new ArrayList<>(n);
        List<Integer> alive = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            scores.add(new LinkedHashMap<>());
            WebRecord r = batch.get(i);
            sum.read++;
            String why = unreadable(r);
            if (why != null) {
                fateFilter[i] = "(reader)";
                fate[i] = Verdict.reject(Verdict.UNREADABLE, Double.NaN);
                sum.unreadableReasons.merge(why, 1L, Long::sum);
            } else {
                alive.add(i);
            }
        }
        for (NamedFilter f : filters) {
            if (alive.isEmpty()) {
                break;
            }
            List<WebRecord> in = new ArrayList<>(alive.size());
            alive.forEach(i -> in.add(batch.get(i)));
            long t = System.nanoTime();
            List<Verdict> vs;
            try {
                vs = f.filter().judgeAll(in);
            } catch (RuntimeException e) {
                throw new StageException(ErrorCode.INTERNAL, "filter '" + f.name() + "' failed on a batch starting "
                        + "at record '" + in.get(0).id() + "': " + e.getMessage(), e);
            }
            Summary.FilterCounts fc = sum.filters.get(f.name());
            fc.seconds += (System.nanoTime() - t) / 1e9;
            if (vs.size() != in.size()) {
                throw new StageException(ErrorCode.INTERNAL, "filter '" + f.name() + "' returned " + vs.size()
                        + " verdicts for " + in.size() + " records");
            }
            List<Integer> next = new ArrayList<>();
            for (int k = 0; k < vs.size(); k++) {
                int i = alive.get(k);
                Verdict v = vs.get(k);
                WebRecord r = batch.get(i);
                String kind = r.metadata().get("kind");
                fc.judged++;
                fc.scores.add(v.score());
                if (kind != null) {
                    fc.judgedByKind.merge(kind, 1L, Long::sum);
                }
                if (!Double.isNaN(v.score())) {
                    scores.get(i).put(f.name(), v.score());
                }
                if (v.kept()) {
                    next.add(i);
                    continue;
                }
                fateFilter[i] = f.name();
                fate[i] = v;
                if (v.reason().equals(Verdict.UNREADABLE)) {
                    sum.unreadableReasons.merge("unreadable in " + f.name(), 1L, Long::sum);
                } else {
                    fc.rejected++;
                    fc.reasons.merge(v.reason(), 1L, Long::sum);
                    if (kind != null) {
                        fc.rejectedByKind.merge(kind, 1L, Long::sum);
                    }
                }
                example(cp, f.name() + " / " + v.reason(), r, v.score());
            }
            alive = next;
        }
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < n; i++) {
            WebRecord r = batch.get(i);
            boolean keptIt = fate[i] == null;
            if (keptIt) {
                sum.kept++;
                Map<String, Object> extra = new LinkedHashMap<>();
                extra.put("scores", scores.get(i));
                writer.write(r, extra);
                if (cp.examples.getOrDefault("kept", List.of()).size() < options.examplesPerReason()) {
                    example(cp, "kept", r, Double.NaN);
                }
            } else {
                if (fate[i].reason().equals(Verdict.UNREADABLE)) {
                    sum.unreadable++;
                } else {
                    sum.rejected++;
                }
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("id", r.id());
                line.put("url", r.imageUrl());
                line.put("page", r.pageUrl());
                line.put("caption", r.caption());
                line.put("filter", fateFilter[i]);
                line.put("reason", fate[i].reason());
                line.put("score", Double.isNaN(fate[i].score()) ? null : fate[i].score());
                for (String key : List.of("language", "kind")) {
                    if (r.metadata().containsKey(key)) {
                        line.put(key, r.metadata().get(key)); // ground truth, when the source has it, for audits
                    }
                }
                if (fateFilter[i].equals("(reader)")) {
                    line.put("detail", unreadable(r));
                }
                lines.append(json(line)).append('\n');
            }
            String language = r.metadata().getOrDefault("language", r.metadata().get("pageLanguage"));
            sum.count(sum.languages, language, keptIt, 1000);
            sum.count(sum.domains, domain(r), keptIt, Summary.MAX_DOMAINS);
            if (r.metadata().containsKey("kind")) {
                sum.count(sum.kinds, r.metadata().get("kind"), keptIt, 1000);
            }
        }
        ByteBuffer buf = ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8));
        while (buf.hasRemaining()) {
            ledger.write(buf);
        }
    }

    private static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Why the host cannot hand the record to filters, or null: source problems, bad captions, broken images. */
    private String unreadable(WebRecord r) {
        String s = r.metadata().get("unreadable");
        if (s != null) {
            return s;
        }
        if (r.caption().indexOf('\uFFFD') >= 0) {
            return "caption has undecodable characters";
        }
        if (r.hasImage()) {
            try {
                Images.decode(r.image(), options.maxPixels());
            } catch (Images.UnreadableImageException e) {
                return e.getMessage();
            }
        }
        return null;
    }

    private static String domain(WebRecord r) {
        return domain(r.pageUrl(), r.imageUrl());
    }

    /** The domain a record is counted under: its page's host, else its image's, else "unknown". Every engine's rule. */
    public static String domain(String pageUrl, String imageUrl) {
        String u = pageUrl != null ? pageUrl : imageUrl;
        if (u == null) {
            return "unknown";
        }
        try {
            String host = URI.create(u.trim()).getHost();
            return host == null ? "unknown" : host.toLowerCase(java.util.Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return "unknown";
        }
    }

    private void example(Checkpoint cp, String key, WebRecord r, double score) {
        List<Example> list = cp.examples.computeIfAbsent(key, k -> new ArrayList<>());
        if (list.size() >= options.examplesPerReason()) {
            return;
        }
        Example e = new Example();
        e.id = r.id();
        e.caption = r.caption();
        e.url = r.imageUrl();
        e.score = score;
        if (r.hasImage()) {
            try {
                RgbImage img = Images.decode(r.image(), options.maxPixels());
                e.thumbnail = PngFiles.dataUri(ClipPreprocessor.squareCrop(img, 64));
            } catch (Images.UnreadableImageException | IOException ignored) {
                // an unreadable example is shown without a picture
            }
        }
        list.add(e);
    }

    /** Writes {@code summary.json} and {@code report.html} from a checkpoint. */
    public static void writeReports(Checkpoint cp, Path out, Map<String, Object> about) throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        Summary s = cp.summary;
        root.put("read", s.read);
        root.put("kept", s.kept);
        root.put("rejected", s.rejected);
        root.put("unreadable", s.unreadable);
        root.put("complete", cp.complete);
        root.putAll(about);
        root.put("seconds", s.seconds);
        root.put("recordsPerSecond", s.seconds > 0 ? s.read / s.seconds : null);
        s.filters.values().forEach(f -> f.scores.finish());
        root.put("filters", s.filters);
        root.put("unreadableReasons", s.unreadableReasons);
        root.put("languages", table(s.languages));
        root.put("domains", table(s.domains));
        if (!s.kinds.isEmpty()) {
            root.put("kinds", table(s.kinds));
        }
        byte[] json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(root);
        AtomicFiles.write(out.resolve("summary.json"), json);
        AtomicFiles.writeString(out.resolve("report.html"), CurationReport.html(root, cp.examples));
    }

    private static Map<String, Map<String, Long>> table(Map<String, long[]> m) {
        Map<String, Map<String, Long>> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, Map.of("read", v[0], "kept", v[1])));
        return out;
    }
}
