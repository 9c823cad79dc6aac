package io.assay.sdk.testkit.contract;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashSet;
import java.util.Set;

/**
 * Reads the class-level, runtime-visible annotation types of a class file without loading the class, so a packaging
 * check can find every {@code @Component} class in {@code target/classes} (JVMS §4).
 */
final class ClassFiles {

    private ClassFiles() {
    }

    /** The class's binary name and the descriptors of its runtime-visible annotations. */
    record Info(String name, Set<String> annotations) {
    }

    static Info read(InputStream raw) throws IOException {
        DataInputStream in = new DataInputStream(raw);
        if (in.readInt() != 0xCAFEBABE) {
            throw new IOException("not a class file");
        }
        in.readUnsignedShort();
        in.readUnsignedShort();
        int count = in.readUnsignedShort();
        String[] utf8 = new String[count];
        int[] classIndex = new int[count];
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> utf8[i] = in.readUTF();
                case 3, 4 -> in.readInt();
                case 5, 6 -> {
                    in.readLong();
                    i++;
                }
                case 7 -> classIndex[i] = in.readUnsignedShort();
                case 8, 16, 19, 20 -> in.readUnsignedShort();
                case 9, 10, 11, 12, 17, 18 -> in.readInt();
                case 15 -> {
                    in.readUnsignedByte();
                    in.readUnsignedShort();
                }
                default -> throw new IOException("unknown constant pool tag " + tag);
            }
        }
        in.readUnsignedShort();
        String name = utf8[classIndex[in.readUnsignedShort()]].replace('/', '.');
        in.readUnsignedShort();
        int interfaces = in.readUnsignedShort();
        for (int i = 0; i < interfaces; i++) {
            in.readUnsignedShort();
        }
        for (int members = 0; members < 2; members++) {
            int n = in.readUnsignedShort();
            for (int i = 0; i < n; i++) {
                in.readUnsignedShort();
                in.readUnsignedShort();
                in.readUnsignedShort();
                skipAttributes(in);
            }
        }
        Set<String> annotations = new HashSet<>();
        int attributes = in.readUnsignedShort();
        for (int i = 0; i < attributes; i++) {
            String attr = utf8[in.readUnsignedShort()];
            int length = in.readInt();
            if ("RuntimeVisibleAnnotations".equals(attr)) {
                int n = in.readUnsignedShort();
                for (int k = 0; k < n; k++) {
                    annotations.add(annotation(in, utf8));
                }
            } else {
                in.skipNBytes(length);
            }
        }
        return new Info(name, annotations);
    }

    private static void skipAttributes(DataInputStream in) throws IOException {
        int n = in.readUnsignedShort();
        for (int i = 0; i < n; i++) {
            in.readUnsignedShort();
            in.skipNBytes(in.readInt() & 0xffffffffL);
        }
    }

    /** Reads one annotation, returning its type descriptor. */
    private static String annotation(DataInputStream in, String[] utf8) throws IOException {
        String type = utf8[in.readUnsignedShort()];
        int pairs = in.readUnsignedShort();
        for (int i = 0; i < pairs; i++) {
            in.readUnsignedShort();
            skipValue(in, utf8);
        }
        return type;
    }

    private static void skipValue(DataInputStream in, String[] utf8) throws IOException {
        int tag = in.readUnsignedByte();
        switch (tag) {
            case 'B', 'C', 'D', 'F', 'I', 'J', 'S', 'Z', 's', 'c' -> in.readUnsignedShort();
            case 'e' -> {
                in.readUnsignedShort();
                in.readUnsignedShort();
            }
            case '@' -> annotation(in, utf8);
            case '[' -> {
                int n = in.readUnsignedShort();
                for (int i = 0; i < n; i++) {
                    skipValue(in, utf8);
                }
            }
            default -> throw new IOException("unknown element value tag " + (char) tag);
        }
    }
}
