package io.assay.framework.runtime;

import io.assay.framework.io.ModelFiles;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * SHA-256 of every model file for provenance, off the critical path: hashing starts in the background when a model
 * directory is first configured (hashing 1.8 GB takes seconds) and a run waits for it only when it writes its
 * metadata, after generating. Digests are remembered on disk ({@link ModelFiles}), so later processes only stat.
 */
final class ModelHashes implements AutoCloseable {

    private final Map<Path, CompletableFuture<Map<String, String>>> byDir = new ConcurrentHashMap<>();
    private final ExecutorService pool = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "assay-model-hashes");
        t.setDaemon(true);
        return t;
    });

    /** Starts hashing {@code dir} unless it is already hashed or being hashed. */
    void start(Path dir, Path cacheFile) {
        byDir.computeIfAbsent(dir, d -> CompletableFuture.supplyAsync(() -> {
            try {
                return ModelFiles.sha256(d, cacheFile);
            } catch (IOException e) {
                throw new StageException(ErrorCode.MODEL_INVALID, "cannot hash the model files in '" + d + "': "
                        + e.getMessage(), e);
            }
        }, pool));
    }

    /** The digests of {@code dir} (waiting for them if still being computed). */
    Map<String, String> get(Path dir, Path cacheFile) {
        start(dir, cacheFile);
        try {
            return byDir.get(dir).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StageException(ErrorCode.CANCELLED, "interrupted while hashing '" + dir + "'");
        } catch (ExecutionException e) {
            byDir.remove(dir);
            throw e.getCause() instanceof StageException se ? se : new StageException(ErrorCode.INTERNAL,
                    "hashing '" + dir + "' failed: " + e.getCause(), e.getCause());
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
