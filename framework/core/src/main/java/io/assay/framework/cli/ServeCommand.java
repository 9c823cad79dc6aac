package io.assay.framework.cli;

import io.assay.framework.serve.Server;
import java.io.PrintWriter;
import java.nio.file.Path;
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
        return Server.start(common.openAll(err), new Server.Options(host, port, workers, queue, maxRequestBytes,
                timeoutSeconds, !noWatch, experimentsDir, outRoot));
    }

    @Override
    public Integer call() throws Exception {
        Server server = start(spec.commandLine().getErr());
        spec.commandLine().getOut().println("assay: serving on http://" + host + ":" + server.port() + "/");
        spec.commandLine().getOut().flush();
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stop.countDown();
        }));
        stop.await();
        return ExitCodes.OK;
    }
}
