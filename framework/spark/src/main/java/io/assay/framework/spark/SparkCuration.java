package io.assay.framework.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.assay.framework.curation.CurationPlan;
import io.assay.framework.curation.CurationRun;
import io.assay.framework.curation.Summary;
import io.assay.framework.engines.ScaleEngine;
import io.assay.framework.io.FileTrees;
import io.assay.framework.io.OutLock;
import io.assay.framework.io.PngFiles;
import io.assay.framework.runtime.AssayRuntime;
import io.assay.lib.imagetext.ClipPreprocessor;
import io.assay.lib.websources.DatasetWriter;
import io.assay.lib.websources.DatasetWriters;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import io.assay.sdk.curation.Images;
import io.assay.sdk.curation.KeyedFilter;
import io.assay.sdk.curation.ScraperFilter;
import io.assay.sdk.curation.WebRecord;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.spark.Partitioner;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;
import scala.Tuple2;

/**
 * {@code assay curate CONFIG --engine spark}: the local engine's curation, spread over Spark tasks with the same
 * result.
 *
 * <ol>
 * <li>One task per part of the source (a WARC/WAT file; 200 procedural records), records streamed.</li>
 * <li>The survey pass (link-rank's inbound-link counts) is an aggregation: one (page, first link count) per
 * distinct page, reduced by page across tasks, fed to the filter on the driver; its state goes to every task.</li>
 * <li>Filters before the keyed one (near-duplicate) run in the part's task, which also computes the keyed filter's
 * keys (hash bands). Records are shuffled by key and grouped into components (records sharing a key, transitively:
 * label propagation); a task judges whole components in source order, so the verdicts and scores are the ones a
 * single instance gives over the whole source. The filters after it run in the same task.</li>
 * <li>Outputs: each part's kept shards and ledger are written by its task into an attempt directory under
 * {@code _temporary/}; the driver moves exactly one successful attempt per part into place (a retried task never
 * duplicates or loses records) and then removes {@code _temporary/}. {@code metadata/} is Parquet written with
 * Spark's own commit protocol. {@code summary.json} and {@code report.html} are counted on the driver from the
 * records in source order, with the local engine's rules.</li>
 * </ol>
 */
final class SparkCuration {

    /** Spark setting for the fault test: fail part 0's first attempt half-way through writing. */
    static final String FAIL_FIRST_ATTEMPT = "spark.assay.test.failFirstAttempt";

    private static final ObjectMapper JSON = new ObjectMapper();

    private SparkCuration() {
    }

    /** Puts records of part p in partition p. */
    static final class ByPart extends Partitioner {
        private static final long serialVersionUID = 1L;
        private final int parts;

        ByPart(int parts) {
            this.parts = parts;
        }

        @Override
        public int numPartitions() {
            return parts;
        }

        @Override
        public int getPartition(Object key) {
            return (int) (((Long) key) >>> 32);
        }
    }

    /** What one write task left in its attempt directory. */
    record Written(int part, String dir) implements Serializable {
    }

    static int run(ScaleEngine.Job job, boolean fresh) throws Exception {
        JobSpec spec = JobSpec.of(job.configFile(), job.sets(), job.pluginsDir());
        Path dir = job.out();
        try (AssayRuntime rt = AssayRuntime.open(spec.config(), spec.sets(), spec.plugins(), false,
                msg -> job.stderr().println("assay: " + msg))) {
            Executors.register(spec, rt);
            try {
                Executors.Curation cur = Executors.curation(spec);
                CurationPlan plan = cur.plan();
                if (!plan.settings().format().equals("webdataset")) {
                    throw new StageException(ErrorCode.INVALID_INPUT, "the spark engine writes webdataset shards; "
                            + "curation.format is '" + plan.settings().format() + "' in " + rt.userFile());
                }
                Files.createDirectories(dir);
                try (OutLock lock = OutLock.acquire(dir, "curate")) {
                    prepare(dir, fresh);
                    return new SparkCuration.Driver(job, spec, cur, dir).run();
                }
            } finally {
                Executors.forget(spec);
            }
        }
    }

    private static void prepare(Path dir, boolean fresh) throws IOException {
        List<String> outputs = List.of("checkpoint.json", "ledger.jsonl", "summary.json", "report.html", "kept",
                "metadata", "_temporary");
        if (fresh) {
            for (String name : outputs) {
                FileTrees.delete(dir.resolve(name));
            }
            return;
        }
        for (String name : outputs) {
            if (Files.exists(dir.resolve(name))) {
                throw new StageException(ErrorCode.INVALID_INPUT, "'" + dir + "' holds curation output ("
                        + name + "); the spark engine does not resume: choose another --out or pass --fresh");
            }
        }
    }

    /** The driver's side of one run. */
    private static final class Driver {
        private final ScaleEngine.Job job;
        private final JobSpec spec;
        private final Executors.Curation cur;
        private final Path dir;

        Driver(ScaleEngine.Job job, JobSpec spec, Executors.Curation cur, Path dir) {
            this.job = job;
            this.spec = spec;
            this.cur = cur;
            this.dir = dir;
        }

        int run() throws Exception {
            CurationPlan plan = cur.plan();
            List<String> labels = plan.filters().stream().map(CurationPlan.Filter::label).toList();
            HashMap<String, byte[]> states = new HashMap<>();
            int keyed;
            List<Integer> surveying = new ArrayList<>();
            long tc = System.nanoTime();
            try (Chain probe = new Chain(cur.runtime(), plan, Map.of())) {
                job.stderr().printf("curate: the filter chain was created in %.1f s%n", (System.nanoTime() - tc) / 1e9);
                List<ScraperFilter> fs = new ArrayList<>();
                for (int i = 0; i < probe.size(); i++) {
                    fs.add(probe.filter(i));
                    if (probe.filter(i).needsSurvey()) {
                        surveying.add(i);
                    }
                }
                keyed = Chain.keyedIndex(fs, labels);
            }
            int parts = cur.source().partitions();
            SparkSession spark = SparkEngine.session(job, "assay curate " + job.configFile().getFileName());
            try {
                JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
                JavaRDD<Integer> partIds = jsc.parallelize(IntStream.range(0, parts).boxed().toList(), parts);
                long t0 = System.nanoTime();
                if (!surveying.isEmpty()) {
                    survey(partIds, surveying, states, plan);
                }
                List<LongAccumulator> nanos = new ArrayList<>();
                for (String l : labels) {
                    nanos.add(jsc.sc().longAccumulator("nanos " + l));
                }
                JavaRDD<Rec> all = judge(jsc, partIds, states, keyed, labels.size(), parts, nanos);
                JavaPairRDD<Long, Rec> sorted = all.mapToPair(r -> new Tuple2<>(r.order, r))
                        .repartitionAndSortWithinPartitions(new ByPart(parts));
                sorted.persist(StorageLevel.MEMORY_AND_DISK_SER());
                String failKey = spark.sparkContext().getConf().get(FAIL_FIRST_ATTEMPT, "false");
                boolean fail = Boolean.parseBoolean(failKey);
                int shardSize = plan.settings().shardSize();
                String out = dir.toAbsolutePath().toString();
                List<Written> written = sorted.mapPartitionsWithIndex((idx, it) -> List.of(
                        write(out, idx, it, shardSize, labels, fail)).iterator(), false).collect();
                double judged = (System.nanoTime() - t0) / 1e9;
                commit(written);
                writeMetadata(spark, sorted, labels);
                double withMetadata = (System.nanoTime() - t0) / 1e9;
                CurationRun.Checkpoint cp = summarize(sorted, labels, plan);
                double seconds = (System.nanoTime() - t0) / 1e9;
                job.stderr().printf("curate: spark phases: survey, judging and writing shards %.1f s; Parquet "
                        + "metadata %.1f s; summary %.1f s%n", judged, withMetadata - judged, seconds - withMetadata);
                cp.summary.seconds = seconds;
                for (int i = 0; i < labels.size(); i++) {
                    cp.summary.filters.get(labels.get(i)).seconds = nanos.get(i).value() / 1e9;
                }
                sorted.unpersist(false);
                Map<String, Object> about = new LinkedHashMap<>();
                about.put("source", cur.source().describe());
                about.put("chain", labels);
                about.put("configHash", plan.hash());
                about.put("keptDataset", dir.resolve("kept").toString());
                about.put("format", plan.settings().format());
                about.put("engine", "spark");
                about.put("master", job.master());
                about.put("tasks", parts);
                CurationRun.writeReports(cp, dir, about);
                Summary s = cp.summary;
                job.stdout().printf("read %d, kept %d, rejected %d, unreadable %d (spark, %d tasks, %.1f s)%n",
                        s.read, s.kept, s.rejected, s.unreadable, parts, seconds);
                job.stdout().println(dir.resolve("summary.json"));
                job.stdout().println(dir.resolve("report.html"));
                job.stdout().flush();
                return 0;
            } finally {
                spark.stop();
            }
        }

        /** link-rank's pass: one (page, first inbound-link count) per distinct page, reduced across tasks. */
        private void survey(JavaRDD<Integer> partIds, List<Integer> surveying, Map<String, byte[]> states,
                CurationPlan plan) {
            JobSpec sp = spec;
            List<Tuple2<String, long[]>> pages = new ArrayList<>(partIds.flatMapToPair(p -> {
                Executors.Curation c = Executors.curation(sp);
                List<Tuple2<String, long[]>> out = new ArrayList<>();
                Iterator<WebRecord> it = c.source().records(p);
                long i = 0;
                while (it.hasNext()) {
                    WebRecord r = it.next();
                    long order = Rec.order(p, i++);
                    if (!r.metadata().containsKey("unreadable") && r.inboundLinks() >= 0) {
                        out.add(new Tuple2<>(r.pageUrl() == null ? r.id() : r.pageUrl(),
                                new long[] {order, r.inboundLinks()}));
                    }
                }
                return out.iterator();
            }).reduceByKey((a, b) -> a[0] <= b[0] ? a : b).collect());
            pages.sort(Comparator.comparingLong(t -> t._2()[0]));
            try (Chain ch = new Chain(cur.runtime(), plan, Map.of())) {
                for (int i : surveying) {
                    ScraperFilter f = ch.filter(i);
                    for (Tuple2<String, long[]> t : pages) {
                        f.survey(new WebRecord(t._1(), null, t._1(), "", null, t._2()[1], Map.of()));
                    }
                    f.surveyed();
                    states.put(plan.filters().get(i).label(), f.saveState());
                }
            }
        }

        /** Every record's fate. */
        private JavaRDD<Rec> judge(JavaSparkContext jsc, JavaRDD<Integer> partIds, HashMap<String, byte[]> states,
                int keyed, int filters, int parts, List<LongAccumulator> nanos) {
            JobSpec sp = spec;
            int upTo = keyed < 0 ? filters : keyed;
            JavaRDD<Rec> pre = partIds.flatMap(p -> readPart(sp, states, p, upTo, keyed, filters, nanos));
            if (keyed < 0) {
                return pre;
            }
            pre.persist(StorageLevel.MEMORY_AND_DISK_SER());
            JavaRDD<Rec> alive = pre.filter(Rec::alive);
            JavaRDD<Rec> ended = pre.filter(r -> !r.alive());
            JavaPairRDD<Long, Long> orderKey = alive.flatMapToPair(r -> {
                List<Tuple2<Long, Long>> out = new ArrayList<>(r.keys.length);
                for (long k : r.keys) {
                    out.add(new Tuple2<>(r.order, k));
                }
                return out.iterator();
            });
            orderKey.persist(StorageLevel.MEMORY_AND_DISK());
            JavaPairRDD<Long, Long> label = alive.mapToPair(r -> new Tuple2<>(r.order, r.order));
            label.persist(StorageLevel.MEMORY_AND_DISK());
            // Components of "shares a key", by label propagation: each record takes the smallest label among the
            // records it shares a key with, until nothing changes.
            for (int round = 0; ; round++) {
                JavaPairRDD<Long, Long> keyLabel = orderKey.join(label)
                        .mapToPair(t -> new Tuple2<>(t._2()._1(), t._2()._2())).reduceByKey(Math::min);
                JavaPairRDD<Long, Long> next = orderKey.mapToPair(t -> new Tuple2<>(t._2(), t._1())).join(keyLabel)
                        .mapToPair(t -> new Tuple2<>(t._2()._1(), t._2()._2())).union(label)
                        .reduceByKey(Math::min);
                next.persist(StorageLevel.MEMORY_AND_DISK());
                long changed = next.join(label).filter(t -> !t._2()._1().equals(t._2()._2())).count();
                label.unpersist(false);
                label = next;
                if (changed == 0) {
                    System.err.printf("curate: near-duplicate components settled after %d rounds%n", round + 1);
                    break;
                }
                if (round > 10_000) {
                    throw new IllegalStateException("near-duplicate components did not settle");
                }
            }
            JavaRDD<Rec> judged = alive.mapToPair(r -> new Tuple2<>(r.order, r)).join(label)
                    .mapToPair(t -> new Tuple2<>(t._2()._2(), t._2()._1())).groupByKey(parts)
                    .mapPartitions(it -> {
                        Executors.Curation c = Executors.curation(sp);
                        List<Rec> out = new ArrayList<>();
                        Executors.enter();
                        Chain ch;
                        try {
                            ch = Executors.borrow(sp, states);
                        } catch (RuntimeException e) {
                            Executors.exit();
                            throw e;
                        }
                        try {
                            ch.renew(c.runtime(), keyed);
                            while (it.hasNext()) {
                                List<Rec> component = new ArrayList<>();
                                it.next()._2().forEach(component::add);
                                component.sort(Comparator.comparingLong(r -> r.order));
                                ch.apply(keyed, component);
                                out.addAll(component);
                            }
                            out.sort(Comparator.comparingLong(r -> r.order));
                            ch.judge(out, keyed + 1, filters);
                            for (int i = 0; i < filters; i++) {
                                nanos.get(i).add(ch.nanos(i));
                            }
                        } catch (RuntimeException e) {
                            ch.close();
                            throw e;
                        } finally {
                            Executors.exit();
                        }
                        Executors.release(sp, ch);
                        return out.iterator();
                    });
            return ended.union(judged);
        }

        /** Moves one attempt per part into place, in part order; then removes every attempt directory. */
        private void commit(List<Written> written) throws IOException {
            Path kept = dir.resolve("kept");
            Files.createDirectories(kept);
            Path ledgerTmp = dir.resolve(".ledger.jsonl.tmp");
            try (OutputStream ledger = Files.newOutputStream(ledgerTmp)) {
                for (Written w : written.stream().sorted(Comparator.comparingInt(Written::part)).toList()) {
                    Path attempt = Path.of(w.dir());
                    List<Path> shards;
                    try (Stream<Path> s = Files.list(attempt.resolve("kept"))) {
                        shards = s.filter(p -> p.getFileName().toString().matches("\\d+\\.tar")).sorted().toList();
                    }
                    for (Path shard : shards) {
                        Files.move(shard, kept.resolve(String.format("p%05d-%s", w.part(),
                                shard.getFileName())), StandardCopyOption.ATOMIC_MOVE);
                    }
                    Files.copy(attempt.resolve("ledger.jsonl"), ledger);
                }
            }
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(ledgerTmp,
                    java.nio.file.StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(ledgerTmp, dir.resolve("ledger.jsonl"), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            FileTrees.delete(dir.resolve("_temporary"));
        }

        /** LAION-style metadata: one row per record read, as Parquet. */
        private void writeMetadata(SparkSession spark, JavaPairRDD<Long, Rec> sorted, List<String> labels) {
            StructType schema = new StructType()
                    .add("id", DataTypes.StringType, false)
                    .add("url", DataTypes.StringType, true)
                    .add("page", DataTypes.StringType, true)
                    .add("caption", DataTypes.StringType, false)
                    .add("width", DataTypes.IntegerType, false)
                    .add("height", DataTypes.IntegerType, false)
                    .add("bytes", DataTypes.LongType, false)
                    .add("status", DataTypes.StringType, false)
                    .add("filter", DataTypes.StringType, true)
                    .add("reason", DataTypes.StringType, true)
                    .add("scores", DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType, false), false);
            JavaRDD<Row> rows = sorted.values().map(r -> RowFactory.create(r.id, r.imageUrl, r.pageUrl, r.caption,
                    r.width, r.height, r.image == null ? 0L : (long) r.image.length, r.status(), r.filter, r.reason,
                    scala.jdk.javaapi.CollectionConverters.asScala(scores(r, labels))));
            spark.createDataFrame(rows, schema).write().mode(SaveMode.ErrorIfExists)
                    .parquet(dir.resolve("metadata").toAbsolutePath().toString());
        }

        /** The local engine's counting, over the records in source order (streamed to the driver part by part). */
        private CurationRun.Checkpoint summarize(JavaPairRDD<Long, Rec> sorted, List<String> labels,
                CurationPlan plan) throws IOException {
            CurationRun.Checkpoint cp = new CurationRun.Checkpoint();
            cp.configHash = plan.hash();
            cp.summary = new Summary();
            Summary sum = cp.summary;
            for (String l : labels) {
                sum.filters.put(l, new Summary.FilterCounts());
            }
            int perReason = plan.settings().examples();
            Map<String, List<Long>> exampleOrders = new LinkedHashMap<>();
            Iterator<Rec> it = sorted.values().map(Rec::light).toLocalIterator();
            while (it.hasNext()) {
                Rec r = it.next();
                sum.read++;
                String kind = r.metadata.get("kind");
                if (Rec.READER.equals(r.filter)) {
                    sum.unreadableReasons.merge(r.detail, 1L, Long::sum);
                }
                for (int f = 0; f < labels.size(); f++) {
                    if (!r.judged[f]) {
                        continue;
                    }
                    Summary.FilterCounts fc = sum.filters.get(labels.get(f));
                    fc.judged++;
                    fc.scores.add(r.scores[f]);
                    if (kind != null) {
                        fc.judgedByKind.merge(kind, 1L, Long::sum);
                    }
                    if (labels.get(f).equals(r.filter)) {
                        if (r.unreadable()) {
                            sum.unreadableReasons.merge("unreadable in " + r.filter, 1L, Long::sum);
                        } else {
                            fc.rejected++;
                            fc.reasons.merge(r.reason, 1L, Long::sum);
                            if (kind != null) {
                                fc.rejectedByKind.merge(kind, 1L, Long::sum);
                            }
                        }
                        example(exampleOrders, r.filter + " / " + r.reason, r.order, perReason);
                    }
                }
                boolean keptIt = r.alive();
                if (keptIt) {
                    sum.kept++;
                    example(exampleOrders, "kept", r.order, perReason);
                } else if (r.unreadable()) {
                    sum.unreadable++;
                } else {
                    sum.rejected++;
                }
                String language = r.metadata.getOrDefault("language", r.metadata.get("pageLanguage"));
                count(sum.languages, language, keptIt, 1000);
                count(sum.domains, domain(r), keptIt, Summary.MAX_DOMAINS);
                if (kind != null) {
                    count(sum.kinds, kind, keptIt, 1000);
                }
            }
            Set<Long> wanted = exampleOrders.values().stream().flatMap(List::stream).collect(Collectors.toSet());
            HashSet<Long> w = new HashSet<>(wanted);
            Map<Long, Rec> byOrder = new HashMap<>();
            sorted.filter(t -> w.contains(t._1())).values().collect().forEach(r -> byOrder.put(r.order, r));
            for (Map.Entry<String, List<Long>> e : exampleOrders.entrySet()) {
                List<CurationRun.Example> list = new ArrayList<>();
                for (long o : e.getValue()) {
                    Rec r = byOrder.get(o);
                    CurationRun.Example ex = new CurationRun.Example();
                    ex.id = r.id;
                    ex.caption = r.caption;
                    ex.url = r.imageUrl;
                    ex.score = r.alive() ? Double.NaN : r.score;
                    if (r.image != null) {
                        try {
                            ex.thumbnail = PngFiles.dataUri(ClipPreprocessor.squareCrop(
                                    Images.decode(r.image, plan.settings().maxPixels()), 64));
                        } catch (Images.UnreadableImageException ignored) {
                            // an unreadable example is shown without a picture
                        }
                    }
                    list.add(ex);
                }
                cp.examples.put(e.getKey(), list);
            }
            cp.complete = true;
            return cp;
        }
    }

    /** One part's first task: read, the reader's checks, the filters before the keyed one, the keyed filter's keys. */
    static Iterator<Rec> readPart(JobSpec sp, Map<String, byte[]> states, int p, int upTo, int keyed, int filters,
            List<LongAccumulator> nanos) {
        Executors.Curation c = Executors.curation(sp);
        Executors.enter();
        Chain ch;
        try {
            ch = Executors.borrow(sp, states);
        } catch (RuntimeException e) {
            Executors.exit();
            throw e;
        }
        boolean[] released = {false};
        TaskContext.get().addTaskCompletionListener(ctx -> {
            Executors.exit();
            if (!released[0]) {
                ch.close(); // the task ended before its part did: the chain is not reused
            }
        });
        Iterator<WebRecord> src = c.source().records(p);
        return new Batches(src, 256) {
            private long index;

            @Override
            void exhausted() {
                if (!released[0]) {
                    released[0] = true;
                    for (int i = 0; i < filters; i++) {
                        nanos.get(i).add(ch.nanos(i));
                    }
                    Executors.release(sp, ch);
                }
            }

            @Override
            List<Rec> process(List<WebRecord> batch) {
                List<Rec> out = new ArrayList<>(batch.size());
                for (WebRecord r : batch) {
                    out.add(ch.read(r, Rec.order(p, index++)));
                }
                ch.judge(out, 0, upTo);
                if (keyed >= 0) {
                    KeyedFilter kf = (KeyedFilter) ch.filter(keyed);
                    for (Rec r : out) {
                        if (r.alive()) {
                            r.keys = kf.keys(r.web());
                        }
                    }
                }
                return out;
            }
        };
    }

    private static void example(Map<String, List<Long>> examples, String key, long order, int limit) {
        List<Long> list = examples.computeIfAbsent(key, k -> new ArrayList<>());
        if (list.size() < limit) {
            list.add(order);
        }
    }

    /** The local engine's per-key counting with its cap ("(other)" past {@code limit} keys). */
    static void count(Map<String, long[]> map, String key, boolean keptIt, int limit) {
        io.assay.framework.curation.Summary.countKey(map, key, keptIt, limit);
    }

    static String domain(Rec r) {
        return io.assay.framework.curation.CurationRun.domain(r.pageUrl, r.imageUrl);
    }

    /** The scores a kept record carries (the local engine's "scores": chain order, finite ones). */
    static Map<String, Double> scores(Rec r, List<String> labels) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int f = 0; f < labels.size(); f++) {
            if (r.judged[f] && !Double.isNaN(r.scores[f])) {
                m.put(labels.get(f), r.scores[f]);
            }
        }
        return m;
    }

    /** One part's task: kept shards and ledger into a fresh attempt directory. */
    static Written write(String out, int part, Iterator<Tuple2<Long, Rec>> it, int shardSize, List<String> labels,
            boolean failFirst) throws IOException {
        TaskContext tc = TaskContext.get();
        Path attempt = Path.of(out, "_temporary", String.format("part-%05d-attempt-%d", part, tc.taskAttemptId()));
        FileTrees.delete(attempt);
        Files.createDirectories(attempt);
        long n = 0;
        try (DatasetWriter writer = DatasetWriters.open("webdataset", attempt.resolve("kept"), shardSize, null);
                BufferedWriter ledger = Files.newBufferedWriter(attempt.resolve("ledger.jsonl"),
                        StandardCharsets.UTF_8)) {
            while (it.hasNext()) {
                Rec r = it.next()._2();
                if (failFirst && part == 0 && tc.attemptNumber() == 0 && n == 3) {
                    throw new IllegalStateException("injected failure: part 0, attempt 0, after 3 records ("
                            + FAIL_FIRST_ATTEMPT + ")");
                }
                n++;
                if (r.alive()) {
                    Map<String, Object> extra = new LinkedHashMap<>();
                    extra.put("scores", scores(r, labels));
                    writer.write(r.web(), extra);
                    continue;
                }
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("id", r.id);
                line.put("url", r.imageUrl);
                line.put("page", r.pageUrl);
                line.put("caption", r.caption);
                line.put("filter", r.filter);
                line.put("reason", r.reason);
                line.put("score", Double.isNaN(r.score) ? null : r.score);
                for (String key : List.of("language", "kind")) {
                    if (r.metadata.containsKey(key)) {
                        line.put(key, r.metadata.get(key));
                    }
                }
                if (Rec.READER.equals(r.filter)) {
                    line.put("detail", r.detail);
                }
                ledger.write(JSON.writeValueAsString(line));
                ledger.write('\n');
            }
        }
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(attempt.resolve("ledger.jsonl"),
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        return new Written(part, attempt.toString());
    }
}
