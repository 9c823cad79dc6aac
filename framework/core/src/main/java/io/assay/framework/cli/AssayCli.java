package io.assay.framework.cli;

import io.assay.sdk.StageException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code assay} command. */
@Command(name = "assay", mixinStandardHelpOptions = true, versionProvider = AssayCli.Version.class,
        description = "Latent-diffusion pipelines as swappable, inspectable components.",
        subcommands = {GenerateCommand.class, CompareCommand.class, CurateCommand.class, ServeCommand.class, TokenizeCommand.class, PluginsCommand.class, ConfigCommand.class,
            CommandLine.HelpCommand.class})
public final class AssayCli {

    private AssayCli() {
    }

    /** Entry point. */
    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs a command line and returns the exit code (for tests and embedding). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new AssayCli());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            PrintWriter e = commandLine.getErr();
            if (ex instanceof io.assay.sdk.settings.ConfigErrorsException c) {
                e.println(c.getMessage());
                return ExitCodes.CONFIG;
            }
            if (ex instanceof StageException s) {
                e.println("assay: " + s.getMessage());
                return ExitCodes.of(s);
            }
            e.println("assay: internal error: " + ex);
            ex.printStackTrace(e);
            return ExitCodes.INTERNAL;
        });
        return cl.execute(args);
    }

    /** Prints the version and the SDK version. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = AssayCli.class.getPackage().getImplementationVersion();
            return new String[] {"assay " + (v == null ? "dev" : v) + " (SDK " + io.assay.sdk.SdkVersion.VERSION + ")"};
        }
    }
}
