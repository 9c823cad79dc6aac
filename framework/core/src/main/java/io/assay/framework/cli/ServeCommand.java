package io.assay.framework.cli;

import io.assay.framework.serve.Server;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code assay serve}: runs the HTTP {@link Server} until the process is stopped. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve generation over HTTP (native API, A1111-compatible API, a page), plugins hot-swapped.")
public final class ServeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common = new CommonOptions();

    @Option(names = "--model", paramLabel = "DIR", description = "Model directory in the SD ONNX layout (model.dir; "
            + "default: the configuration's, else the embedded world).")
    Path model;

    @Option(names = "--host", description = "Address to bind (default: ${DEFAULT-VALUE}; 0.0.0.0 exposes the server).",
            defaultValue = "127.0.0.1")
    String host;

    @Option(names = "--port", description = "Port (default: ${DEFAULT-VALUE}, as A1111; 0 = any free port).",
            defaultValue = "7860")
    int port;

    @Option(names = "--workers", description = "Jobs run at once (default: ${DEFAULT-VALUE}).", defaultValue = "1")
    int workers;

    @Option(names = "--queue", description = "Jobs that may wait; beyond this requests are refused as busy "
            + "(default: ${DEFAULT-VALUE}).", defaultValue = "8")
    int queue;

    @Option(names = "--max-request-bytes", description = "Largest request body (default: ${DEFAULT-VALUE}).",
            defaultValue = "33554432")
    long maxRequestBytes;

    @Option(names = "--timeout", description = "Seconds a job may take, queued and running (default: "
            + "${DEFAULT-VALUE}).", defaultValue = "600")
    long timeoutSeconds;

    @Option(names = "--no-watch", description = "Do not watch the plugins directory.")
    boolean noWatch;

    @Option(names = "--experiments", paramLabel = "DIR", description = "Experiments /api/compare may run, by name "
            + "(default: configs/experiments).")
    Path experimentsDir;

    @Option(names = "--out", paramLabel = "DIR", description = "Where compare jobs write their reports (default: "
            + "${DEFAULT-VALUE}).", defaultValue = "out/serve")
    Path outRoot;

    @Option(names = "--no-auth", description = "Accept state-changing requests without the token (only for a "
            + "trusted network and trusted local users; see docs/security.md).")
    boolean noAuth;

    @Option(names = "--allow-plugin-upload", description = "Let POST /api/plugins install plugin archives (plugins "
            + "run as trusted code in the server).")
    boolean allowPluginUpload;

    @Option(names = "--max-steps", paramLabel = "N", description = "Most inference steps per request (default: "
            + "${DEFAULT-VALUE}).", defaultValue = "500")
    int maxSteps;

    @Option(names = "--max-batch", paramLabel = "N", description = "Most images per request (default: "
            + "${DEFAULT-VALUE}).", defaultValue = "8")
    int maxBatch;

    @Option(names = "--max-side", paramLabel = "PX", description = "Largest width or height per request, a multiple "
            + "of 8 (default: ${DEFAULT-VALUE}).", defaultValue = "2048")
    int maxSide;

    @Option(names = "--max-pixels", paramLabel = "N", description = "Most pixels per request, width × height × "
            + "batch (default: ${DEFAULT-VALUE}).", defaultValue = "8388608")
    long maxPixels;

    @Option(names = "--max-prompt-chars", paramLabel = "N", description = "Longest prompt or negative prompt per "
            + "request, in characters (default: ${DEFAULT-VALUE}).", defaultValue = "16384")
    int maxPromptChars;

    @Option(names = "--body-timeout", paramLabel = "SECONDS", description = "How long a request body may take to "
            + "arrive; slower clients are cut off (default: ${DEFAULT-VALUE}; 0 = no limit).", defaultValue = "10")
    long bodyTimeoutSeconds;

    @Option(names = "--client-slots", paramLabel = "N", description = "Jobs one client address may have queued or "
            + "running at once; more are refused with 429 (default: ${DEFAULT-VALUE} = no per-client limit: on the "
            + "default loopback bind every client has the same address).", defaultValue = "0")
    int clientSlots;

    /** The token file's name in the --out directory. */
    public static final String TOKEN_FILE = "serve.token";

    /**
     * Starts a server in-process from command-line arguments (what {@code assay serve ARGS} does, without blocking);
     * for embedding and tests.
     */
    public static Server start(List<String> args, PrintWriter err) {
        ServeCommand c = new ServeCommand();
        new picocli.CommandLine(c).parseArgs(args.toArray(String[]::new));
        return c.start(err);
    }

    private Server start(PrintWriter err) {
        if (maxSteps < 1 || maxBatch < 1 || maxSide < 8 || maxPixels < 64 || maxPromptChars < 1 || bodyTimeoutSeconds < 0
                || clientSlots < 0) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "--max-steps, "
                    + "--max-batch, --max-side, --max-pixels, --max-prompt-chars, --body-timeout and --client-slots "
                    + "must be at least 1, 1, 8, 64, 1, 0 and 0");
        }
        if (model != null) {
            common.set("--model", "model.dir", CommonOptions.quote(model.toAbsolutePath().toString()));
        }
        String token = noAuth ? null : Server.newToken();
        if (token != null) {
            writeToken(outRoot.resolve(TOKEN_FILE), token);
        }
        try {
            return Server.start(common.openAll(err), new Server.Options(host, port, workers, queue, maxRequestBytes,
                    timeoutSeconds, !noWatch, experimentsDir, outRoot, token, allowPluginUpload, maxSteps, maxBatch,
                    maxSide, maxPixels, maxPromptChars, bodyTimeoutSeconds, clientSlots), line -> {
                        err.println("assay serve: " + line);
                        err.flush();
                    });
        } catch (RuntimeException e) {
            try {
                Files.deleteIfExists(outRoot.resolve(TOKEN_FILE)); // no token left behind for a server that never ran
            } catch (java.io.IOException ignored) {
                // the next start replaces it
            }
            throw e;
        }
    }

    /** Writes the token readable by the owner only (0600 where the file system has POSIX permissions). */
    static void writeToken(Path file, String token) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = dir.resolve("." + file.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            if (Files.getFileStore(dir).supportsFileAttributeView("posix")) {
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
                        "rw-------")));
            } else {
                Files.createFile(tmp);
            }
            Files.writeString(tmp, token + "\n");
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (java.io.IOException e) {
            throw new io.assay.sdk.StageException(io.assay.sdk.ErrorCode.INVALID_INPUT, "cannot write the token file '"
                    + file + "': " + e);
        }
    }

    @Override
    public Integer call() throws Exception {
        Server server = start(spec.commandLine().getErr());
        spec.commandLine().getOut().println("assay: serving on http://" + host + ":" + server.port() + "/");
        if (server.token() != null) {
            spec.commandLine().getOut().println("assay: token " + server.token() + " (also in "
                    + outRoot.resolve(TOKEN_FILE).toAbsolutePath() + "); send it as 'Authorization: Bearer <token>' "
                    + "or 'X-Assay-Token' on every POST and DELETE");
        } else {
            spec.commandLine().getOut().println("assay: --no-auth: state-changing requests need no token");
        }
        spec.commandLine().getOut().flush();
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            try {
                Files.deleteIfExists(outRoot.resolve(TOKEN_FILE));
            } catch (java.io.IOException e) {
                // the next start writes a new token anyway
            }
            stop.countDown();
        }));
        stop.await();
        return ExitCodes.OK;
    }
}
