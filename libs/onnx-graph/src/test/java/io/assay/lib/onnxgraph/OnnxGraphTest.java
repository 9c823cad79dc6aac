package io.assay.lib.onnxgraph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.platform.Fp16Conversions;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxGraphTest {

    private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    @TempDir
    Path tmp;

    /** y = relu(x · W + b) reshaped to [1, 3, 1]: W and b eager, checked against the hand-computed values. */
    @Test
    void tinyGraphRunsWithTheHandComputedResult() throws OrtException {
        OnnxGraph g = new OnnxGraph("tiny").opset(17).irVersion(8);
        g.input("x", OnnxGraph.FLOAT, new long[] {-1, 2}, "batch");
        String w = g.floats("w", new long[] {2, 3}, new float[] {1, -1, 2, 0.5f, 3, -4});
        String b = g.floats("b", new long[] {3}, new float[] {0.25f, 0, -1});
        String y = g.op("Relu", new String[] {g.op("Add", new String[] {g.op("MatMul", new String[] {"x", w}), b})});
        g.op("Reshape", new String[] {y, g.constLongs(0, 3, 1)}, "y");
        g.output("y", OnnxGraph.FLOAT, new long[] {-1, 3, 1}, "batch");

        float[] out = run(g.toBytes(), Map.of("x", new float[] {2, 4}), new long[] {1, 2}, "y");
        // x·W = [2·1 + 4·0.5, 2·(-1) + 4·3, 2·2 + 4·(-4)] = [4, 10, -12]; + b = [4.25, 10, -13]; relu.
        assertThat(out).containsExactly(4.25f, 10f, 0f);
    }

    /**
     * If with branches: the branches read the model's input and an initializer declared inside a branch (stored in
     * the model's graph), and only the taken branch's result comes out.
     */
    @Test
    void ifBranchesReadOuterValuesAndInitializers() throws OrtException {
        OnnxGraph g = new OnnxGraph("if").opset(17).irVersion(8);
        g.input("x", OnnxGraph.FLOAT, new long[] {2});
        String cond = g.op("Greater", new String[] {g.op("ReduceSum", new String[] {"x"},
            OnnxGraph.intAttr("keepdims", 0)), g.constFloat(0)});
        OnnxGraph then = g.branch("then");
        then.output(then.op("Mul", new String[] {"x", then.floats("two", new long[] {1}, new float[] {2})}),
                OnnxGraph.FLOAT);
        OnnxGraph otherwise = g.branch("else");
        otherwise.output(otherwise.op("Sub", new String[] {"x", otherwise.constFloat(10)}), OnnxGraph.FLOAT);
        g.op("If", new String[] {cond}, "y", OnnxGraph.graphAttr("then_branch", then),
                OnnxGraph.graphAttr("else_branch", otherwise));
        g.output("y", OnnxGraph.FLOAT, new long[] {2});
        byte[] model = g.toBytes();

        assertThat(run(model, Map.of("x", new float[] {1, 2}), new long[] {2}, "y")).containsExactly(2f, 4f);
        assertThat(run(model, Map.of("x", new float[] {-1, -2}), new long[] {2}, "y")).containsExactly(-11f, -12f);
        assertThatThrownBy(() -> OnnxGraph.graphAttr("then_branch", g)).hasMessageContaining("needs a branch");
    }

    @Test
    void streamedFileEqualsInMemoryBytesAndParsesAsTheSameModel() throws IOException {
        OnnxGraph g = sample(new OnnxGraph("sample").opset(17).irVersion(8));
        byte[] bytes = g.toBytes();
        Path file = tmp.resolve("m.onnx");
        g.write(file);
        assertThat(Files.readAllBytes(file)).isEqualTo(bytes);

        OnnxMl.ModelProto m = OnnxMl.ModelProto.parseFrom(bytes);
        // Streamed in protobuf's canonical field order: re-serializing the parsed model gives the same bytes.
        assertThat(m.toByteArray()).isEqualTo(bytes);
        assertThat(m.getIrVersion()).isEqualTo(8);
        assertThat(m.getOpsetImport(0).getVersion()).isEqualTo(17);
        assertThat(m.getGraph().getInitializerList()).extracting(OnnxMl.TensorProto::getName)
                .containsExactly("big", "small", "const_i64_0");
        OnnxMl.TensorProto big = m.getGraph().getInitializer(0);
        assertThat(big.getDimsList()).containsExactly(600L, 600L);
        assertThat(big.getRawData().size()).isEqualTo(600 * 600 * 4);
        assertThat(big.getRawData().asReadOnlyByteBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN).getFloat(4 * 1234))
                .isEqualTo(value(1234));
        assertThat(m.getGraph().getNodeCount()).isEqualTo(3);
    }

    /**
     * External data: the 1.44 MB tensor goes to model.onnx_data at a 64 KiB boundary, the 12-byte one stays inline,
     * and ONNX Runtime loading by path computes exactly what the all-inline model computes.
     */
    @Test
    void externalDataRoundTripLoadedByPath() throws IOException, OrtException {
        OnnxGraph g = new OnnxGraph("sample").opset(17).irVersion(8);
        g.floats("pad", new long[] {300}, new float[300]); // 1200 bytes: external, shifts the big tensor's offset
        sample(g);
        Path dir = Files.createDirectories(tmp.resolve("ext"));
        long[] seen = new long[2];
        g.write(dir.resolve("model.onnx"), ExternalData.OPTIMUM, (done, total) -> {
            seen[0] = done;
            seen[1] = total;
        });
        assertThat(seen).containsExactly(g.initializerBytes(), g.initializerBytes());
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("model.onnx",
                    "model.onnx_data");
        }

        byte[] modelBytes = Files.readAllBytes(dir.resolve("model.onnx"));
        OnnxMl.ModelProto m = OnnxMl.ModelProto.parseFrom(modelBytes);
        assertThat(m.toByteArray()).isEqualTo(modelBytes);
        Map<String, OnnxMl.TensorProto> inits = new HashMap<>();
        m.getGraph().getInitializerList().forEach(t -> inits.put(t.getName(), t));
        assertThat(inits.get("small").getDataLocation()).isEqualTo(OnnxMl.TensorProto.DataLocation.DEFAULT);
        assertThat(inits.get("small").getRawData().size()).isEqualTo(12);
        assertThat(external(inits.get("pad"))).containsExactly("model.onnx_data", "0", "1200");
        assertThat(external(inits.get("big"))).containsExactly("model.onnx_data", "65536", "1440000");
        assertThat(inits.get("big").hasRawData()).isFalse();
        assertThat(Files.size(dir.resolve("model.onnx_data"))).isEqualTo(65536 + 1_440_000);

        Map<String, float[]> in = Map.of("x", ramp(600));
        float[] viaFile;
        try (OrtSession s = ENV.createSession(dir.resolve("model.onnx").toString())) {
            viaFile = run(s, in, new long[] {1, 600}, "y");
        }
        float[] inline = run(g.toBytes(), in, new long[] {1, 600}, "y");
        assertThat(viaFile).containsExactly(inline);
        assertThat(viaFile[7]).isCloseTo(expected(7), within(1e-3f));
    }

    /** float16 initializers (eager and lazy) come back through ONNX Runtime as the nearest float16 values. */
    @Test
    void float16InitializerRoundTrip() throws OrtException {
        float[] values = {0.1f, -2.5f, 65504f, 1e-6f, 3.14159f, -0.0003f};
        OnnxGraph g = new OnnxGraph("fp16").opset(17).irVersion(8);
        g.input("x", OnnxGraph.FLOAT, new long[] {6});
        String eager = g.float16s("eager", new long[] {6}, values);
        String lazy = g.weights("lazy", OnnxGraph.FLOAT16, new long[] {6},
                (first, out, count) -> System.arraycopy(values, (int) first, out, 0, count));
        g.op("Add", new String[] {"x", g.cast(eager, OnnxGraph.FLOAT)}, "a");
        g.op("Cast", new String[] {lazy}, "b", OnnxGraph.intAttr("to", OnnxGraph.FLOAT));
        g.output("a", OnnxGraph.FLOAT, new long[] {6});
        g.output("b", OnnxGraph.FLOAT, new long[] {6});
        byte[] model = g.toBytes();
        float[] a = run(model, Map.of("x", new float[6]), new long[] {6}, "a");
        float[] b = run(model, Map.of("x", new float[6]), new long[] {6}, "b");
        for (int i = 0; i < values.length; i++) {
            float nearest = Fp16Conversions.fp16ToFloat(Fp16Conversions.floatToFp16(values[i]));
            assertThat(a[i]).as("eager %s", values[i]).isEqualTo(nearest);
            assertThat(b[i]).as("lazy %s", values[i]).isEqualTo(nearest);
        }
        assertThat(a[2]).isEqualTo(65504f);
        assertThat(a[0]).isNotEqualTo(0.1f).isCloseTo(0.1f, within(1e-4f));
    }

    @Test
    void halfConversionAgreesWithOnnxRuntime() {
        for (int bits = 0; bits < 65536; bits++) {
            float f = Fp16Conversions.fp16ToFloat((short) bits);
            if (!Float.isNaN(f)) {
                assertThat(Half.toFloat((short) bits)).as("bits %04x", bits).isEqualTo(f);
                assertThat(Half.fromFloat(f)).as("exact %s", f).isEqualTo((short) bits);
            }
        }
        Random r = new Random(7);
        for (int i = 0; i < 200_000; i++) {
            float f = Float.intBitsToFloat(r.nextInt());
            if (!Float.isNaN(f)) {
                assertThat(Half.fromFloat(f)).as("%s", f).isEqualTo(Fp16Conversions.floatToFp16(f));
            }
        }
        // Ties go to even: 1 + 2^-11 lies halfway between 1 and 1 + 2^-10.
        assertThat(Half.fromFloat(1f + 0x1p-11f)).isEqualTo((short) 0x3c00);
        assertThat(Half.fromFloat(1f + 3 * 0x1p-11f)).isEqualTo((short) 0x3c02);
        assertThat(Half.fromFloat(65520f)).isEqualTo((short) 0x7c00);
    }

    @Test
    void modelOverTwoGibibytesInlineIsRefusedBeforeAnythingIsWritten() {
        OnnxGraph g = new OnnxGraph("huge");
        g.weights("w", OnnxGraph.FLOAT, new long[] {600_000_000L}, (first, out, count) -> {
            throw new AssertionError("no data may be generated for a refused model");
        });
        Path file = tmp.resolve("huge.onnx");
        assertThatThrownBy(() -> g.write(file)).isInstanceOf(IOException.class)
                .hasMessageContaining("huge.onnx").hasMessageContaining("2400000").hasMessageContaining("2 GiB");
        assertThat(tmp.toFile().list()).isEmpty();
    }

    @Test
    void badInputIsNamed() {
        OnnxGraph g = new OnnxGraph("bad");
        assertThatThrownBy(() -> g.floats("w", new long[] {2, 3}, new float[5]))
                .hasMessage("initializer 'w': shape [2, 3] has 6 elements, data has 5");
        g.scalar("s", 1f);
        assertThatThrownBy(() -> g.scalar("s", 2f)).hasMessage("initializer 's' is already defined");
        g.op("Relu", new String[] {"x"}, "y");
        assertThatThrownBy(() -> g.op("Relu", new String[] {"x"}, "y"))
                .hasMessage("value 'y' is already produced by another node");
        assertThatThrownBy(() -> new ExternalData("../x", 0)).hasMessageContaining("'../x'");
    }

    /** y = x · big + small[0], big[i] = value(i) (a lazy 600×600 float tensor). */
    private static OnnxGraph sample(OnnxGraph g) {
        g.input("x", OnnxGraph.FLOAT, new long[] {-1, 600}, "batch");
        String big = g.weights("big", OnnxGraph.FLOAT, new long[] {600, 600}, (first, out, count) -> {
            for (int i = 0; i < count; i++) {
                out[i] = value(first + i);
            }
        });
        String small = g.floats("small", new long[] {3}, new float[] {0.5f, 1, 2});
        String s0 = g.op("Gather", new String[] {small, g.constLongs(0)});
        g.op("Add", new String[] {g.op("MatMul", new String[] {"x", big}), s0}, "y");
        g.output("y", OnnxGraph.FLOAT, new long[] {-1, 600}, "batch");
        return g;
    }

    private static float value(long i) {
        return (float) Math.sin(i * 0.001) * 0.01f;
    }

    private static float[] ramp(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = i / (float) n;
        }
        return x;
    }

    /** Column {@code j} of {@code ramp · big + 0.5}, in double. */
    private static float expected(int j) {
        double s = 0.5;
        for (int i = 0; i < 600; i++) {
            s += i / 600.0 * value((long) i * 600 + j);
        }
        return (float) s;
    }

    private static List<String> external(OnnxMl.TensorProto t) {
        assertThat(t.getDataLocation()).isEqualTo(OnnxMl.TensorProto.DataLocation.EXTERNAL);
        assertThat(t.getExternalDataList()).extracting(OnnxMl.StringStringEntryProto::getKey)
                .containsExactly("location", "offset", "length");
        return t.getExternalDataList().stream().map(OnnxMl.StringStringEntryProto::getValue).toList();
    }

    private static float[] run(byte[] model, Map<String, float[]> inputs, long[] shape, String output)
            throws OrtException {
        try (OrtSession s = ENV.createSession(model)) {
            return run(s, inputs, shape, output);
        }
    }

    private static float[] run(OrtSession s, Map<String, float[]> inputs, long[] shape, String output)
            throws OrtException {
        Map<String, OnnxTensor> feed = new HashMap<>();
        try {
            for (Map.Entry<String, float[]> e : inputs.entrySet()) {
                feed.put(e.getKey(), OnnxTensor.createTensor(ENV, FloatBuffer.wrap(e.getValue()), shape));
            }
            try (OrtSession.Result r = s.run(feed)) {
                FloatBuffer fb = ((OnnxTensor) r.get(output).orElseThrow()).getFloatBuffer();
                float[] out = new float[fb.remaining()];
                fb.get(out);
                return out;
            }
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
    }
}
