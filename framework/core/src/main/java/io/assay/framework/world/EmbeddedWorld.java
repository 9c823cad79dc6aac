package io.assay.framework.world;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The embedded default model: the procedural world, compiled on first use into {@code <cache>/world-<spec hash>/}
 * and reused after. The build goes to a temporary directory that is renamed into place, under a file lock, so
 * concurrent first uses build once and nobody sees half a model. {@code world.json} records the SHA-256 of every file;
 * a cache whose files no longer match is rebuilt.
 */
public final class EmbeddedWorld {

    private EmbeddedWorld() {
    }

    /** The default world's model directory, building it if needed. */
    public static Path ensure(Path cacheRoot, Consumer<String> progress) {
        return ensure(cacheRoot, WorldCompiler.Spec.defaults(), progress);
    }

    /** The world of {@code spec}, building it if needed. */
    public static Path ensure(Path cacheRoot, WorldCompiler.Spec spec, Consumer<String> progress) {
        return ensure(cacheRoot, spec, null, progress);
    }

    /**
     * The world compiled from a curated dataset ({@code assay curate}'s kept/ directory), building it if needed. The
     * cache key covers the dataset's content, so curating differently gives a different world.
     */
    public static Path ensure(Path cacheRoot, WorldCompiler.Spec spec, Path dataset, Consumer<String> progress) {
        String key = spec.hash();
        if (dataset != null) {
            try {
                key = WorldCompiler.sha256((spec.hash() + "|" + io.assay.framework.io.ModelFiles.sha256(dataset, null))
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8)).substring(0, 12);
            } catch (IOException e) {
                throw new StageException(ErrorCode.MODEL_MISSING, "cannot read the curated dataset '" + dataset
                        + "': " + e.getMessage(), e);
            }
        }
        Path dir = cacheRoot.resolve((dataset == null ? "world-" : "world-curated-") + key);
        try {
            if (verified(dir)) {
                return dir;
            }
            Files.createDirectories(cacheRoot);
            // A file lock guards against other processes; within this JVM two threads (the plugin loader's early
            // check and a run) must not both hold it, or the JDK throws OverlappingFileLockException: serialise
            // them on one monitor per cache directory first.
            Object monitor = MONITORS.computeIfAbsent(cacheRoot.toAbsolutePath().normalize(), k -> new Object());
            synchronized (monitor) {
                return buildLocked(cacheRoot, dir, spec, dataset, progress);
            }
        } catch (IOException e) {
            throw new StageException(ErrorCode.MODEL_MISSING, "cannot build the embedded world in '" + dir + "': "
                    + e.getMessage(), e);
        }
    }

    private static final java.util.concurrent.ConcurrentHashMap<Path, Object> MONITORS =
            new java.util.concurrent.ConcurrentHashMap<>();

    private static Path buildLocked(Path cacheRoot, Path dir, WorldCompiler.Spec spec, Path dataset,
            Consumer<String> progress) throws IOException {
        try (FileChannel ch = FileChannel.open(cacheRoot.resolve(".world.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock lock = ch.lock()) {
            if (verified(dir)) {
                return dir;
            }
            progress.accept("building the embedded world into " + dir + " (first use)…");
            long t0 = System.nanoTime();
            Path tmp = Files.createTempDirectory(cacheRoot, ".world-build-");
            try {
                if (dataset == null) {
                    WorldCompiler.compile(spec, tmp);
                } else {
                    List<WorldCompiler.Example> examples = CuratedDataset.examples(dataset, spec.size());
                    progress.accept("compiling " + examples.size() + " curated examples from " + dataset);
                    WorldCompiler.compile(examples, spec, tmp);
                }
                writeManifest(tmp, spec);
                deleteTree(dir);
                try {
                    Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, dir);
                }
            } finally {
                deleteTree(tmp);
            }
            progress.accept(String.format("embedded world built in %.1f s", (System.nanoTime() - t0) / 1e9));
            return dir;
        }
    }

    /** SHA-256 of every file under {@code dir} except the manifest, by relative path. */
    public static Map<String, String> checksums(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            s.filter(Files::isRegularFile).forEach(files::add);
        }
        for (Path f : files) {
            String rel = dir.relativize(f).toString().replace('\\', '/');
            if (!rel.equals("world.json")) {
                out.put(rel, WorldCompiler.sha256(Files.readAllBytes(f)));
            }
        }
        return out;
    }

    private static void writeManifest(Path dir, WorldCompiler.Spec spec) throws IOException {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = json.createObjectNode();
        root.put("compiler", WorldCompiler.VERSION);
        root.put("spec", spec.toString());
        ObjectNode files = root.putObject("sha256");
        checksums(dir).forEach(files::put);
        Files.write(dir.resolve("world.json"), json.writeValueAsBytes(root));
    }

    private static boolean verified(Path dir) throws IOException {
        Path manifest = dir.resolve("world.json");
        if (!Files.isRegularFile(manifest)) {
            return false;
        }
        JsonNode recorded = new ObjectMapper().readTree(manifest.toFile()).path("sha256");
        Map<String, String> now = checksums(dir);
        if (recorded.size() != now.size()) {
            return false;
        }
        for (Map.Entry<String, String> e : now.entrySet()) {
            if (!e.getValue().equals(recorded.path(e.getKey()).asText())) {
                return false;
            }
        }
        return true;
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(q);
            }
        }
    }
}
