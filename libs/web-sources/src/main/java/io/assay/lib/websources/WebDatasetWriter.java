package io.assay.lib.websources;

import io.assay.sdk.curation.WebRecord;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes webdataset shards. A shard is built under a hidden temporary name ({@code .00003.tar.tmp}, which neither
 * the webdataset reader nor webdataset loaders pick up) and renamed into {@code 00003.tar} only once complete and
 * fsynced, so every visible shard is whole. Entries carry a fixed timestamp so the same records give the same bytes.
 */
final class WebDatasetWriter implements DatasetWriter {

    static final String FORMAT = "webdataset";
    private static final Pattern SHARD = Pattern.compile("(\\d+)\\.tar");
    private static final Pattern TEMP = Pattern.compile("\\.(\\d+)\\.tar\\.tmp");
    private static final FileTime EPOCH = FileTime.fromMillis(0);

    private final Path dir;
    private final int shardSize;
    private long written;
    private long shard;
    private int inShard;
    private Path tmp;
    private FileOutputStream file;
    private TarArchiveOutputStream tar;
    private boolean closed;

    private WebDatasetWriter(Path dir, int shardSize, long shard, long written) {
        this.dir = dir;
        this.shardSize = shardSize;
        this.shard = shard;
        this.written = written;
    }

    static WebDatasetWriter open(Path dir, int shardSize, Map<String, Object> resume) throws IOException {
        if (resume == null) {
            Durable.prepareFresh(dir);
            return new WebDatasetWriter(dir, shardSize, 0, 0);
        }
        Durable.checkFormat(resume, FORMAT);
        long shards = Durable.number(resume, "shards");
        long written = Durable.number(resume, "written");
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "the dataset directory of the checkpoint is missing");
        }
        List<Path> entries;
        try (Stream<Path> s = Files.list(dir)) {
            entries = s.toList();
        }
        for (Path p : entries) {
            String n = p.getFileName().toString();
            Matcher m = SHARD.matcher(n);
            if ((m.matches() && Long.parseLong(m.group(1)) >= shards) || TEMP.matcher(n).matches()) {
                Files.delete(p);
            }
        }
        for (long i = 0; i < shards; i++) {
            if (!Files.isRegularFile(dir.resolve(shardName(i)))) {
                throw new NoSuchFileException(dir.resolve(shardName(i)).toString(), null,
                        "the checkpoint counts this shard as written, but it is missing");
            }
        }
        Durable.fsyncDirectory(dir);
        return new WebDatasetWriter(dir, shardSize, shards, written);
    }

    static String shardName(long i) {
        return String.format("%05d.tar", i);
    }

    @Override
    public void write(WebRecord record, Map<String, Object> extra) throws IOException {
        try {
            writeOrThrow(record, extra);
        } catch (IOException e) {
            throw abandon(e);
        }
    }

    /**
     * After a failed write (disk full, say): the shard being built is deleted — the checkpoint still describes the
     * shards published before it, so a resumed run rebuilds it — and the error names the shard and the cause.
     */
    private IOException abandon(IOException e) {
        Path failed = tmp;
        try {
            if (tar != null) {
                tar.close();
            }
        } catch (IOException | RuntimeException ignored) {
            // the write already failed; closing is only to release the file
        }
        tar = null;
        file = null;
        if (failed != null) {
            try {
                Files.deleteIfExists(failed);
            } catch (IOException ignored) {
                // left for the next run's cleanup of hidden temporaries
            }
        }
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String name = failed != null ? dir.resolve(shardName(shard)).toString() : dir.toString();
        java.nio.file.FileSystemException f = new java.nio.file.FileSystemException(name, null,
                t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName());
        f.initCause(e);
        return f;
    }

    private void writeOrThrow(WebRecord record, Map<String, Object> extra) throws IOException {
        if (closed) {
            throw new IllegalStateException("the writer is closed");
        }
        String key = Durable.key(written);
        // Built first: an invalid extra must fail before anything reaches the shard.
        byte[] json = DatasetJson.MAPPER.writeValueAsBytes(DatasetJson.toJson(record, extra, null));
        if (tar == null) {
            startShard();
        }
        if (record.image() != null) {
            put(key + "." + ImageFormats.extension(record.image()), record.image());
        }
        put(key + ".txt", record.caption().getBytes(StandardCharsets.UTF_8));
        put(key + ".json", json);
        written++;
        inShard++;
        if (inShard >= shardSize) {
            finishShard();
        }
    }

    private void startShard() throws IOException {
        tmp = dir.resolve("." + shardName(shard) + ".tmp");
        file = new FileOutputStream(tmp.toFile());
        tar = new TarArchiveOutputStream(new BufferedOutputStream(file, 1 << 16));
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    }

    private void put(String name, byte[] data) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(data.length);
        e.setLastModifiedTime(EPOCH);
        tar.putArchiveEntry(e);
        tar.write(data);
        tar.closeArchiveEntry();
    }

    private void finishShard() throws IOException {
        tar.finish();
        tar.flush();
        file.getChannel().force(true);
        tar.close();
        tar = null;
        file = null;
        Durable.publish(tmp, dir.resolve(shardName(shard)));
        Durable.fsyncDirectory(dir);
        shard++;
        inShard = 0;
    }

    @Override
    public Map<String, Object> checkpoint() throws IOException {
        if (tar != null) {
            try {
                finishShard();
            } catch (IOException e) {
                throw abandon(e);
            }
        }
        Map<String, Object> position = new LinkedHashMap<>();
        position.put("format", FORMAT);
        position.put("shards", shard);
        position.put("written", written);
        return java.util.Collections.unmodifiableMap(position);
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        try {
            checkpoint();
        } finally {
            closed = true;
            AbstractRecordSource.quietlyClose(tar);
        }
    }

    @Override
    public long written() {
        return written;
    }
}
