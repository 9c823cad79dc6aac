package io.assay.lib.websources;

import com.fasterxml.jackson.databind.JsonNode;
import io.assay.sdk.curation.WebRecord;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Samples from webdataset tar shards as img2dataset writes them: consecutive entries sharing a key (the file name up
 * to its first dot) form one sample — an image, a {@code .txt} caption and a {@code .json} of fields. The tar is
 * streamed, never extracted, and only the current sample is in memory.
 */
final class WebDatasetSource extends AbstractRecordSource {

    private static final int TAR_BLOCK = 512;

    private final List<Path> shards;

    WebDatasetSource(List<Path> shards) {
        super("webdataset", "shard", shards);
        this.shards = shards;
    }

    @Override
    Iterator<WebRecord> newPass() {
        return new Pass();
    }

    /** The entries of one key collected so far. */
    private static final class Sample {
        final String key;
        byte[] image;
        byte[] caption;
        byte[] json;
        String problem;

        Sample(String key) {
            this.key = key;
        }
    }

    final class Pass extends LazyIterator<WebRecord> {
        private final ArrayDeque<WebRecord> ready = new ArrayDeque<>();
        private int nextShard;
        private TarArchiveInputStream tar;
        private Path shard;
        private String name;
        private Sample sample;

        Pass() {
            super(WebDatasetSource.this);
        }

        @Override
        WebRecord computeNext() {
            while (ready.isEmpty()) {
                if (tar == null && !openNext()) {
                    return null;
                }
                if (tar != null) {
                    step();
                }
            }
            return ready.poll();
        }

        private boolean openNext() {
            if (nextShard >= shards.size()) {
                return false;
            }
            shard = shards.get(nextShard++);
            name = shard.getFileName().toString();
            sample = null;
            try {
                tar = new TarArchiveInputStream(new BufferedInputStream(Files.newInputStream(shard), 1 << 16));
            } catch (IOException | RuntimeException e) {
                ready.add(Unreadable.record(name, "cannot open tar shard: " + Unreadable.describe(e), name));
            }
            return true;
        }

        /** Reads one tar entry, completing the previous sample when the key changes. */
        private void step() {
            TarArchiveEntry entry;
            try {
                entry = tar.getNextEntry();
            } catch (IOException | RuntimeException e) {
                fail(e);
                return;
            }
            if (entry == null) {
                if (sample != null) {
                    String missing = endMarkerMissing();
                    ready.add(missing == null ? toRecord(sample)
                            : Unreadable.record(name + "/" + sample.key, missing, name));
                    sample = null;
                } else {
                    String missing = endMarkerMissing();
                    if (missing != null) {
                        ready.add(Unreadable.record(name + "#" + tar.getBytesRead(), missing, name));
                    }
                }
                closeTar();
                return;
            }
            if (!entry.isFile()) {
                return;
            }
            String entryName = entry.getName();
            int slash = entryName.lastIndexOf('/');
            int dot = entryName.indexOf('.', slash + 1);
            String key = dot < 0 ? entryName : entryName.substring(0, dot);
            String ext = dot < 0 ? "" : entryName.substring(dot + 1).toLowerCase(Locale.ROOT);
            if (sample != null && !sample.key.equals(key)) {
                ready.add(toRecord(sample));
                sample = null;
            }
            if (sample == null) {
                sample = new Sample(key);
            }
            try {
                if (ImageFormats.isImageExtension(ext) && sample.image == null) {
                    sample.image = content(entry, Bytes.MAX_IMAGE_BYTES, "image");
                } else if (ext.equals("txt")) {
                    sample.caption = content(entry, Bytes.MAX_TEXT_BYTES, "caption");
                } else if (ext.equals("json")) {
                    sample.json = content(entry, Bytes.MAX_JSON_BYTES, "JSON");
                }
            } catch (Bytes.TooLargeException e) {
                sample.problem = e.getMessage();
            } catch (IOException | RuntimeException e) {
                fail(e);
            }
        }

        private byte[] content(TarArchiveEntry entry, int limit, String what) throws IOException {
            if (entry.getSize() > limit) {
                throw new Bytes.TooLargeException(what, limit);
            }
            byte[] b = tar.readNBytes((int) entry.getSize());
            if (b.length < entry.getSize()) {
                throw new IOException("Truncated TAR archive");
            }
            return b;
        }

        /**
         * The tar stream ended: was it the end of the archive, or the end of a cut-off file? Commons-compress reports
         * both as "no more entries" when the cut falls inside a header, so the file itself is checked: a finished
         * archive is whole 512-byte blocks and ends with a zero block.
         */
        private String endMarkerMissing() {
            try (FileChannel ch = FileChannel.open(shard)) {
                long size = ch.size();
                if (size == 0) {
                    return "tar file is empty";
                }
                if (size % TAR_BLOCK != 0) {
                    return "tar file truncated: " + size + " bytes is not a whole number of 512-byte blocks";
                }
                ByteBuffer last = ByteBuffer.allocate(TAR_BLOCK);
                ch.read(last, size - TAR_BLOCK);
                for (int i = 0; i < TAR_BLOCK; i++) {
                    if (last.get(i) != 0) {
                        return "tar file truncated: no end-of-archive marker";
                    }
                }
                return null;
            } catch (IOException e) {
                return "cannot check the tar file's end: " + Unreadable.describe(e);
            }
        }

        /** The shard cannot be read further: the sample in progress is lost, and the next shard is tried. */
        private void fail(Exception e) {
            String reason = "tar file truncated or corrupt: " + Unreadable.describe(e);
            String id = sample != null ? name + "/" + sample.key : name + "#" + tar.getBytesRead();
            ready.add(Unreadable.record(id, reason, name));
            sample = null;
            closeTar();
        }

        private WebRecord toRecord(Sample s) {
            String fallbackId = name + "/" + s.key;
            DatasetJson.Fields fields = null;
            if (s.json != null) {
                try {
                    JsonNode node = DatasetJson.MAPPER.readTree(s.json);
                    if (node == null || !node.isObject()) {
                        return Unreadable.record(fallbackId, "sample JSON is not an object", name);
                    }
                    fields = DatasetJson.fromJson(node);
                } catch (IOException e) {
                    return Unreadable.record(fallbackId, "bad sample JSON: " + Unreadable.describe(e), name);
                }
            }
            String id = fields != null && fields.id() != null ? fields.id() : fallbackId;
            if (s.problem != null) {
                return Unreadable.record(id, s.problem, name);
            }
            String caption;
            if (s.caption != null) {
                try {
                    caption = strictUtf8(s.caption);
                } catch (CharacterCodingException e) {
                    return Unreadable.record(id, "caption is not valid UTF-8", name);
                }
            } else {
                caption = fields != null && fields.caption() != null ? fields.caption() : "";
            }
            if (fields == null) {
                return new WebRecord(id, null, null, caption, s.image, -1L, java.util.Map.of());
            }
            return new WebRecord(id, fields.url(), fields.page(), caption, s.image, fields.inboundLinks(),
                    fields.metadata());
        }

        private void closeTar() {
            quietlyClose(tar);
            tar = null;
        }

        @Override
        void release() {
            closeTar();
            ready.clear();
            sample = null;
        }
    }

    /** Decodes refusing malformed input: a caption with broken bytes is damaged data, not text to guess at. */
    static String strictUtf8(byte[] b) throws CharacterCodingException {
        CharBuffer cb = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(b));
        String s = cb.toString();
        return s.startsWith("\uFEFF") ? s.substring(1) : s;
    }
}
