package io.assay.sdk.tensor;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes NumPy {@code .npy} files (format versions 1–3, little-endian, C order): the format of recorded
 * latents ({@code --save-latents}, {@code --init-latents}) and of the numerical references.
 *
 * <p>Written here rather than taken from a library because the format is a 10-line header plus raw data and the
 * Java libraries for it pull in far more than the SDK may depend on.
 */
public final class Npy {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {
    }

    /**
     * An array read from a {@code .npy} file, kept in its own dtype.
     *
     * @param dtype the NumPy type code without byte order, e.g. {@code f4}, {@code f8}, {@code i4}, {@code i8}, {@code u1}
     * @param shape the dimensions
     * @param data the raw little-endian element bytes
     */
    public record Array(String dtype, long[] shape, ByteBuffer data) {

        /** The element count. */
        public int count() {
            return Math.toIntExact(Tensor.count(shape));
        }

        /** The values as float32 (converting from any numeric dtype). */
        public float[] toFloats() {
            int n = count();
            float[] out = new float[n];
            ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) {
                out[i] = switch (dtype) {
                    case "f4" -> b.getFloat(i * 4);
                    case "f8" -> (float) b.getDouble(i * 8);
                    case "f2" -> halfToFloat(b.getShort(i * 2));
                    case "i4" -> b.getInt(i * 4);
                    case "i8" -> b.getLong(i * 8);
                    case "u1" -> b.get(i) & 0xff;
                    case "i1" -> b.get(i);
                    default -> throw new IllegalStateException("unsupported dtype " + dtype);
                };
            }
            return out;
        }

        /** The values as float64 (converting from any numeric dtype). */
        public double[] toDoubles() {
            if (!dtype.equals("f8") && !dtype.equals("i8")) {
                float[] f = toFloats();
                double[] d = new double[f.length];
                for (int i = 0; i < f.length; i++) {
                    d[i] = f[i];
                }
                return d;
            }
            int n = count();
            double[] out = new double[n];
            ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) {
                out[i] = dtype.equals("f8") ? b.getDouble(i * 8) : (double) b.getLong(i * 8);
            }
            return out;
        }

        /** The values as int64 (integer dtypes only). */
        public long[] toLongs() {
            int n = count();
            long[] out = new long[n];
            ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) {
                out[i] = switch (dtype) {
                    case "i8" -> b.getLong(i * 8);
                    case "i4" -> b.getInt(i * 4);
                    case "u1" -> b.get(i) & 0xff;
                    case "i1" -> b.get(i);
                    default -> throw new IllegalStateException("not an integer dtype: " + dtype);
                };
            }
            return out;
        }

        /** As a float32 tensor of the same shape. */
        public Tensor toTensor() {
            return new Tensor(shape, toFloats());
        }
    }

    /** IEEE 754 binary16 to float (Float.float16ToFloat needs Java 20). */
    static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /** Reads a whole {@code .npy} file. Errors name the file and what was wrong. */
    public static Array read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        try {
            return parse(bytes);
        } catch (IllegalArgumentException e) {
            throw new IOException("'" + file + "' is not a readable .npy file: " + e.getMessage(), e);
        }
    }

    /** Reads a {@code .npy} file as a float32 tensor. */
    public static Tensor readTensor(Path file) throws IOException {
        return read(file).toTensor();
    }

    /** Parses {@code .npy} bytes. */
    public static Array parse(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 10) {
            throw new IllegalArgumentException("file is " + bytes.length + " bytes, too short for a header");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (bytes[i] != MAGIC[i]) {
                throw new IllegalArgumentException("missing the \\x93NUMPY magic");
            }
        }
        int major = bytes[6];
        int headerLen;
        int offset;
        if (major == 1) {
            headerLen = b.getShort(8) & 0xffff;
            offset = 10;
        } else if (major == 2 || major == 3) {
            headerLen = b.getInt(8);
            offset = 12;
        } else {
            throw new IllegalArgumentException("unsupported format version " + major);
        }
        if (offset + headerLen > bytes.length) {
            throw new IllegalArgumentException("header length " + headerLen + " runs past the end of the file");
        }
        String header = new String(bytes, offset, headerLen, StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header);
        Matcher f = FORTRAN.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !f.find() || !s.find()) {
            throw new IllegalArgumentException("malformed header: " + header.trim());
        }
        if (f.group(1).equals("True")) {
            throw new IllegalArgumentException("Fortran-order arrays are not supported");
        }
        String descr = d.group(1);
        if (descr.startsWith(">")) {
            throw new IllegalArgumentException("big-endian dtype '" + descr + "' is not supported");
        }
        String dtype = descr.replaceFirst("^[<|=]", "");
        int itemSize = switch (dtype) {
            case "f4", "i4" -> 4;
            case "f8", "i8" -> 8;
            case "f2" -> 2;
            case "u1", "i1", "b1" -> 1;
            default -> throw new IllegalArgumentException("unsupported dtype '" + descr + "'");
        };
        List<Long> dims = new ArrayList<>();
        for (String part : s.group(1).split(",")) {
            if (!part.isBlank()) {
                dims.add(Long.parseLong(part.trim()));
            }
        }
        long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
        long n = Tensor.count(shape);
        int dataStart = offset + headerLen;
        if (dataStart + n * itemSize != bytes.length) {
            throw new IllegalArgumentException("shape " + dims + " of " + dtype + " needs " + n * itemSize
                    + " data bytes but the file has " + (bytes.length - dataStart));
        }
        ByteBuffer data = ByteBuffer.wrap(bytes, dataStart, (int) (n * itemSize)).slice().order(ByteOrder.LITTLE_ENDIAN);
        return new Array(dtype, shape, data);
    }

    /** Encodes a float32 tensor as {@code .npy} (version 1) bytes. */
    public static byte[] toBytes(Tensor t) {
        StringBuilder shape = new StringBuilder("(");
        long[] dims = t.shape();
        for (int i = 0; i < dims.length; i++) {
            shape.append(dims[i]).append(dims.length == 1 ? "," : (i + 1 < dims.length ? ", " : ""));
        }
        shape.append(')');
        String header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
        int unpadded = 10 + header.length() + 1;
        int pad = (64 - unpadded % 64) % 64;
        header = header + " ".repeat(pad) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + t.size() * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        b.put(header.getBytes(StandardCharsets.ISO_8859_1));
        for (float v : t.data()) {
            b.putFloat(v);
        }
        return b.array();
    }

    /** Writes a float32 tensor atomically (a temporary file in the same directory, then a move). */
    public static void write(Path file, Tensor t) throws IOException {
        writeAtomically(file, toBytes(t));
    }

    /** Writes bytes to {@code file} atomically: readers see the old file or the whole new one, never a part. */
    public static void writeAtomically(Path file, byte[] bytes) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                out.write(bytes);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
