package io.assay.lib.websources;

import io.assay.sdk.curation.WebRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Writes the directory form: {@code images/<key>.<ext>} plus {@code manifest.jsonl}. Order of operations is what
 * makes it crash safe: an image is written to a hidden temporary name, fsynced and renamed before its manifest line
 * is appended, so a manifest line never names an incomplete image; a crash can only leave images no line names yet
 * and a partial last line, both of which a resume removes.
 */
final class DirectoryWriter implements DatasetWriter {

    static final String FORMAT = "directory";
    static final String IMAGES = "images";
    private static final Pattern IMAGE = Pattern.compile("(\\d+)\\.[A-Za-z0-9]+");

    private final Path dir;
    private final Path images;
    private final FileChannel manifest;
    private long written;
    private boolean closed;

    private DirectoryWriter(Path dir, FileChannel manifest, long written) {
        this.dir = dir;
        this.images = dir.resolve(IMAGES);
        this.manifest = manifest;
        this.written = written;
    }

    static DirectoryWriter open(Path dir, Map<String, Object> resume) throws IOException {
        Path manifestFile = dir.resolve(SourceFiles.MANIFEST);
        if (resume == null) {
            Durable.prepareFresh(dir);
            Files.createDirectories(dir.resolve(IMAGES));
            FileChannel ch = FileChannel.open(manifestFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            Durable.fsyncDirectory(dir);
            return new DirectoryWriter(dir, ch, 0);
        }
        Durable.checkFormat(resume, FORMAT);
        long length = Durable.number(resume, "manifestBytes");
        long written = Durable.number(resume, "written");
        if (!Files.isRegularFile(manifestFile)) {
            throw new NoSuchFileException(manifestFile.toString(), null, "the checkpoint's manifest is missing");
        }
        Files.createDirectories(dir.resolve(IMAGES));
        FileChannel ch = FileChannel.open(manifestFile, StandardOpenOption.WRITE);
        try {
            if (ch.size() < length) {
                throw new IOException(manifestFile + " has " + ch.size() + " bytes, fewer than the checkpoint's "
                        + length + ": it is not the manifest this checkpoint was taken from");
            }
            ch.truncate(length);
            ch.position(length);
            ch.force(true);
            removeImagesFrom(dir.resolve(IMAGES), written);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        return new DirectoryWriter(dir, ch, written);
    }

    /** Keys are written in order, so everything numbered from {@code written} on came after the checkpoint. */
    private static void removeImagesFrom(Path images, long written) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(images)) {
            files = s.toList();
        }
        for (Path p : files) {
            String n = p.getFileName().toString();
            Matcher m = IMAGE.matcher(n);
            if (n.startsWith(".") && n.endsWith(".tmp")) {
                Files.delete(p);
            } else if (m.matches() && m.group(1).length() <= 18 && Long.parseLong(m.group(1)) >= written) {
                Files.delete(p);
            }
        }
        Durable.fsyncDirectory(images);
    }

    @Override
    public void write(WebRecord record, Map<String, Object> extra) throws IOException {
        if (closed) {
            throw new IllegalStateException("the writer is closed");
        }
        String key = Durable.key(written);
        String imageName = record.image() == null ? null : key + "." + ImageFormats.extension(record.image());
        byte[] json = DatasetJson.MAPPER.writeValueAsBytes(
                DatasetJson.toJson(record, extra, imageName == null ? null : IMAGES + "/" + imageName));
        if (imageName != null) {
            Path tmp = images.resolve("." + imageName + ".tmp");
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                writeFully(out, ByteBuffer.wrap(record.image()));
                out.force(true);
            }
            Durable.publish(tmp, images.resolve(imageName));
        }
        byte[] line = Arrays.copyOf(json, json.length + 1);
        line[json.length] = '\n';
        writeFully(manifest, ByteBuffer.wrap(line));
        written++;
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    @Override
    public Map<String, Object> checkpoint() throws IOException {
        if (!closed) {
            manifest.force(true);
            Durable.fsyncDirectory(images);
            Durable.fsyncDirectory(dir);
        }
        Map<String, Object> position = new LinkedHashMap<>();
        position.put("format", FORMAT);
        position.put("manifestBytes", closed ? Files.size(dir.resolve(SourceFiles.MANIFEST)) : manifest.position());
        position.put("written", written);
        return Collections.unmodifiableMap(position);
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
            manifest.close();
        }
    }

    @Override
    public long written() {
        return written;
    }
}
