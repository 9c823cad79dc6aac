package io.assay.lib.websources;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.LongPredicate;
import org.netpreserve.jwarc.WarcParser;
import org.netpreserve.jwarc.WarcReader;
import org.netpreserve.jwarc.WarcRecord;

/**
 * The records of one WARC or WAT file (uncompressed, or gzip with one member per record), where damage costs the
 * entry it hits only: a corrupt or truncated gzip member, a {@code Content-Length} that does not match the record (too
 * long or too short), a header block that does not end, or garbage between records each become one damaged
 * {@link Entry} — naming the file, the offset and the cause — and reading resumes at the next intact record.
 *
 * <p>jwarc parses the records, but the framing and the resynchronisation are done here because jwarc 0.32 has no
 * recovery mode: its {@code WarcReader} only warns about a bad record trailer and then fails on the next header (and
 * {@code setLenient} relaxes header syntax only), and its {@code GunzipChannel} reads all members as one stream, so
 * after a corrupt member or a lying length every later record of the file is lost. Here:
 * <ul>
 *   <li><b>gzip</b>: each member is decoded on its own ({@link GzipMember}); a record must end where its member ends.
 *       After damage, reading resumes where that member ends if it decoded cleanly, else at the next offset holding
 *       the gzip magic {@code 1f 8b 08} whose member decodes to the start of a WARC record.</li>
 *   <li><b>uncompressed</b>: a record must be followed by its {@code CRLFCRLF} trailer and then by the next record or
 *       the end of the file. After damage, reading resumes at the next {@code WARC/1.} that starts a header block
 *       which parses.</li>
 * </ul>
 * Everything is bounded before it is held or inflated: a header block over {@link #MAX_HEADER_BYTES}, and a gzip record
 * inflating to more than the record limit, are damage.
 *
 * <p>Use: {@link #next()} gives an entry; for a record, read what is needed of it, then call {@link #finish()}, which
 * says whether the record's bytes were whole (a record read before its damage shows must not be trusted).
 */
final class WarcFileReader implements Closeable {

    /** The longest WARC header block accepted (real ones are a few hundred bytes). */
    static final int MAX_HEADER_BYTES = 1 << 20;
    private static final int SCAN_CHUNK = 64 * 1024;
    private static final byte[] RECORD_START = "WARC/1.".getBytes(StandardCharsets.ISO_8859_1);

    /**
     * A record ({@code record} set) or a damaged stretch of the file that was skipped ({@code damage} set).
     *
     * @param offset where it starts: the record's offset, or its gzip member's (shared by the records of a member)
     * @param ordinal its number among the entries of the file, from 0
     */
    record Entry(long offset, long ordinal, WarcRecord record, String damage) {
    }

    private final String name;
    private final FileChannel file;
    private final long size;
    private final boolean gzip;
    private final long maxRecordBytes;
    private final GzipMember member;
    private boolean inMember;
    private Budget budget;
    private WarcReader jwarc;
    private long base;
    private long resumeAt;
    private long ordinal = -1;
    private Entry current;
    private Entry lookahead;
    private boolean badTrailer;

    /**
     * Opens the file.
     *
     * @param maxRecordBytes how many bytes one record of a gzip file may inflate to (header, block and whatever else
     *        its member holds); more is damage (a decompression bomb costs that much inflating, never memory)
     * @throws IOException if the file cannot be opened
     */
    WarcFileReader(Path path, long maxRecordBytes) throws IOException {
        this.name = String.valueOf(path.getFileName());
        this.maxRecordBytes = maxRecordBytes;
        this.file = FileChannel.open(path);
        try {
            this.size = file.size();
            ByteBuffer magic = ByteBuffer.allocate(2);
            this.gzip = file.read(magic, 0) == 2 && magic.getShort(0) == (short) 0x1f8b;
            this.member = gzip ? new GzipMember(file) : null;
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /**
     * The next entry, or {@code null} at the end of the file. Never throws: what cannot be read is a damaged entry.
     *
     * @throws IllegalStateException if the record handed out last has not been {@link #finish() finished}
     */
    Entry next() {
        if (current != null) {
            throw new IllegalStateException("finish() the record at offset " + current.offset() + " first");
        }
        while (lookahead == null) {
            if (resumeAt < 0 || resumeAt >= size) {
                return null;
            }
            open(resumeAt);
        }
        Entry e = lookahead;
        lookahead = null;
        if (e.record() != null) {
            current = e;
        }
        return e;
    }

    /**
     * Ends the record handed out by {@link #next()}: reads the rest of it and checks that it ends where its framing
     * says (trailer, gzip member end and checksum, next record).
     *
     * @return {@code null} if the record was whole; otherwise why not, as for a damaged entry (reading then resumes
     *         after the damage)
     */
    String finish() {
        Entry e = current;
        if (e == null) {
            throw new IllegalStateException("no record to finish");
        }
        current = null;
        badTrailer = false;
        boolean blockRead = false;
        try {
            e.record().body().consume();
            blockRead = true;
            boolean more = advance();
            if (badTrailer) {
                throw lengthMismatch(e);
            }
            if (!more) {
                endOfSegment();
            }
            return null;
        } catch (IOException | RuntimeException ex) {
            long next = jwarc == null ? -1 : base + jwarc.position();
            if (!gzip && blockRead && !badTrailer && next > e.offset()) {
                // The record and its trailer were whole: the damage starts with the next record.
                lookahead = damaged(next, ex);
                return null;
            }
            lookahead = null;
            return damaged(e.offset(), badTrailer ? lengthMismatch(e) : ex).damage();
        }
    }

    private static IOException lengthMismatch(Entry e) {
        return new IOException("its Content-Length (" + e.record().headers().first("Content-Length").orElse("none")
                + ") does not end the record: no record trailer there");
    }

    /** Starts reading at an offset: a gzip member, or (uncompressed) a record. Sets {@link #lookahead} or moves on. */
    private void open(long at) {
        try {
            if (gzip) {
                member.open(at);
                inMember = true;
                budget = new Budget(member);
            } else {
                file.position(at);
                budget = new Budget(file);
            }
            base = at;
            budget.allow(MAX_HEADER_BYTES, "a WARC header block larger than " + (MAX_HEADER_BYTES >> 20) + " MiB");
            jwarc = new WarcReader(budget);
            jwarc.onWarning(w -> badTrailer |= w.contains("trailer"));
            if (!advance()) {
                endOfSegment();
            }
        } catch (IOException | RuntimeException e) {
            lookahead = damaged(at, e);
        }
    }

    /** Parses the next record header of the open segment into {@link #lookahead}; false at the segment's end. */
    private boolean advance() throws IOException {
        budget.allow(MAX_HEADER_BYTES, "a WARC header block larger than " + (MAX_HEADER_BYTES >> 20) + " MiB");
        Optional<WarcRecord> rec = jwarc.next();
        if (rec.isEmpty()) {
            return false;
        }
        budget.allow(gzip ? maxRecordBytes : Long.MAX_VALUE,
                "a gzip member inflating to more than " + (maxRecordBytes >> 20) + " MiB for one record");
        long offset = gzip ? member.start() : base + jwarc.position();
        lookahead = new Entry(offset, ++ordinal, rec.get(), null);
        return true;
    }

    /** The open segment ended cleanly: a gzip member (continue after it) or the whole file. */
    private void endOfSegment() {
        resumeAt = gzip ? member.end() : -1;
        closeSegment();
    }

    /** A damaged entry at {@code at}; finds where reading resumes. */
    private Entry damaged(long at, Throwable cause) {
        long resume;
        try {
            resume = gzip ? resumeAfterMember(at) : scanForRecord(at + 1);
        } catch (IOException e) {
            resume = -1;
        }
        if (resume >= size) {
            resume = -1;
        }
        closeSegment();
        resumeAt = resume;
        String why = Unreadable.describe(cause);
        if (cause instanceof EOFException) {
            why = cause.getMessage() == null || cause.getMessage().isBlank() ? "unexpected end of file"
                    : "unexpected end of file: " + why;
        }
        return new Entry(at, ++ordinal, null, "WARC file truncated or corrupt at offset " + at + " of " + name
                + (resume < 0 ? " (nothing readable after it)" : " (reading resumed at offset " + resume + ")")
                + ": " + why);
    }

    /**
     * Where the next member starts after a damaged one: its end if it can be read to the end within the record's
     * budget (a record shorter than its member), else the next offset where an intact member starts.
     */
    private long resumeAfterMember(long at) throws IOException {
        if (inMember && member.start() == at) {
            try {
                ByteBuffer sink = ByteBuffer.allocate(8192);
                while (budget.read(sink.clear()) >= 0) {
                    // drains the member (bounded by the budget) to learn where it ends
                }
                return member.end();
            } catch (IOException | RuntimeException e) {
                // The member cannot be read to its end: look for the next one.
            }
        }
        return scan(at + 1, new byte[] {0x1f, (byte) 0x8b, 8}, c -> GzipMember.startsWarcRecord(file, c));
    }

    /** The first offset from {@code from} where a WARC record whose header block parses starts, or -1. */
    private long scanForRecord(long from) throws IOException {
        return scan(from, RECORD_START, this::headerParsesAt);
    }

    /**
     * The first offset from {@code from} where {@code pattern} occurs and {@code check} holds, or -1. Reads the file
     * in chunks that overlap by the pattern's length.
     */
    private long scan(long from, byte[] pattern, LongPredicate check) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(SCAN_CHUNK);
        byte[] a = buf.array();
        for (long pos = from; pos < size; ) {
            int n = file.read(buf.clear(), pos);
            if (n <= 0) {
                break;
            }
            for (int i = 0; i + pattern.length <= n; i++) {
                if (matches(a, i, pattern) && check.test(pos + i)) {
                    return pos + i;
                }
            }
            if (pos + n >= size) {
                break;
            }
            pos += n - pattern.length + 1;
        }
        return -1;
    }

    private static boolean matches(byte[] a, int at, byte[] pattern) {
        for (int k = 0; k < pattern.length; k++) {
            if (a[at + k] != pattern[k]) {
                return false;
            }
        }
        return true;
    }

    /** Whether a complete WARC header block (with a WARC-Type) of at most {@link #MAX_HEADER_BYTES} starts here. */
    private boolean headerParsesAt(long offset) {
        WarcParser parser = new WarcParser();
        ByteBuffer buf = ByteBuffer.allocate(8192);
        try {
            for (long pos = offset; pos - offset < MAX_HEADER_BYTES; ) {
                int n = file.read(buf.clear(), pos);
                if (n <= 0) {
                    return false;
                }
                pos += n;
                parser.parse(buf.flip());
                if (parser.isError()) {
                    return false;
                }
                if (parser.isFinished()) {
                    return parser.headers().first("WARC-Type").isPresent();
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
    }

    private void closeSegment() {
        inMember = false;
        budget = null;
        jwarc = null;
    }

    @Override
    public void close() throws IOException {
        closeSegment();
        if (member != null) {
            member.close();
        }
        file.close();
    }

    /**
     * What jwarc reads through: at most the bytes allowed for the current step (a header block, one record), so
     * hostile input cannot make it hold or inflate more. Closing it leaves the file open.
     */
    private static final class Budget implements ReadableByteChannel {
        private final ReadableByteChannel in;
        private long left;
        private String limit;

        Budget(ReadableByteChannel in) {
            this.in = in;
        }

        void allow(long bytes, String what) {
            left = bytes;
            limit = what;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            if (left <= 0) {
                throw new IOException(limit);
            }
            int oldLimit = dst.limit();
            if (dst.remaining() > left) {
                dst.limit(dst.position() + (int) left);
            }
            try {
                int n = in.read(dst);
                if (n > 0) {
                    left -= n;
                }
                return n;
            } finally {
                dst.limit(oldLimit);
            }
        }

        @Override
        public boolean isOpen() {
            return in.isOpen();
        }

        @Override
        public void close() {
            // The file belongs to the reader.
        }
    }
}
