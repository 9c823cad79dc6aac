package io.assay.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.assay.framework.cli.ServeCommand;
import io.assay.framework.io.OutLock;
import io.assay.framework.serve.Server;
import io.assay.sdk.testkit.PluginArchiveBuilder;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile and faulty inputs, each refused cleanly: the server's security model (token, Host, Origin, uploads), the
 * typed request policy (no file settings, limits after overrides, typed fields), the CLI's budgets and init-image
 * checks, numbers checked rather than coerced, non-finite stage output, outputs never replaced and locked output
 * directories. Every case asserts the status or exit code, a message naming the header, field, key or path, no stack
 * trace, and (for the server, which all cases share) that {@code /api/status} still answers afterwards. Every input
 * is made here; nothing binary is committed.
 */
class HostileInputsIT {

    @TempDir
    static Path tmp;

    static Path plugins;
    static Path cache;
    static Path serveOut;
    static Server server;
    static int port;
    static String token;
    static final ObjectMapper JSON = new ObjectMapper();

    /** Everything written to System.err while the suite runs (the server logs there). */
    static final ByteArrayOutputStream ERR = new ByteArrayOutputStream();
    static PrintStream originalErr;

    /** A guidance that turns non-finite at a chosen step (a broken plugin, or fp16 overflow in a real one). */
    static final String NAN_GUIDANCE = """
            package io.assay.plugins.nan;

            import io.assay.sdk.*;
            import io.assay.sdk.diffusion.*;
            import io.assay.sdk.tensor.Tensor;
            import java.util.*;

            @org.pf4j.Extension
            @Component(name = "nan-cfg", description = "CFG that goes non-finite at a chosen step", settings = NanSettings.class)
            public final class NanGuidance implements Guidance {
                private final float bad;
                private final int at;

                @jakarta.inject.Inject
                public NanGuidance(NanSettings settings) {
                    this.bad = settings.kind().equals("inf") ? Float.POSITIVE_INFINITY : Float.NaN;
                    this.at = settings.atStep();
                }

                @Override
                public Run start(int iterations) {
                    return new Run() {
                        public List<ConditioningKind> needs(StepInfo s) {
                            return List.of(ConditioningKind.UNCOND, ConditioningKind.COND);
                        }

                        public Tensor combine(StepInfo s, Map<ConditioningKind, Tensor> p, Tensor sample) {
                            float[] u = p.get(ConditioningKind.UNCOND).data();
                            float[] c = p.get(ConditioningKind.COND).data();
                            float[] o = new float[u.length];
                            for (int i = 0; i < o.length; i++) {
                                o[i] = u[i] + 7.5f * (c[i] - u[i]);
                            }
                            if (s.iteration() + 1 >= at) {
                                o[o.length / 2] = bad;
                            }
                            return new Tensor(p.get(ConditioningKind.COND).shape(), o);
                        }

                        public String describe() {
                            return "nan-cfg";
                        }
                    };
                }
            }
            """;

    @BeforeAll
    static void start() throws Exception {
        originalErr = System.err;
        System.setErr(new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                synchronized (ERR) {
                    ERR.write(b);
                }
                originalErr.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                synchronized (ERR) {
                    ERR.write(b, off, len);
                }
                originalErr.write(b, off, len);
            }
        }, true));
        plugins = Files.createDirectories(tmp.resolve("plugins"));
        cache = Dist.worldCache();
        serveOut = tmp.resolve("serve-out");
        try (Stream<Path> s = Files.list(Dist.home().resolve("plugins"))) {
            for (Path p : s.filter(p -> p.toString().endsWith(".zip") && !p.toString().contains("language"))
                    .toList()) {
                Files.copy(p, plugins.resolve(p.getFileName()));
            }
        }
        Path nan = PluginArchiveBuilder.plugin("nan", "1.0.0")
                .source("io.assay.plugins.nan.NanGuidance", NAN_GUIDANCE)
                .source("io.assay.plugins.nan.NanSettings", "package io.assay.plugins.nan;\n"
                        + "public record NanSettings(@io.assay.sdk.Setting(doc = \"scale\", defaultValue = \"7.5\") "
                        + "double scale, @io.assay.sdk.Setting(doc = \"nan or inf\", defaultValue = "
                        + "\"nan\", oneOf = {\"nan\", \"inf\"}) String kind, @io.assay.sdk.Setting(doc = \"first bad "
                        + "step\", defaultValue = \"1\", min = 1) int atStep) {}\n")
                .build(Files.createDirectories(tmp.resolve("build")));
        Files.copy(nan, plugins.resolve("nan.zip"));
        server = ServeCommand.start(List.of("--port", "0", "--workers", "1", "--queue", "4", "--timeout", "60",
                "--body-timeout", "2", "--no-watch", "--plugins-dir", plugins.toString(), "--experiments",
                Dist.configs().resolve("experiments").toString(), "--out", serveOut.toString(), "--set",
                cacheSet()), new PrintWriter(new StringWriter(), true));
        port = server.port();
        token = server.token();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (originalErr != null) {
            System.setErr(originalErr);
        }
    }

    static String cacheSet() {
        return "model.cache-dir=\"" + cache + "\"";
    }

    // ---------------------------------------------------------------------------------------------------------
    // A raw HTTP/1.1 client: java.net.http cannot send a forged Host header, and an attacker's browser can.

    record Answer(int status, Map<String, String> headers, String body) {
    }

    static final String LOOPBACK = "@loopback";

    static Answer http(String method, String path, Map<String, String> headers, byte[] body) throws IOException {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Host", "127.0.0.1:" + port);
        h.putAll(headers);
        StringBuilder req = new StringBuilder(method + " " + path + " HTTP/1.1\r\n");
        for (Map.Entry<String, String> e : h.entrySet()) {
            if (e.getValue() != null) {
                req.append(e.getKey()).append(": ").append(e.getValue().replace(LOOPBACK, "127.0.0.1:" + port))
                        .append("\r\n");
            }
        }
        req.append("Connection: close\r\n");
        req.append("Content-Length: ").append(body == null ? 0 : body.length).append("\r\n\r\n");
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(60_000);
            OutputStream out = s.getOutputStream();
            out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
            if (body != null) {
                out.write(body);
            }
            out.flush();
            byte[] all = s.getInputStream().readAllBytes();
            return parse(all);
        }
    }

    static Answer parse(byte[] all) {
        String text = new String(all, StandardCharsets.ISO_8859_1);
        int split = text.indexOf("\r\n\r\n");
        String head = text.substring(0, split);
        String[] lines = head.split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int c = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, c).trim().toLowerCase(Locale.ROOT), lines[i].substring(c + 1).trim());
        }
        byte[] raw = Arrays.copyOfRange(all, split + 4, all.length);
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            int at = 0;
            while (true) {
                int eol = indexOf(raw, at);
                int size = Integer.parseInt(new String(raw, at, eol - at, StandardCharsets.ISO_8859_1).split(";")[0]
                        .trim(), 16);
                if (size == 0) {
                    break;
                }
                b.write(raw, eol + 2, size);
                at = eol + 2 + size + 2;
            }
            raw = b.toByteArray();
        }
        return new Answer(status, headers, new String(raw, StandardCharsets.UTF_8));
    }

    private static int indexOf(byte[] b, int from) {
        for (int i = from; i < b.length - 1; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n') {
                return i;
            }
        }
        throw new IllegalStateException("bad chunked body");
    }

    static Map<String, String> auth() {
        return Map.of("X-Assay-Token", token, "Content-Type", "application/json");
    }

    static Answer post(String path, String json) throws IOException {
        return http("POST", path, auth(), json.getBytes(StandardCharsets.UTF_8));
    }

    static String errMark() {
        synchronized (ERR) {
            return ERR.toString(StandardCharsets.UTF_8);
        }
    }

    /** What every server case ends with: a clean answer, no stack trace anywhere, and a server still serving. */
    static void stillHealthy(Answer a, int errBefore) throws IOException {
        assertThat(a.body()).as("no Java internals in the answer").doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(a.headers().getOrDefault("access-control-allow-origin", "")).as("never a CORS wildcard")
                .doesNotContain("*");
        String err = errMark().substring(errBefore);
        assertThat(err).as("server stderr").doesNotContain("\tat ").doesNotContain("Exception");
        Answer status = http("GET", "/api/status", Map.of(), null);
        assertThat(status.status()).as("/api/status after the case").isEqualTo(200);
        assertThat(JSON.readTree(status.body()).has("running")).isTrue();
    }

    // ---------------------------------------------------------------------------------------------------------
    // 1. The security model: every state-changing route, every attack.

    static Stream<Arguments> stateChangingRequests() {
        List<String[]> routes = List.of(
                new String[] {"POST", "/api/jobs", "{\"prompt\": \"x\", \"steps\": 2}"},
                new String[] {"POST", "/api/generate", "{\"prompt\": \"x\", \"steps\": 2}"},
                new String[] {"POST", "/api/compare", "{\"experiment\": \"commodity-cfg-sweep\"}"},
                new String[] {"POST", "/api/plugins?filename=evil.zip", "PK\u0003\u0004not really a zip"},
                new String[] {"POST", "/api/plugins/noise/reload", ""},
                new String[] {"DELETE", "/api/plugins/noise", ""},
                new String[] {"DELETE", "/api/jobs/00000000-0000-0000-0000-000000000000", ""},
                new String[] {"POST", "/sdapi/v1/txt2img", "{\"prompt\": \"x\", \"steps\": 2}"},
                new String[] {"POST", "/sdapi/v1/img2img", "{\"prompt\": \"x\", \"init_images\": [\"AAAA\"]}"},
                new String[] {"POST", "/sdapi/v1/options", "{\"sd_model_checkpoint\": \"other\"}"},
                new String[] {"POST", "/sdapi/v1/interrupt", ""});
        // attack name, extra headers (null value = header left out), expected status, words the message must hold
        List<Object[]> attacks = List.of(
                new Object[] {"no token", Map.of("Content-Type", "application/json"), 401,
                        List.of("Authorization: Bearer", "X-Assay-Token")},
                new Object[] {"wrong X-Assay-Token", Map.of("X-Assay-Token", "0".repeat(64)), 401,
                        List.of("X-Assay-Token", "not this server's")},
                new Object[] {"wrong bearer token", Map.of("Authorization", "Bearer guess"), 401,
                        List.of("Authorization", "not this server's")},
                new Object[] {"cross-site origin with the token", Map.of("X-Assay-Token", "@token", "Origin",
                        "http://evil.example"), 403, List.of("'Origin'", "http://evil.example")},
                new Object[] {"cross-site simple request (text/plain, no preflight)", Map.of("Content-Type",
                        "text/plain", "Origin", "http://evil.example"), 403, List.of("'Origin'")},
                new Object[] {"DNS rebinding (Host names another site) with the token", Map.of("X-Assay-Token",
                        "@token", "Host", "evil.example:" + "@port"), 403, List.of("'Host'", "evil.example")});
        List<Arguments> out = new ArrayList<>();
        for (String[] r : routes) {
            for (Object[] a : attacks) {
                out.add(Arguments.of(r[0] + " " + r[1] + " — " + a[0], r[0], r[1], r[2], a[1], a[2], a[3]));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stateChangingRequests")
    void stateChangingRequestsAreRefusedWithoutTheTokenOrFromAnotherSite(String name, String method, String path,
            String body, Map<String, String> headers, int status, List<String> words) throws Exception {
        int mark = errMark().length();
        Map<String, String> h = new LinkedHashMap<>();
        headers.forEach((k, v) -> h.put(k, v.replace("@token", token).replace("@port", String.valueOf(port))));
        Answer a = http(method, path, h, body.getBytes(StandardCharsets.UTF_8));
        assertThat(a.status()).as(a.body()).isEqualTo(status);
        assertThat(a.body()).contains(words);
        assertThat(plugins.resolve("evil.zip")).as("nothing installed").doesNotExist();
        JsonNode list = JSON.readTree(http("GET", "/api/plugins", Map.of(), null).body());
        assertThat(list.findValuesAsText("id")).as("nothing unloaded").contains("noise", "onnx-sd");
        stillHealthy(a, mark);
    }

    static Stream<Arguments> hostsAndOrigins() {
        return Stream.of(
                Arguments.of("page requested under a rebound name (the token must not leak)", "GET", "/",
                        Map.of("Host", "evil.example:@port"), 403, "'Host'"),
                Arguments.of("a look-alike loopback name", "GET", "/api/status",
                        Map.of("Host", "localhost.evil.example:@port"), 403, "'Host'"),
                Arguments.of("the right address without the port", "GET", "/api/config", Map.of("Host", "127.0.0.1"),
                        403, "'Host'"),
                Arguments.of("another port", "GET", "/api/plugins", Map.of("Host", "127.0.0.1:1"), 403, "'Host'"),
                Arguments.of("an empty Host", "GET", "/api/plugins", Map.of("Host", ""), 403, "'Host'"),
                Arguments.of("a private address", "GET", "/sdapi/v1/samplers", Map.of("Host", "192.168.1.1:@port"),
                        403, "'Host'"),
                Arguments.of("Origin null (sandboxed frame, file://)", "POST", "/sdapi/v1/options",
                        Map.of("Origin", "null", "X-Assay-Token", "@token"), 403, "'Origin'"),
                Arguments.of("Origin sharing a prefix with ours", "POST", "/sdapi/v1/options",
                        Map.of("Origin", "http://127.0.0.1:@port.evil.example", "X-Assay-Token", "@token"), 403,
                        "'Origin'"),
                Arguments.of("Origin with another scheme", "POST", "/sdapi/v1/options",
                        Map.of("Origin", "https://127.0.0.1:@port", "X-Assay-Token", "@token"), 403, "'Origin'"),
                Arguments.of("CORS preflight from another site", "OPTIONS", "/api/plugins",
                        Map.of("Origin", "http://evil.example", "Access-Control-Request-Method", "POST"), 403,
                        "'Origin'"),
                Arguments.of("localhost by name", "GET", "/api/status", Map.of("Host", "localhost:@port"), 200,
                        "running"),
                Arguments.of("IPv6 loopback by name", "GET", "/api/status", Map.of("Host", "[::1]:@port"), 200,
                        "running"),
                Arguments.of("our own origin with the token", "POST", "/sdapi/v1/options",
                        Map.of("Origin", "http://127.0.0.1:@port", "X-Assay-Token", "@token", "Content-Type",
                                "application/json"), 200, "{}"),
                Arguments.of("the bearer form of the token", "POST", "/sdapi/v1/options",
                        Map.of("Authorization", "Bearer @token", "Content-Type", "application/json"), 200, "{}"),
                Arguments.of("reads need no token", "GET", "/api/plugins", Map.of(), 200, "onnx-sd"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostsAndOrigins")
    void hostAndOriginMustBeTheServersOwn(String name, String method, String path, Map<String, String> headers,
            int status, String word) throws Exception {
        int mark = errMark().length();
        Map<String, String> h = new LinkedHashMap<>();
        headers.forEach((k, v) -> h.put(k, v.replace("@token", token).replace("@port", String.valueOf(port))));
        Answer a = http(method, path, h, method.equals("POST") ? "{}".getBytes(StandardCharsets.UTF_8) : null);
        assertThat(a.status()).as(a.body()).isEqualTo(status);
        assertThat(a.body()).contains(word);
        if (status != 200) {
            assertThat(a.body()).as("the token never leaves in a refusal").doesNotContain(token);
        }
        stillHealthy(a, mark);
    }

    @Test
    void pluginUploadIsOffUnlessAllowedAndTheTokenFileIsTheOwnersOnly() throws Exception {
        int mark = errMark().length();
        Answer a = http("POST", "/api/plugins?filename=ok.zip", Map.of("X-Assay-Token", token),
                new byte[] {'P', 'K', 3, 4});
        assertThat(a.status()).isEqualTo(403);
        assertThat(a.body()).contains("--allow-plugin-upload");
        assertThat(plugins.resolve("ok.zip")).doesNotExist();
        Path file = serveOut.resolve(ServeCommand.TOKEN_FILE);
        assertThat(Files.readString(file).trim()).isEqualTo(token).hasSize(64);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        Answer page = http("GET", "/", Map.of(), null);
        assertThat(page.body()).as("the page's own script gets the token").contains("content=\"" + token + "\"",
                "X-Assay-Token");
        assertThat(page.headers()).containsEntry("x-frame-options", "DENY");
        stillHealthy(a, mark);
    }

    // ---------------------------------------------------------------------------------------------------------
    // 2. The typed request policy: no file settings, limits after overrides, for every route.

    static Stream<Arguments> policyViolations() {
        List<Arguments> out = new ArrayList<>();
        String[][] overrides = {
                {"\"noise.name\": \"replay\", \"noise.initial\": \"/etc/passwd\"", "noise.initial", "file"},
                {"\"noise.initial\": \"/no/such/file.npy\"", "noise.initial", "file"},
                {"\"noise.steps\": \"/etc/passwd\"", "noise.steps", "file"},
                {"\"scheduler.model-dir\": \"/etc\"", "scheduler.model-dir", "file"},
                {"\"run.init-image\": \"/etc/passwd\"", "run.init-image", "not allowed"},
                {"\"model.dir\": \"/etc\"", "model.dir", "not allowed"},
                {"\"output.dir\": \"/tmp/elsewhere\"", "output.dir", "not allowed"},
                {"\"onnx.execution-providers\": [\"cuda\"]", "onnx.execution-providers", "not allowed"},
                {"\"plugins.watch\": true", "plugins.watch", "not allowed"},
                {"\"run.max-pixels\": 999999999999", "run.max-pixels", "not allowed"},
                {"\"../../etc/passwd\": 1", "../../etc/passwd", "not allowed"},
                {"\"run\": 1", "'run'", "not allowed"},
                {"\"noise.initial.x\": \"/etc/passwd\"", "noise.initial.x", "not allowed"},
                {"\"guidance.no-such-setting\": 1", "guidance.no-such-setting", "not a setting"},
                {"\"guidance.scale\": {\"nested\": 1}", "guidance.scale", "must be a string, number"},
                {"\"run.steps\": 1000", "run.steps", "1000"},
                {"\"run.steps\": 501", "run.steps", "[1, 500]"},
                {"\"run.batch\": 64", "run.batch", "64"},
                {"\"run.batch\": 9", "run.batch", "[1, 8]"},
                {"\"run.width\": 100000, \"run.height\": 100000", "run.width", "100000"},
                {"\"run.width\": 2056", "run.width", "2048"},
                {"\"run.height\": 2047", "run.height", "multiples of 8"},
                {"\"run.width\": 2048, \"run.height\": 2048, \"run.batch\": 8", "pixels", "--max-pixels"},
                {"\"run.steps\": 2.5", "run.steps", "whole number"},
                {"\"run.seed\": 9223372036854775808", "run.seed", "2^63-1"},
        };
        for (String[] o : overrides) {
            out.add(Arguments.of("/api/jobs", "{\"prompt\": \"x\", \"overrides\": {" + o[0] + "}}", o[1], o[2]));
        }
        for (String[] o : new String[][] {overrides[0], overrides[4], overrides[15], overrides[18], overrides[19]}) {
            out.add(Arguments.of("/api/generate", "{\"prompt\": \"x\", \"overrides\": {" + o[0] + "}}", o[1], o[2]));
            out.add(Arguments.of("/api/compare", "{\"experiment\": \"commodity-cfg-sweep\", \"overrides\": {" + o[0]
                    + "}}", o[1], o[2]));
        }
        // The dedicated fields, native and A1111.
        out.add(Arguments.of("/api/jobs", "{\"steps\": 100000}", "run.steps", "[1, 500]"));
        out.add(Arguments.of("/api/jobs", "{\"batch\": 9}", "run.batch", "[1, 8]"));
        out.add(Arguments.of("/api/jobs", "{\"width\": 100}", "run.width", "multiples of 8"));
        out.add(Arguments.of("/api/generate", "{\"width\": 2048, \"height\": 2048, \"batch\": 8}", "pixels",
                "--max-pixels"));
        out.add(Arguments.of("/sdapi/v1/txt2img", "{\"prompt\": \"x\", \"steps\": 1000}", "run.steps", "500"));
        out.add(Arguments.of("/sdapi/v1/txt2img", "{\"prompt\": \"x\", \"batch_size\": 9}", "run.batch", "8"));
        out.add(Arguments.of("/sdapi/v1/txt2img", "{\"prompt\": \"x\", \"batch_size\": 4, \"n_iter\": 4}",
                "run.batch", "16"));
        out.add(Arguments.of("/sdapi/v1/txt2img", "{\"prompt\": \"x\", \"width\": 100000}", "run.width", "2048"));
        out.add(Arguments.of("/sdapi/v1/txt2img", "{\"prompt\": \"x\", \"height\": 4096}", "run.height", "2048"));
        out.add(Arguments.of("/sdapi/v1/img2img", "{\"prompt\": \"x\", \"steps\": 600, \"init_images\": [\"AAAA\"]}",
                "run.steps", "500"));
        String longText = "a cat ".repeat(3000);
        out.add(Arguments.of("/sdapi/v1/txt2img", "{\"prompt\": \"" + longText + "\"}", "run.prompt",
                "--max-prompt-chars"));
        out.add(Arguments.of("/api/jobs", "{\"negative\": \"" + longText + "\"}", "run.negative",
                "--max-prompt-chars"));
        out.add(Arguments.of("/api/jobs", "{\"overrides\": {\"run.prompt\": \"" + longText + "\"}}", "run.prompt",
                "18000 characters"));
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("policyViolations")
    void requestsMayNotNameFilesNorExceedTheLimits(String route, String body, String key, String word)
            throws Exception {
        int mark = errMark().length();
        Answer a = post(route, body);
        assertThat(a.status()).as(a.body()).isEqualTo(400);
        assertThat(a.body()).contains(key, word);
        assertThat(a.body()).as("nothing about the file system").doesNotContain("does not exist", "No such file",
                "root:");
        JsonNode status = JSON.readTree(http("GET", "/api/status", Map.of(), null).body());
        assertThat(status.get("queued").asInt() + status.get("running").asInt()).as("nothing was queued").isZero();
        stillHealthy(a, mark);
    }

    @Test
    void aRefusedFileSettingSaysTheSameWhetherTheFileExistsOrNot() throws Exception {
        Path real = Files.writeString(tmp.resolve("real.npy"), "x");
        Answer exists = post("/api/jobs", "{\"overrides\": {\"noise.name\": \"replay\", \"noise.initial\": \""
                + real + "\"}}");
        Answer missing = post("/api/jobs", "{\"overrides\": {\"noise.name\": \"replay\", \"noise.initial\": \""
                + tmp.resolve("missing.npy") + "\"}}");
        assertThat(exists.status()).isEqualTo(400).isEqualTo(missing.status());
        assertThat(exists.body()).isEqualTo(missing.body()).doesNotContain(real.toString());
    }

    static Stream<Arguments> wronglyTypedFields() {
        String bigPng = Base64.getEncoder().encodeToString(pngHeader(20000, 20000));
        String text = Base64.getEncoder().encodeToString("hello, not an image".getBytes(StandardCharsets.UTF_8));
        return Stream.of(
                Arguments.of("/sdapi/v1/txt2img", "{\"prompt\": [\"x\"]}", "'prompt'", "string"),
                Arguments.of("/sdapi/v1/txt2img", "{\"prompt\": 5}", "'prompt'", "string"),
                Arguments.of("/sdapi/v1/txt2img", "{\"prompt\": \"x\", \"seed\": \"abc\"}", "'seed'", "integer"),
                Arguments.of("/sdapi/v1/txt2img", "{\"prompt\": \"x\", \"seed\": 1.5}", "'seed'", "integer"),
                Arguments.of("/sdapi/v1/txt2img", "{\"prompt\": \"x\", \"seed\": 18446744073709551615}", "'seed'",
                        "2^63-1"),
                Arguments.of("/sdapi/v1/txt2img", "{\"prompt\": \"x\", \"width\": 64.5}", "'width'", "integer"),
                Arguments.of("/sdapi/v1/txt2img", "{\"prompt\": \"x\", \"width\": \"64\"}", "'width'", "integer"),
                Arguments.of("/sdapi/v1/txt2img", "{\"prompt\": \"x\", \"height\": true}", "'height'", "integer"),
                Arguments.of("/sdapi/v1/txt2img", "{\"prompt\": \"x\", \"steps\": \"20\"}", "'steps'", "integer"),
                Arguments.of("/sdapi/v1/txt2img", "{\"prompt\": \"x\", \"cfg_scale\": \"7\"}", "'cfg_scale'", "number"),
                Arguments.of("/sdapi/v1/txt2img", "{\"prompt\": \"x\", \"batch_size\": [1]}", "'batch_size'",
                        "integer"),
                Arguments.of("/sdapi/v1/txt2img", "{\"prompt\": \"x\", \"n_iter\": \"2\"}", "'n_iter'", "integer"),
                Arguments.of("/sdapi/v1/txt2img", "{\"prompt\": \"x\", \"sampler_name\": 3}", "'sampler_name'",
                        "string"),
                Arguments.of("/sdapi/v1/txt2img", "{\"prompt\": \"x\", \"negative_prompt\": {}}", "'negative_prompt'",
                        "string"),
                Arguments.of("/sdapi/v1/txt2img", "[1, 2]", "JSON object", "expected"),
                Arguments.of("/sdapi/v1/img2img", "{\"prompt\": \"x\", \"init_images\": \"abc\"}", "'init_images'",
                        "array"),
                Arguments.of("/sdapi/v1/img2img", "{\"prompt\": \"x\", \"init_images\": [5]}", "'init_images[0]'",
                        "string"),
                Arguments.of("/sdapi/v1/img2img", "{\"prompt\": \"x\", \"init_images\": [\"AAAA\"], "
                        + "\"denoising_strength\": \"x\"}", "'denoising_strength'", "number"),
                Arguments.of("/sdapi/v1/img2img", "{\"prompt\": \"x\", \"init_images\": [\"!!not base64!!\"]}",
                        "init image", "base64"),
                Arguments.of("/sdapi/v1/img2img", "{\"prompt\": \"x\", \"init_images\": [\"" + text + "\"]}",
                        "init image", "not an image format"),
                Arguments.of("/sdapi/v1/img2img", "{\"prompt\": \"x\", \"init_images\": [\"" + bigPng + "\"]}",
                        "init image", "20000x20000"),
                Arguments.of("/api/jobs", "{\"seed\": \"abc\"}", "'seed'", "integer"),
                Arguments.of("/api/jobs", "{\"seed\": 9223372036854775808}", "'seed'", "2^63-1"),
                Arguments.of("/api/jobs", "{\"steps\": 2.5}", "'steps'", "integer"),
                Arguments.of("/api/jobs", "{\"width\": \"64\"}", "'width'", "integer"),
                Arguments.of("/api/jobs", "{\"prompt\": 5}", "'prompt'", "string"),
                Arguments.of("/api/jobs", "{\"guidance\": \"high\"}", "'guidance'", "number"),
                Arguments.of("/api/jobs", "{\"strength\": true}", "'strength'", "number"),
                Arguments.of("/api/jobs", "{\"initImage\": 5}", "'initImage'", "string"),
                Arguments.of("/api/jobs", "{\"overrides\": [\"run.steps=3\"]}", "'overrides'", "object"),
                Arguments.of("/api/jobs", "{\"colour\": \"red\"}", "'colour'", "unknown field"),
                Arguments.of("/api/jobs", "{\"prompt\": \"x\", \"initImage\": \"" + bigPng + "\"}", "init image",
                        "limit"),
                Arguments.of("/api/generate", "{\"scheduler\": [\"euler\"]}", "'scheduler'", "string"),
                Arguments.of("/api/compare", "{\"experiment\": 5}", "'experiment'", "string"),
                Arguments.of("/api/compare", "{\"experiment\": \"commodity-cfg-sweep\", \"overrides\": \"x\"}",
                        "'overrides'", "object"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("wronglyTypedFields")
    void wronglyTypedFieldsAreRefusedNamingTheField(String route, String body, String field, String word)
            throws Exception {
        int mark = errMark().length();
        Answer a = post(route, body);
        assertThat(a.status()).as(a.body()).isEqualTo(400);
        assertThat(a.body()).contains(field, word);
        stillHealthy(a, mark);
    }

    // ---------------------------------------------------------------------------------------------------------
    // 3 and 4. The CLI: budgets before allocating, init images read from the header, numbers not coerced.

    static Stream<Arguments> cliInputs() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("cli-inputs"));
        Path huge = Files.write(dir.resolve("huge.png"), pngHeader(20000, 20000));
        Path empty = Files.write(dir.resolve("empty.png"), new byte[0]);
        byte[] real = realPng(64, 64);
        Path truncated = Files.write(dir.resolve("truncated.png"), Arrays.copyOf(real, real.length / 2));
        Path text = Files.writeString(dir.resolve("notes.png"), "just some text\n");
        Path webp = Files.write(dir.resolve("photo.webp"), ByteBuffer.allocate(32).put("RIFF".getBytes(
                StandardCharsets.US_ASCII)).putInt(24).put("WEBPVP8 ".getBytes(StandardCharsets.US_ASCII)).array());
        Path folder = Files.createDirectories(dir.resolve("folder.png"));
        Path missing = dir.resolve("missing.png");
        Path bomb = Files.write(dir.resolve("bomb-30k.png"), pngHeader(30000, 30000));
        return Stream.of(
                Arguments.of(List.of("--width", "100000"), 3, "run.width"),
                Arguments.of(List.of("--height", "100000"), 3, "run.height"),
                Arguments.of(List.of("--width", "0"), 3, "run.width"),
                Arguments.of(List.of("--steps", "5000"), 3, "run.steps"),
                Arguments.of(List.of("--steps", "0"), 3, "run.steps"),
                Arguments.of(List.of("--batch", "1000"), 3, "run.batch"),
                Arguments.of(List.of("--width", "8192", "--height", "8192", "--batch", "2"), 3, "run.max-pixels"),
                Arguments.of(List.of("--width", "16384", "--height", "16384"), 3, "run.max-pixels"),
                Arguments.of(List.of("--width", "abc"), 2, "--width"),
                Arguments.of(List.of("--seed", "99999999999999999999"), 2, "--seed"),
                Arguments.of(List.of("--set", "run.seed=9223372036854775808"), 3, "run.seed"),
                Arguments.of(List.of("--set", "run.seed=18446744073709551615"), 3, "2^63-1"),
                Arguments.of(List.of("--set", "run.steps=2.5"), 3, "run.steps"),
                Arguments.of(List.of("--set", "run.batch=1.5"), 3, "run.batch"),
                Arguments.of(List.of("--set", "guidance.scale=NaN"), 3, "guidance.scale"),
                Arguments.of(List.of("--set", "guidance.scale=Infinity"), 3, "guidance.scale"),
                Arguments.of(List.of("--set", "run.strength=NaN"), 3, "run.strength"),
                Arguments.of(List.of("--guidance", "1e400"), 3, "guidance.scale"),
                Arguments.of(List.of("--init-image", huge.toString()), 3, huge.toString()),
                Arguments.of(List.of("--init-image", empty.toString()), 3, empty.toString()),
                Arguments.of(List.of("--init-image", truncated.toString()), 3, truncated.toString()),
                Arguments.of(List.of("--init-image", text.toString()), 3, text.toString()),
                Arguments.of(List.of("--init-image", webp.toString()), 3, webp.toString()),
                Arguments.of(List.of("--init-image", folder.toString()), 3, "is a directory"),
                Arguments.of(List.of("--init-image", missing.toString()), 3, "does not exist"),
                Arguments.of(List.of("--init-image", bomb.toString()), 3, "run.max-init-pixels"));
    }

    @ParameterizedTest(name = "generate {0}")
    @MethodSource("cliInputs")
    void theCliRefusesBadInputsBeforeAllocatingInOneLine(List<String> args, int exit, String word) throws Exception {
        Path out = Files.createTempDirectory(tmp, "cli-out");
        List<String> all = new ArrayList<>(List.of("generate", "a cat", "--quiet", "--out", out.toString(), "--set",
                cacheSet()));
        all.addAll(args);
        long t0 = System.nanoTime();
        Dist.Result r = Dist.cli(all.toArray(String[]::new));
        assertThat(r.exit()).as(r.err()).isEqualTo(exit);
        assertThat(r.err()).contains(word);
        assertThat(r.err()).as("no stack trace").doesNotContain("\tat ").doesNotContain("Exception");
        try (Stream<Path> s = Files.list(out)) {
            assertThat(s.toList()).as("nothing written").isEmpty();
        }
        assertThat((System.nanoTime() - t0) / 1e9).as("refused at once, not after a long run").isLessThan(30);
    }

    static Stream<Arguments> ioFailures() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("io-failures"));
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        return Stream.of(
                Arguments.of("--out names a file", file, file.toString()),
                Arguments.of("--out under a file", file.resolve("sub"), file.resolve("sub").toString()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ioFailures")
    void anOutputDirectoryThatCannotBeUsedIsOneLineBeforeTheRun(String name, Path out, String word) throws Exception {
        Dist.Result r = Dist.cli("generate", "a cat", "--quiet", "--steps", "2", "--out", out.toString(), "--set",
                cacheSet());
        assertThat(r.exit()).as(r.err()).isEqualTo(7);
        assertThat(r.err()).contains("assay: cannot use '" + word + "'");
        assertThat(r.err()).doesNotContain("\tat ").doesNotContain("Exception");
        assertThat(Files.readString(tmp.resolve("io-failures/a-file"))).isEqualTo("x");
    }

    static Stream<Arguments> configValues() {
        return Stream.of(
                Arguments.of("run { steps = 2.5 }", "run.steps", "whole number"),
                Arguments.of("run { steps = \"2.5\" }", "run.steps", "whole number"),
                Arguments.of("run { seed = 9223372036854775808 }", "run.seed", "2^63-1"),
                Arguments.of("run { seed = 18446744073709551615 }", "run.seed", "2^63-1"),
                Arguments.of("run { seed = -9223372036854775809 }", "run.seed", "-2^63"),
                Arguments.of("run { batch = 2.0000001 }", "run.batch", "whole number"),
                Arguments.of("run { width = 64.5 }", "run.width", "whole number"),
                Arguments.of("run { steps = 1e400 }", "run.steps", "whole number"),
                Arguments.of("guidance { name = cfg, scale = NaN }", "guidance.scale", "finite"),
                Arguments.of("guidance { name = cfg, scale = Infinity }", "guidance.scale", "finite"),
                Arguments.of("guidance { name = cfg, scale = \"-Infinity\" }", "guidance.scale", "finite"),
                Arguments.of("run { strength = NaN }", "run.strength", "finite"),
                Arguments.of("run { max-pixels = 1.5 }", "run.max-pixels", "whole number"));
    }

    @ParameterizedTest(name = "config check: {0}")
    @MethodSource("configValues")
    void numbersAreCheckedNotCoercedNamingFileLineAndKey(String line, String key, String word) throws Exception {
        Path f = Files.createTempFile(tmp, "values", ".conf");
        Files.writeString(f, "# a pipeline\n" + line + "\n");
        Dist.Result r = Dist.cli("config", "check", f.toString(), "--set", cacheSet());
        assertThat(r.exit()).as(r.err()).isEqualTo(3);
        assertThat(r.err()).contains(f.getFileName() + ":2: " + key, word);
        assertThat(r.err()).doesNotContain("\tat ").doesNotContain("Exception");
    }

    // ---------------------------------------------------------------------------------------------------------
    // 5. Non-finite stage output stops the run naming the stage and step.

    static Stream<Arguments> nonFinite() {
        return Stream.of(Arguments.of("nan", 1), Arguments.of("inf", 3), Arguments.of("nan", 6));
    }

    @ParameterizedTest(name = "generate with a guidance going {0} at step {1}")
    @MethodSource("nonFinite")
    void nonFiniteOutputStopsTheCliRunWithoutAnImage(String kind, int step) throws Exception {
        Path out = Files.createTempDirectory(tmp, "nan-out");
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int exit = io.assay.framework.cli.AssayCli.run(new String[] {"generate", "--plugins-dir=" + plugins, "a cat",
            "--quiet", "--steps", "6", "--out", out.toString(), "--set", cacheSet(), "--set", "guidance.name=nan-cfg",
            "--set", "guidance.kind=" + kind, "--set", "guidance.at-step=" + step}, new PrintWriter(o, true),
                new PrintWriter(e, true));
        Dist.Result r = new Dist.Result(exit, o.toString(), e.toString());
        assertThat(r.exit()).as(r.err()).isNotZero();
        assertThat(r.err()).contains("guidance output holds non-finite values", "at step " + step + " of 6",
                "no image written");
        assertThat(r.err()).doesNotContain("\tat ");
        try (Stream<Path> s = Files.list(out)) {
            assertThat(s.toList()).as("no all-black PNG").isEmpty();
        }
    }

    @ParameterizedTest(name = "{0} with a guidance going non-finite")
    @MethodSource("routes")
    void nonFiniteOutputFailsTheRequestAndTheServerGoesOn(String route) throws Exception {
        int mark = errMark().length();
        Answer a = post(route, "{\"prompt\": \"x\", \"steps\": 4, \"overrides\": {\"guidance.name\": \"nan-cfg\", "
                + "\"guidance.at-step\": 2}}");
        String error;
        if (route.equals("/api/jobs")) {
            assertThat(a.status()).as(a.body()).isEqualTo(202);
            String id = JSON.readTree(a.body()).get("id").asText();
            JsonNode j = null;
            for (int i = 0; i < 3000; i++) {
                j = JSON.readTree(http("GET", "/api/jobs/" + id, Map.of(), null).body());
                if (!j.get("state").asText().equals("queued") && !j.get("state").asText().equals("running")) {
                    break;
                }
                Thread.sleep(20);
            }
            assertThat(j.get("state").asText()).isEqualTo("failed");
            assertThat(j.has("result")).as("no image").isFalse();
            error = j.get("error").asText();
        } else {
            assertThat(a.status()).as(a.body()).isEqualTo(500);
            error = JSON.readTree(a.body()).get("detail").asText();
        }
        assertThat(error).contains("guidance output holds non-finite values", "at step 2 of 4");
        stillHealthy(a, mark);
    }

    static Stream<String> routes() {
        return Stream.of("/api/generate", "/api/jobs");
    }

    @ParameterizedTest(name = "{0} clients sending a body one byte at a time")
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 40})
    void slowBodiesAreCutOffAndTheServerKeepsAnswering(int clients) throws Exception {
        int mark = errMark().length();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(clients);
        List<java.util.concurrent.Future<String>> outcomes = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            outcomes.add(pool.submit(() -> {
                try (Socket sock = new Socket("127.0.0.1", port)) {
                    sock.setSoTimeout(20_000);
                    OutputStream out = sock.getOutputStream();
                    out.write(("POST /api/jobs HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nX-Assay-Token: " + token
                            + "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    for (int i = 0; i < 100; i++) { // at most 30 s of trickling, then the test fails
                        try {
                            out.write(' ');
                            out.flush();
                        } catch (IOException closed) {
                            break; // the server hung up on us
                        }
                        if (sock.getInputStream().available() > 0) {
                            break;
                        }
                        Thread.sleep(300);
                    }
                    byte[] answer = sock.getInputStream().readNBytes(12);
                    return new String(answer, StandardCharsets.ISO_8859_1) + " after "
                            + (System.nanoTime() - t0) / 1_000_000 + " ms";
                } catch (IOException e) {
                    return "closed after " + (System.nanoTime() - t0) / 1_000_000 + " ms";
                }
            }));
        }
        Thread.sleep(1000);
        Answer during = http("GET", "/api/status", Map.of(), null);
        assertThat(during.status()).as("status answers while the bodies trickle").isEqualTo(200);
        for (java.util.concurrent.Future<String> f : outcomes) {
            String outcome = f.get(40, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(outcome).as("cut off, not served for 30 s").matches("(HTTP/1\\.1 408|closed| after).*");
            long ms = Long.parseLong(outcome.replaceAll(".* after (\\d+) ms", "$1"));
            assertThat(ms).as(outcome).isLessThan(15_000);
        }
        pool.shutdown();
        stillHealthy(during, mark);
    }

    @Test
    void aStageThatNeverReturnsIsAbandonedAndItsWorkerServesTheNextRequest() throws Exception {
        Path dir = Files.createTempDirectory(tmp, "wedge");
        Path own = Files.createDirectories(dir.resolve("plugins"));
        try (Stream<Path> s = Files.list(plugins)) {
            for (Path p : s.filter(p -> !p.getFileName().toString().equals("nan.zip")).toList()) {
                Files.copy(p, own.resolve(p.getFileName()));
            }
        }
        // A guidance stuck for a minute, deaf to interrupts: what a plugin in an endless loop looks like.
        String hang = NAN_GUIDANCE.replace("package io.assay.plugins.nan;", "package io.assay.plugins.hang;")
                .replace("\"nan-cfg\"", "\"hang-cfg\"")
                .replace("float[] u = p.get", "long until = System.currentTimeMillis() + 60_000;\n"
                        + "while (System.currentTimeMillis() < until) { try { Thread.sleep(100); } "
                        + "catch (InterruptedException ignored) { } }\n float[] u = p.get");
        Path zip = PluginArchiveBuilder.plugin("hang", "1.0.0").source("io.assay.plugins.hang.NanGuidance", hang)
                .source("io.assay.plugins.hang.NanSettings", "package io.assay.plugins.hang;\n"
                        + "public record NanSettings(@io.assay.sdk.Setting(doc = \"scale\", defaultValue = \"7.5\") "
                        + "double scale, @io.assay.sdk.Setting(doc = \"k\", defaultValue = \"nan\") String kind, "
                        + "@io.assay.sdk.Setting(doc = \"s\", defaultValue = \"1\") int atStep) {}\n")
                .build(Files.createDirectories(dir.resolve("build")));
        Files.copy(zip, own.resolve("hang.zip"));
        try (Server wedged = ServeCommand.start(List.of("--port", "0", "--workers", "1", "--queue", "2", "--timeout",
                "2", "--no-watch", "--plugins-dir", own.toString(), "--out", dir.resolve("out").toString(), "--set",
                cacheSet()), new PrintWriter(new StringWriter(), true))) {
            java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
            java.util.function.Function<String, java.net.http.HttpRequest> gen = body -> java.net.http.HttpRequest
                    .newBuilder(java.net.URI.create("http://127.0.0.1:" + wedged.port() + "/api/generate"))
                    .header("X-Assay-Token", wedged.token()).POST(java.net.http.HttpRequest.BodyPublishers
                            .ofString(body)).build();
            long t0 = System.nanoTime();
            var stuck = client.sendAsync(gen.apply("{\"prompt\": \"x\", \"steps\": 4, \"overrides\": "
                    + "{\"guidance.name\": \"hang-cfg\"}}"), java.net.http.HttpResponse.BodyHandlers.ofString());
            Thread.sleep(500);
            var status = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                    + wedged.port() + "/api/status")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(status.statusCode()).as("status answers while the stage hangs").isEqualTo(200);
            assertThat(JSON.readTree(status.body()).get("running").asInt()).isEqualTo(1);
            var answer = stuck.get(30, java.util.concurrent.TimeUnit.SECONDS);
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(504);
            assertThat(answer.body()).contains("did not return", "abandoned");
            assertThat(seconds).as("the 2 s limit plus the grace, not the stage's minute").isLessThan(15);
            var next = client.send(gen.apply("{\"prompt\": \"x\", \"steps\": 2}"),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(next.statusCode()).as("the single worker serves the next request: " + next.body())
                    .isEqualTo(200);
            JsonNode after = JSON.readTree(client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                    "http://127.0.0.1:" + wedged.port() + "/api/status")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body());
            assertThat(after.get("abandoned").asInt()).isEqualTo(1);
            assertThat(after.get("running").asInt()).isZero();
        }
    }

    @Test
    void underLoadWithAStuckStageAndAPluginSwapEveryRequestIsAnswered() throws Exception {
        Path dir = Files.createTempDirectory(tmp, "load");
        Path own = Files.createDirectories(dir.resolve("plugins"));
        try (Stream<Path> s = Files.list(plugins)) {
            for (Path p : s.filter(p -> !p.getFileName().toString().equals("nan.zip")).toList()) {
                Files.copy(p, own.resolve(p.getFileName()));
            }
        }
        String hang = NAN_GUIDANCE.replace("package io.assay.plugins.nan;", "package io.assay.plugins.hang;")
                .replace("\"nan-cfg\"", "\"hang-cfg\"")
                .replace("float[] u = p.get", "long until = System.currentTimeMillis() + 30_000;\n"
                        + "while (System.currentTimeMillis() < until) { try { Thread.sleep(100); } "
                        + "catch (InterruptedException ignored) { } }\n float[] u = p.get");
        java.util.function.IntFunction<Path> version = v -> {
            try {
                return PluginArchiveBuilder.plugin("hang", v + ".0.0").source("io.assay.plugins.hang.NanGuidance",
                        hang).source("io.assay.plugins.hang.NanSettings", "package io.assay.plugins.hang;\n"
                        + "public record NanSettings(@io.assay.sdk.Setting(doc = \"scale\", defaultValue = \"7.5\") "
                        + "double scale, @io.assay.sdk.Setting(doc = \"k\", defaultValue = \"nan\") String kind, "
                        + "@io.assay.sdk.Setting(doc = \"s\", defaultValue = \"1\") int atStep) {}\n")
                        .build(Files.createDirectories(dir.resolve("build-" + v)));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        Files.copy(version.apply(1), own.resolve("hang.zip"));
        try (Server loaded = ServeCommand.start(List.of("--port", "0", "--workers", "2", "--queue", "8", "--timeout",
                "3", "--plugins-dir", own.toString(), "--out", dir.resolve("out").toString(), "--set", cacheSet()),
                new PrintWriter(new StringWriter(), true))) {
            java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder()
                    .executor(java.util.concurrent.Executors.newFixedThreadPool(8)).build();
            String base = "http://127.0.0.1:" + loaded.port();
            java.util.function.Function<String, java.net.http.HttpRequest> post = body -> java.net.http.HttpRequest
                    .newBuilder(java.net.URI.create(base + "/sdapi/v1/txt2img")).header("X-Assay-Token",
                            loaded.token()).timeout(java.time.Duration.ofSeconds(60))
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build();
            // Status polled throughout: its latency is what a wedged or starved server would show first.
            java.util.concurrent.atomic.AtomicBoolean polling = new java.util.concurrent.atomic.AtomicBoolean(true);
            List<Long> statusMillis = java.util.Collections.synchronizedList(new ArrayList<>());
            Thread poller = new Thread(() -> {
                while (polling.get()) {
                    long s0 = System.nanoTime();
                    try {
                        var r = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base
                                + "/api/status")).timeout(java.time.Duration.ofSeconds(10)).build(),
                                java.net.http.HttpResponse.BodyHandlers.ofString());
                        statusMillis.add(r.statusCode() == 200 ? (System.nanoTime() - s0) / 1_000_000 : -1L);
                        Thread.sleep(50);
                    } catch (Exception e) {
                        statusMillis.add(-1L);
                    }
                }
            });
            poller.start();
            long t0 = System.nanoTime();
            var stuck = client.sendAsync(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base
                    + "/api/generate")).header("X-Assay-Token", loaded.token()).POST(java.net.http.HttpRequest
                    .BodyPublishers.ofString("{\"prompt\": \"x\", \"steps\": 3, \"overrides\": {\"guidance.name\": "
                    + "\"hang-cfg\"}}")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            for (int i = 0; i < 500 && JSON.readTree(client.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(base + "/api/status")).build(), java.net.http.HttpResponse.BodyHandlers
                    .ofString()).body()).get("running").asInt() == 0; i++) {
                Thread.sleep(10); // the stuck run holds one of the two workers before the load starts
            }
            int n = 100;
            List<java.util.concurrent.CompletableFuture<long[]>> answers = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                long s0 = System.nanoTime();
                answers.add(client.sendAsync(post.apply("{\"prompt\": \"a red circle\", \"steps\": 2, \"seed\": "
                        + i + "}"), java.net.http.HttpResponse.BodyHandlers.ofString()).thenApply(r -> new long[] {
                            r.statusCode(), (System.nanoTime() - s0) / 1_000_000}));
                if (i == n / 2) {
                    Path staged = own.resolve(".hang.zip.part");
                    Files.copy(version.apply(2), staged);
                    Files.move(staged, own.resolve("hang.zip"), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Map<Long, Integer> byStatus = new java.util.TreeMap<>();
            List<Long> okMillis = new ArrayList<>();
            for (var a : answers) {
                long[] r = a.get(90, java.util.concurrent.TimeUnit.SECONDS);
                byStatus.merge(r[0], 1, Integer::sum);
                if (r[0] == 200) {
                    okMillis.add(r[1]);
                }
            }
            var stuckAnswer = stuck.get(60, java.util.concurrent.TimeUnit.SECONDS);
            double seconds = (System.nanoTime() - t0) / 1e9;
            polling.set(false);
            poller.join();
            java.util.Collections.sort(okMillis);
            List<Long> st = new ArrayList<>(statusMillis);
            java.util.Collections.sort(st);
            System.out.printf("serve under load: %d requests in %.1f s, answers by status %s, the stuck request %d; "
                    + "200 latency p50 %d ms, p90 %d ms, p99 %d ms, max %d ms; /api/status %d polls, p50 %d ms, "
                    + "p99 %d ms, max %d ms%n", n, seconds, byStatus, stuckAnswer.statusCode(), pct(okMillis, 50),
                    pct(okMillis, 90), pct(okMillis, 99), pct(okMillis, 100), st.size(), pct(st, 50), pct(st, 99),
                    pct(st, 100));
            assertThat(byStatus.values().stream().mapToInt(Integer::intValue).sum()).as("every request answered")
                    .isEqualTo(n);
            assertThat(byStatus.keySet()).as("200, 503 busy or 504 timed out, nothing else").isSubsetOf(200L, 503L,
                    504L);
            assertThat(byStatus.getOrDefault(200L, 0)).as("most were served").isGreaterThan(0);
            assertThat(stuckAnswer.statusCode()).as(stuckAnswer.body()).isEqualTo(504);
            assertThat(st).as("status answered every time").doesNotContain(-1L);
            assertThat(pct(st, 100)).as("status never waited on the generation").isLessThan(2000);
            JsonNode plugins = JSON.readTree(client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                    base + "/api/plugins")).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body());
            assertThat(plugins.findValuesAsText("version")).as("the swap happened").contains("2.0.0");
        }
    }

    static long pct(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return -1;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    // ---------------------------------------------------------------------------------------------------------
    // 6. Outputs never silently replaced; output directories locked.

    @Test
    void anImageIsNeverReplacedUnlessAskedTo() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("same-name"));
        List<String> names = new ArrayList<>();
        byte[] first = null;
        for (String prompt : List.of("a red circle", "A RED circle!!", "a red circle")) {
            Dist.Result r = Dist.cli("generate", prompt, "--seed", "1", "--steps", "2", "--quiet", "--out",
                    out.toString(), "--set", cacheSet()).requireOk();
            Path png = Path.of(r.out().lines().filter(l -> l.endsWith(".png")).findFirst().orElseThrow().trim());
            names.add(png.getFileName().toString());
            if (first == null) {
                first = Files.readAllBytes(png);
            }
        }
        assertThat(names).containsExactly("a-red-circle-1.png", "a-red-circle-1-2.png", "a-red-circle-1-3.png");
        assertThat(Files.readAllBytes(out.resolve("a-red-circle-1.png"))).as("the first image untouched")
                .isEqualTo(first);
        Dist.Result again = Dist.cli("generate", "a red circle", "--seed", "1", "--steps", "3", "--quiet", "--out",
                out.toString(), "--overwrite", "--set", cacheSet()).requireOk();
        assertThat(again.out()).contains("a-red-circle-1.png");
        try (Stream<Path> s = Files.list(out)) {
            assertThat(s.filter(p -> p.toString().endsWith(".png")).count()).isEqualTo(3);
        }
        assertThat(Files.readAllBytes(out.resolve("a-red-circle-1.png"))).as("--overwrite replaced it")
                .isNotEqualTo(first);
    }

    static Stream<Arguments> lockedCommands() {
        return Stream.of(
                Arguments.of("compare", Dist.configs().resolve("experiments/commodity-cfg-sweep.conf").toString()),
                Arguments.of("curate", Dist.configs().resolve("curation/laion-style-no-language.conf").toString()));
    }

    @ParameterizedTest(name = "{0} on a locked --out")
    @MethodSource("lockedCommands")
    void aSecondRunOnOneOutIsRefusedNamingTheHolder(String command, String file) throws Exception {
        Path out = Files.createTempDirectory(tmp, command + "-locked");
        try (OutLock held = OutLock.acquire(out, "test")) {
            Dist.Result r = Dist.cli(command, file, "--out", out.toString(), "--set", cacheSet());
            assertThat(r.exit()).as(r.err()).isEqualTo(6);
            assertThat(r.err()).contains("'" + out + "' is in use by another " + command + " run",
                    "PID " + ProcessHandle.current().pid());
            assertThat(r.err()).doesNotContain("\tat ").doesNotContain("Exception");
        }
        try (Stream<Path> s = Files.list(out)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).as("nothing written by the refused run")
                    .containsExactly(OutLock.FILE);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // 7. Plugin archives: calls that end the JVM, zip bombs.

    static Stream<Arguments> archives() {
        return Stream.of(
                Arguments.of("System.exit in a stage", "System.exit(3);", 0, 0, List.of(),
                        List.of("class io.assay.plugins.bye.Bye$1 calls System.exit")),
                Arguments.of("Runtime.halt in a stage", "Runtime.getRuntime().halt(1);", 0, 0, List.of(),
                        List.of("class io.assay.plugins.bye.Bye$1 calls Runtime.halt")),
                Arguments.of("Runtime.exit in a stage", "Runtime.getRuntime().exit(0);", 0, 0, List.of(),
                        List.of("calls Runtime.exit")),
                Arguments.of("System.exit through a method reference",
                        "java.util.function.IntConsumer q = System::exit; q.accept(1);", 0, 0, List.of(),
                        List.of("calls System.exit")),
                Arguments.of("70 MiB of zeros in a 70 KiB archive", "", 70 << 20, 1, List.of(),
                        List.of("plugins.max-archive-ratio", "zip bomb")),
                Arguments.of("2 MB over a 1 MB budget", "", -(2 << 20), 1, List.of("plugins.max-archive-bytes=1000000"),
                        List.of("unpacks to", "plugins.max-archive-bytes (1000000)")),
                Arguments.of("more entries than a budget of 8", "", 16, 10,
                        List.of("plugins.max-archive-entries=8"), List.of("entries, over plugins.max-archive-entries")),
                Arguments.of("a well-behaved plugin (control)", "", 0, 0, List.of(), List.of()));
    }

    /**
     * @param code a statement put in the stage's combine method ("" = none)
     * @param bytes size of each extra resource: zeros when positive, random when negative
     * @param count how many extra resources
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("archives")
    void pluginArchivesThatWouldEndTheHostOrUnpackWithoutBoundAreRefused(String name, String code, int bytes,
            int count, List<String> sets, List<String> words) throws Exception {
        Path dir = Files.createTempDirectory(tmp, "archive");
        Path pluginsDir = Files.createDirectories(dir.resolve("plugins"));
        PluginArchiveBuilder b = PluginArchiveBuilder.plugin("bye", "1.0.0")
                .source("io.assay.plugins.bye.Bye", NAN_GUIDANCE.replace("package io.assay.plugins.nan;",
                        "package io.assay.plugins.bye;").replace("class NanGuidance", "class Bye")
                        .replace("public NanGuidance(", "public Bye(").replace("\"nan-cfg\"", "\"bye-cfg\"")
                        .replace("float[] u = p.get", code + "\n float[] u = p.get"))
                .source("io.assay.plugins.bye.NanSettings", "package io.assay.plugins.bye;\n"
                        + "public record NanSettings(@io.assay.sdk.Setting(doc = \"k\", defaultValue = \"nan\") "
                        + "String kind, @io.assay.sdk.Setting(doc = \"s\", defaultValue = \"1\") int atStep) {}\n");
        Random r = new Random(1);
        for (int i = 0; i < count; i++) {
            byte[] data = new byte[Math.abs(bytes)];
            if (bytes < 0) {
                r.nextBytes(data);
            }
            b.resource("data/blob-" + i + ".bin", data);
        }
        Path zip = b.build(Files.createDirectories(dir.resolve("build")));
        Files.copy(zip, pluginsDir.resolve("bye.zip"));
        List<String> args = new ArrayList<>(List.of("plugins", "--plugins-dir=" + pluginsDir));
        for (String set : sets) {
            args.add("--set");
            args.add(set);
        }
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int exit = io.assay.framework.cli.AssayCli.run(args.toArray(String[]::new), new PrintWriter(o, true),
                new PrintWriter(e, true));
        if (words.isEmpty()) {
            assertThat(exit).as(o + "\n" + e).isZero();
            assertThat(o.toString()).contains("bye 1.0.0", "STARTED");
            return;
        }
        assertThat(exit).as(o + "\n" + e).isEqualTo(5);
        assertThat(o.toString()).contains("REFUSED", "problem: ").contains(words);
        assertThat(o + e.toString()).doesNotContain("\tat ");
    }

    // ---------------------------------------------------------------------------------------------------------
    // Generated inputs.

    /** A PNG that declares {@code w × h} pixels and holds almost none: a decompression bomb's header. */
    static byte[] pngHeader(int w, int h) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 2).put((byte) 0)
                .put((byte) 0).put((byte) 0);
        chunk(b, "IHDR", ihdr.array());
        Deflater d = new Deflater();
        d.setInput(new byte[1024]);
        d.finish();
        byte[] z = new byte[2048];
        int n = d.deflate(z);
        chunk(b, "IDAT", Arrays.copyOf(z, n));
        chunk(b, "IEND", new byte[0]);
        return b.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream b, String type, byte[] data) {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        b.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        b.writeBytes(t);
        b.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        b.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    /** A real PNG of random pixels (so its compressed data is long enough to cut in half). */
    static byte[] realPng(int w, int h) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Random r = new Random(7);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, r.nextInt(0xffffff));
            }
        }
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        ImageIO.write(img, "png", b);
        return b.toByteArray();
    }
}
