package io.assay.framework.io;

import io.assay.sdk.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Content hashes for provenance. */
public final class Hashes {

    private Hashes() {
    }

    /** SHA-256 of bytes, hex. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** SHA-256 of a tensor's shape and little-endian float32 data. */
    public static String sha256(Tensor t) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            ByteBuffer b = ByteBuffer.allocate(8 * t.rank() + 4 * t.size()).order(ByteOrder.LITTLE_ENDIAN);
            for (long d : t.shape()) {
                b.putLong(d);
            }
            for (float f : t.data()) {
                b.putFloat(f);
            }
            return HexFormat.of().formatHex(md.digest(b.array()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
