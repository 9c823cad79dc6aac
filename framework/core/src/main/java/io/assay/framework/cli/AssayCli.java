package io.assay.framework.cli;

import io.assay.sdk.StageException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code assay} command. */
@Command(name = "assay", mixinStandardHelpOptions = true, versionProvider = AssayCli.Version.class,
        description = "Latent-diffusion pipelines as swappable, inspectable components.",
        subcommands = {GenerateCommand.class, CompareCommand.class, CurateCommand.class, ServeCommand.class, TokenizeCommand.class, PluginsCommand.class, ConfigCommand.class, ForgeCommand.class, BenchCommand.class, InspectCommand.class,
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
                // An override from the command line has no line: name the flag alone.
                e.println(c.getMessage().replaceAll("(command line --?[A-Za-z-]+|command line PROMPT):\\d+: ", "$1: "));
                return ExitCodes.CONFIG;
            }
            if (ex instanceof StageException s) {
                e.println("assay: " + s.getMessage());
                return ExitCodes.of(s);
            }
            if (ex instanceof io.assay.framework.io.OutLock.Held h) {
                e.println("assay: " + h.getMessage());
                return ExitCodes.BUSY;
            }
            if (ex instanceof java.nio.file.FileSystemException f) {
                // Disk full, read-only, not a directory, no permission: one line naming the path, no stack trace.
                e.println("assay: cannot use '" + f.getFile() + "'" + (f.getOtherFile() != null ? " / '"
                        + f.getOtherFile() + "'" : "") + ": " + (f.getReason() != null ? f.getReason()
                        : f.getClass().getSimpleName().replace("Exception", "").replaceAll("([a-z])([A-Z])", "$1 $2")
                        .toLowerCase(java.util.Locale.ROOT)));
                return ExitCodes.IO;
            }
            if (ex instanceof java.io.IOException io) {
                e.println("assay: input/output error: " + io.getMessage());
                return ExitCodes.IO;
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
