package io.assay.framework.host;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds calls that end the JVM ({@code System.exit}, {@code Runtime.exit}, {@code Runtime.halt}) in a class file,
 * so a plugin whose own code calls one is refused at load, naming the class, instead of taking the server down.
 *
 * <p>It reads the constant pool only. Every call site (an {@code invoke*} instruction, or a method handle constant)
 * refers to a {@code Methodref} constant naming the owner, the method and its descriptor, so the pool lists every
 * method a class can call directly; no instruction decoding is needed. ASM would do the same job, but it is not on
 * the host's class path (ArchUnit's copy is shaded and test-scoped), and this is ~80 lines with no dependency.
 * Reflection ({@code Method.invoke} with names built at run time) is not seen: this is a guard against mistakes in
 * trusted code, not a sandbox ({@code docs/security.md}).
 */
final class HaltCalls {

    private HaltCalls() {
    }

    /** What was found: the class's name and the halting calls it makes (empty when none). */
    record Found(String className, List<String> calls) {
    }

    /**
     * Scans one class file.
     *
     * @throws IOException when the bytes are not a class file
     */
    static Found scan(InputStream classFile) throws IOException {
        DataInputStream in = new DataInputStream(classFile);
        if (in.readInt() != 0xCAFEBABE) {
            throw new IOException("not a class file");
        }
        in.readUnsignedShort(); // minor
        in.readUnsignedShort(); // major
        int count = in.readUnsignedShort();
        String[] utf8 = new String[count];
        int[] classNameIndex = new int[count];
        int[] refClass = new int[count];
        int[] refNameAndType = new int[count];
        boolean[] methodRef = new boolean[count];
        int[] natName = new int[count];
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> utf8[i] = in.readUTF();
                case 3, 4 -> in.skipNBytes(4);
                case 5, 6 -> {
                    in.skipNBytes(8);
                    i++; // longs and doubles take two slots
                }
                case 7 -> classNameIndex[i] = in.readUnsignedShort();
                case 8, 16, 19, 20 -> in.skipNBytes(2);
                case 9 -> in.skipNBytes(4);
                case 10, 11 -> {
                    methodRef[i] = true;
                    refClass[i] = in.readUnsignedShort();
                    refNameAndType[i] = in.readUnsignedShort();
                }
                case 12 -> {
                    natName[i] = in.readUnsignedShort();
                    in.skipNBytes(2);
                }
                case 15 -> in.skipNBytes(3);
                case 17, 18 -> in.skipNBytes(4);
                default -> throw new IOException("unknown constant pool tag " + tag + " at entry " + i);
            }
        }
        in.readUnsignedShort(); // access flags
        int thisClass = in.readUnsignedShort();
        List<String> calls = new ArrayList<>();
        for (int i = 1; i < count; i++) {
            if (!methodRef[i]) {
                continue;
            }
            String owner = at(utf8, at(classNameIndex, refClass[i]));
            String name = at(utf8, at(natName, refNameAndType[i]));
            String call = owner == null || name == null ? null : switch (owner + "." + name) {
                case "java/lang/System.exit" -> "System.exit";
                case "java/lang/Runtime.exit" -> "Runtime.exit";
                case "java/lang/Runtime.halt" -> "Runtime.halt";
                default -> null;
            };
            if (call != null && !calls.contains(call)) {
                calls.add(call);
            }
        }
        String self = at(utf8, at(classNameIndex, thisClass));
        return new Found(self == null ? "?" : self.replace('/', '.'), calls);
    }

    private static int at(int[] a, int i) {
        return i > 0 && i < a.length ? a[i] : 0;
    }

    private static String at(String[] a, int i) {
        return i > 0 && i < a.length ? a[i] : null;
    }
}
