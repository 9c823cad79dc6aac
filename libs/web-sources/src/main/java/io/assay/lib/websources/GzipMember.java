package io.assay.lib.websources;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The decompressed bytes of one gzip member (RFC 1952) of a file, from a given offset to the end of that member only:
 * {@link #read} returns -1 at the member's end, after checking its CRC-32 and length, and {@link #end()} then tells
 * where the next member starts.
 *
 * <p>Written here because jwarc's {@code GunzipChannel} and {@link java.util.zip.GZIPInputStream} both read
 * concatenated members as one stream: they hide where a member ends and cannot restart after a corrupt one, which is
 * exactly what reading a damaged {@code .warc.gz} needs (see {@link WarcFileReader}). Reads are positional (the
 * file's own position is never used), and the bytes read past one member's end serve the next.
 */
final class GzipMember implements ReadableByteChannel {

    private static final int FHCRC = 2;
    private static final int FEXTRA = 4;
    private static final int FNAME = 8;
    private static final int FCOMMENT = 16;
    private static final int RESERVED = 0xE0;
    /** A file name or comment in a member header longer than this is not a WARC writer's header. */
    private static final int MAX_HEADER_STRING = 64 * 1024;

    private final FileChannel file;
    private final Inflater inflater = new Inflater(true);
    private final CRC32 crc = new CRC32();
    /** Bytes of the file from {@code inPos - in.limit()} to {@code inPos}; kept from one member to the next. */
    private final ByteBuffer in = ByteBuffer.allocate(64 * 1024).flip();
    private long inPos;
    private long start;
    private long inflated;
    private long end = -1;
    private boolean open = true;

    /** A decoder for the members of a file, one at a time; {@link #open(long)} starts one. */
    GzipMember(FileChannel file) {
        this.file = file;
    }

    /**
     * Starts reading the member at {@code start} (the previous one is abandoned) and reads its header.
     *
     * @throws IOException if no gzip member header starts there
     */
    void open(long start) throws IOException {
        inflater.reset();
        crc.reset();
        inflated = 0;
        end = -1;
        this.start = start;
        long buffered = inPos - in.limit();
        if (start >= buffered && start <= inPos) {
            in.position((int) (start - buffered)); // usually: the previous member ended there
        } else {
            in.clear().flip();
            inPos = start;
        }
        readHeader();
    }

    /** Whether a gzip member whose data inflates to the start of a WARC record ({@code WARC/}) begins at the offset. */
    static boolean startsWarcRecord(FileChannel file, long offset) {
        try (GzipMember m = new GzipMember(file)) {
            m.open(offset);
            ByteBuffer head = ByteBuffer.allocate(5);
            while (head.hasRemaining() && m.read(head) >= 0) {
                // reads until five bytes or the member's end
            }
            return !head.hasRemaining() && new String(head.array(), java.nio.charset.StandardCharsets.ISO_8859_1)
                    .equals("WARC/");
        } catch (IOException e) {
            return false;
        }
    }

    /** Offset of the member's first byte. */
    long start() {
        return start;
    }

    /** Offset just after the member (where the next one starts), or -1 until its end has been read and checked. */
    long end() {
        return end;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (end >= 0) {
            return -1;
        }
        int before = dst.position();
        try {
            while (dst.position() == before && dst.hasRemaining()) {
                if (inflater.finished()) {
                    readTrailer();
                    return -1;
                }
                if (inflater.needsInput()) {
                    if (!in.hasRemaining() && fill() < 0) {
                        throw new EOFException("truncated gzip member");
                    }
                    inflater.setInput(in);
                }
                if (inflater.inflate(dst) == 0 && inflater.needsDictionary()) {
                    throw new IOException("corrupt gzip member (asks for a preset dictionary)");
                }
            }
        } catch (DataFormatException e) {
            throw new IOException("corrupt gzip member (" + e.getMessage() + ")", e);
        }
        int n = dst.position() - before;
        crc.update(dst.duplicate().position(before).limit(before + n));
        inflated += n;
        return n;
    }

    private void readHeader() throws IOException {
        if (u8() != 0x1f || u8() != 0x8b || u8() != 8) {
            throw new IOException("no gzip member starts here");
        }
        int flags = u8();
        if ((flags & RESERVED) != 0) {
            throw new IOException("gzip member header with reserved flags set");
        }
        skip(6); // modification time, extra flags, operating system
        if ((flags & FEXTRA) != 0) {
            skip(u8() | u8() << 8);
        }
        if ((flags & FNAME) != 0) {
            skipZeroTerminated("file name");
        }
        if ((flags & FCOMMENT) != 0) {
            skipZeroTerminated("comment");
        }
        if ((flags & FHCRC) != 0) {
            skip(2);
        }
    }

    private void readTrailer() throws IOException {
        // The inflater consumed exactly the deflate data: what is left in the buffer starts the 8-byte trailer.
        long expectedCrc = u32();
        long expectedSize = u32();
        if (expectedCrc != crc.getValue()) {
            throw new IOException("corrupt gzip member (CRC-32 mismatch)");
        }
        if (expectedSize != (inflated & 0xffffffffL)) {
            throw new IOException("corrupt gzip member (length mismatch)");
        }
        end = inPos - in.remaining();
    }

    private void skipZeroTerminated(String what) throws IOException {
        for (int i = 0; u8() != 0; i++) {
            if (i >= MAX_HEADER_STRING) {
                throw new IOException("gzip member header " + what + " longer than " + MAX_HEADER_STRING + " bytes");
            }
        }
    }

    private void skip(int n) throws IOException {
        for (int i = 0; i < n; i++) {
            u8();
        }
    }

    private long u32() throws IOException {
        return u8() | (long) u8() << 8 | (long) u8() << 16 | (long) u8() << 24;
    }

    private int u8() throws IOException {
        if (!in.hasRemaining() && fill() < 0) {
            throw new EOFException("truncated gzip member");
        }
        return in.get() & 0xff;
    }

    /** Reads more compressed bytes after those buffered; -1 at the end of the file. */
    private int fill() throws IOException {
        in.compact();
        int n;
        try {
            n = file.read(in, inPos);
        } finally {
            in.flip();
        }
        if (n > 0) {
            inPos += n;
        }
        return n;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    /** Frees the inflater; the file stays open (it belongs to the caller). Nothing can be read afterwards. */
    @Override
    public void close() {
        if (open) {
            open = false;
            inflater.end();
        }
    }
}
