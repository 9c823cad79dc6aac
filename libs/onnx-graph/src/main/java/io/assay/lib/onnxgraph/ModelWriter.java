package io.assay.lib.onnxgraph;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.CodedOutputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * Serializes an {@link OnnxGraph} as a stream, in protobuf's canonical field order (the bytes
 * {@code ModelProto.toByteArray()} would give): the model's fields numbered below the graph's, the graph's
 * length-delimited header, its nodes and name, each initializer (dims, type, name, then its raw data produced chunk
 * by chunk), its inputs and outputs, then the model's opset imports. Every length is known in advance from the shapes,
 * so nothing larger than a chunk is ever held. Chunks are produced on a small thread pool and written in order, so
 * the bytes do not depend on the thread count.
 *
 * <p>With {@link ExternalData}, initializers of at least the threshold go to one data file instead (offsets and
 * lengths in {@code TensorProto.external_data}, keys {@code location}/{@code offset}/{@code length}, as
 * {@code onnx.save_model(..., save_as_external_data=True, all_tensors_to_one_file=True)} writes them). Tensors larger
 * than 1 MiB start at a 64 KiB boundary, ONNX Runtime's own alignment rule for memory-mapping external initializers
 * (its {@code ModelSavingOptions}: 4 KiB pages, 64 KiB allocation granularity on Windows); smaller ones follow each
 * other.
 */
final class ModelWriter {

    /** Protobuf's limit on a serialized message. */
    static final long PROTOBUF_LIMIT = Integer.MAX_VALUE;
    static final int CHUNK_ELEMENTS = 1 << 20;
    static final long ALIGN_THRESHOLD = 1 << 20;
    static final long ALIGNMENT = 1 << 16;

    private final OnnxGraph graph;
    private final ExternalData external;
    private final int threads;
    private final WriteProgress progress;
    private final long total;
    private long done;

    ModelWriter(OnnxGraph graph, ExternalData external, int threads, WriteProgress progress) {
        this.graph = graph;
        this.external = external;
        this.threads = Math.max(1, threads);
        this.progress = progress;
        this.total = graph.initializerBytes();
    }

    /** A unit of output: ready bytes, or a chunk to produce. */
    private record Segment(Supplier<byte[]> bytes, boolean data) {
    }

    /** Writes {@code model} (and the data file, if any tensor goes there) atomically. */
    void write(Path model) throws IOException {
        Path abs = model.toAbsolutePath();
        Path dir = abs.getParent();
        Files.createDirectories(dir);
        Path dataTmp = null;
        Path modelTmp = null;
        ExecutorService pool = threads > 1 ? Executors.newFixedThreadPool(threads, daemon()) : null;
        try {
            Plan plan = plan();
            if (plan.modelSize() >= PROTOBUF_LIMIT) {
                throw new IOException("'" + abs + "' would be " + plan.modelSize() + " bytes, over protobuf's 2 GiB "
                        + "limit; write it with external data (" + (external == null ? "none was given"
                        : "threshold " + external.sizeThreshold() + " bytes") + ")");
            }
            if (!plan.externalSegments().isEmpty()) {
                dataTmp = Files.createTempFile(dir, "." + external.location() + ".", ".tmp");
                try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(dataTmp), 1 << 20)) {
                    pump(plan.externalSegments(), out, pool);
                }
            }
            modelTmp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".tmp");
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(modelTmp), 1 << 20)) {
                pump(plan.modelSegments(), out, pool);
            }
            if (dataTmp != null) {
                Files.move(dataTmp, dir.resolve(external.location()), StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.ATOMIC_MOVE);
                dataTmp = null;
            }
            Files.move(modelTmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            modelTmp = null;
        } finally {
            if (pool != null) {
                pool.shutdownNow();
            }
            if (dataTmp != null) {
                Files.deleteIfExists(dataTmp);
            }
            if (modelTmp != null) {
                Files.deleteIfExists(modelTmp);
            }
        }
    }

    /** The size of the model file this writer would write. */
    long modelSize() {
        return plan().modelSize();
    }

    /** Writes the model stream (every initializer inline: {@code external} must be null) to {@code out}. */
    void writeTo(OutputStream out, ExecutorService pool) throws IOException {
        pump(plan().modelSegments(), out, pool);
    }

    private record Plan(List<Segment> modelSegments, List<Segment> externalSegments, long modelSize) {
    }

    private Plan plan() {
        List<Segment> ext = new ArrayList<>();
        List<Segment> body = new ArrayList<>();
        long graphSize = 0;
        long offset = 0;
        OnnxMl.GraphProto g = graph.graphWithoutInitializers();
        // Canonical order: node (1) and name (2) before initializer (5); the rest (inputs 11, outputs 12, …) after.
        byte[] graphHead = OnnxMl.GraphProto.newBuilder().addAllNode(g.getNodeList()).setName(g.getName()).build()
                .toByteArray();
        byte[] graphTail = g.toBuilder().clearNode().clearName().build().toByteArray();
        graphSize += graphHead.length + graphTail.length;
        for (Initializer init : graph.initializers()) {
            long bytes = init.bytes();
            OnnxMl.TensorProto header = init.header();
            if (external != null && bytes >= external.sizeThreshold()) {
                if (bytes > ALIGN_THRESHOLD && offset % ALIGNMENT != 0) {
                    long pad = ALIGNMENT - offset % ALIGNMENT;
                    ext.add(fixed(new byte[(int) pad]));
                    offset += pad;
                }
                header = header.toBuilder().setDataLocation(OnnxMl.TensorProto.DataLocation.EXTERNAL)
                        .addExternalData(entry("location", external.location()))
                        .addExternalData(entry("offset", Long.toString(offset)))
                        .addExternalData(entry("length", Long.toString(bytes))).build();
                chunks(init, ext);
                offset += bytes;
                byte[] h = header.toByteArray();
                body.add(fixed(concat(frame(OnnxMl.GraphProto.INITIALIZER_FIELD_NUMBER, h.length), h)));
                graphSize += frameSize(OnnxMl.GraphProto.INITIALIZER_FIELD_NUMBER, h.length);
            } else {
                byte[] h = header.toByteArray();
                byte[] rawFrame = frame(OnnxMl.TensorProto.RAW_DATA_FIELD_NUMBER, bytes);
                long size = h.length + rawFrame.length + bytes;
                body.add(fixed(concat(frame(OnnxMl.GraphProto.INITIALIZER_FIELD_NUMBER, size), h, rawFrame)));
                chunks(init, body);
                graphSize += frameSize(OnnxMl.GraphProto.INITIALIZER_FIELD_NUMBER, size);
            }
        }
        List<Segment> model = new ArrayList<>();
        OnnxMl.ModelProto header = graph.modelHeader().build();
        // Canonical order: ir_version (1) … doc_string (6), graph (7), then opset_import (8) and later fields.
        byte[] head = header.toBuilder().clearOpsetImport().build().toByteArray();
        byte[] tail = OnnxMl.ModelProto.newBuilder().addAllOpsetImport(header.getOpsetImportList()).build()
                .toByteArray();
        byte[] graphFrame = frame(OnnxMl.ModelProto.GRAPH_FIELD_NUMBER, graphSize);
        model.add(fixed(concat(head, graphFrame, graphHead)));
        model.addAll(body);
        model.add(fixed(concat(graphTail, tail)));
        return new Plan(model, ext, head.length + graphFrame.length + graphSize + tail.length);
    }

    private static void chunks(Initializer init, List<Segment> into) {
        long n = init.elements();
        for (long first = 0; first < n; first += CHUNK_ELEMENTS) {
            long from = first;
            int count = (int) Math.min(CHUNK_ELEMENTS, n - first);
            into.add(new Segment(() -> init.encode(from, count), true));
        }
    }

    private static Segment fixed(byte[] bytes) {
        return new Segment(() -> bytes, false);
    }

    private static OnnxMl.StringStringEntryProto entry(String key, String value) {
        return OnnxMl.StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    /** A length-delimited field's tag and length prefix. */
    private static byte[] frame(int field, long length) {
        byte[] out = new byte[CodedOutputStream.computeTagSize(field)
                + CodedOutputStream.computeUInt64SizeNoTag(length)];
        CodedOutputStream c = CodedOutputStream.newInstance(out);
        try {
            c.writeTag(field, 2);
            c.writeUInt64NoTag(length);
            c.flush();
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode a field header", e);
        }
        return out;
    }

    /** Size of a length-delimited field holding {@code length} bytes. */
    private static long frameSize(int field, long length) {
        return CodedOutputStream.computeTagSize(field) + CodedOutputStream.computeUInt64SizeNoTag(length) + length;
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    /** Writes the segments in order, producing up to {@code 2 × threads} ahead on {@code pool} (if any). */
    private void pump(List<Segment> segments, OutputStream out, ExecutorService pool) throws IOException {
        if (pool == null) {
            for (Segment s : segments) {
                emit(s, s.bytes().get(), out);
            }
            return;
        }
        Deque<Future<byte[]>> window = new ArrayDeque<>();
        Deque<Segment> pending = new ArrayDeque<>();
        int next = 0;
        int ahead = 2 * threads;
        try {
            while (next < segments.size() || !window.isEmpty()) {
                while (window.size() < ahead && next < segments.size()) {
                    Segment s = segments.get(next++);
                    window.add(pool.submit(s.bytes()::get));
                    pending.add(s);
                }
                emit(pending.poll(), window.poll().get(), out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while writing the model");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException("generating initializer data failed: " + c, c);
        } finally {
            window.forEach(f -> f.cancel(true));
        }
    }

    private void emit(Segment s, byte[] bytes, OutputStream out) throws IOException {
        out.write(bytes);
        if (s.data()) {
            done += bytes.length;
            progress.bytesWritten(done, total);
        }
    }

    private static java.util.concurrent.ThreadFactory daemon() {
        return r -> {
            Thread t = new Thread(r, "onnx-graph-writer");
            t.setDaemon(true);
            return t;
        };
    }
}
