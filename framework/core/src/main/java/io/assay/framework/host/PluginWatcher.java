package io.assay.framework.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.concurrent.TimeUnit;

/**
 * Watches a plugins directory on a daemon thread and calls {@code onChange} once a burst of file events has settled
 * (a copy arrives as several events).
 */
final class PluginWatcher implements AutoCloseable {

    private final WatchService service;
    private final Thread thread;

    /** Starts watching {@code dir} (created if missing). */
    PluginWatcher(Path dir, Runnable onChange) {
        try {
            Files.createDirectories(dir);
            service = FileSystems.getDefault().newWatchService();
            dir.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                    StandardWatchEventKinds.ENTRY_DELETE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot watch '" + dir + "'", e);
        }
        thread = new Thread(() -> loop(onChange), "assay-plugin-watcher");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop(Runnable onChange) {
        try {
            while (true) {
                WatchKey key = service.take();
                // Debounce: settle before syncing.
                Thread.sleep(250);
                while (service.poll(150, TimeUnit.MILLISECONDS) != null) {
                    // drain
                }
                key.pollEvents();
                key.reset();
                onChange.run();
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops watching. */
    @Override
    public void close() {
        thread.interrupt();
        try {
            service.close();
        } catch (IOException ignored) {
            // closing a watch service only fails if already closed
        }
    }
}
