package io.assay.framework.cli;

import io.assay.framework.runtime.AssayRuntime;
import java.util.List;
import com.typesafe.config.ConfigRenderOptions;
import io.assay.framework.assembly.StageKey;
import io.assay.sdk.settings.SettingsBinder;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code assay config show|check|describe}. */
@Command(name = "config", mixinStandardHelpOptions = true, description = "Inspect and validate configuration.",
        subcommands = {ConfigCommand.Show.class, ConfigCommand.Check.class, ConfigCommand.Describe.class})
public final class ConfigCommand {

    /** {@code assay config show}. */
    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Print the resolved configuration with the origin (file: line) of every value.")
    static final class Show implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        CommonOptions common = new CommonOptions();

        @Override
        public Integer call() {
            try (AssayRuntime runtime = common.open(spec.commandLine().getErr())) {
                spec.commandLine().getOut().println(runtime.configure(List.of()).config().root().render(
                        ConfigRenderOptions.defaults()
                        .setJson(false).setOriginComments(true).setComments(true)));
                return ExitCodes.OK;
            }
        }
    }

    /** {@code assay config check FILE}. */
    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Validate a pipeline file against the installed plugins; every problem with file:line.")
    static final class Check implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        CommonOptions common = new CommonOptions();

        @Parameters(index = "0", paramLabel = "FILE")
        Path file;

        @Override
        public Integer call() {
            common.config = file;
            try (AssayRuntime runtime = common.open(spec.commandLine().getErr())) {
                runtime.configure(List.of());
                spec.commandLine().getOut().println("OK: " + runtime.userFile()
                        + " is a valid pipeline for the installed plugins");
                return ExitCodes.OK;
            }
        }
    }

    /** {@code assay config describe [STAGE]}. */
    @Command(name = "describe", mixinStandardHelpOptions = true,
            description = "List every section's and component's settings: key, type, default, doc.")
    static final class Describe implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        CommonOptions common = new CommonOptions();

        @Parameters(index = "0", arity = "0..1", paramLabel = "STAGE")
        String stage;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (AssayRuntime runtime = common.openAll(spec.commandLine().getErr())) {
                if (stage == null) {
                    for (Map.Entry<String, Class<? extends Record>> s : new TreeMap<>(AssayRuntime.SECTIONS).entrySet()) {
                        print(out, s.getKey(), "section", s.getValue());
                    }
                }
                for (StageKey k : StageKey.GENERATION) {
                    if (stage != null && !stage.equals(k.key())) {
                        continue;
                    }
                    for (var c : runtime.host().catalog().components(k.type())) {
                        print(out, k.key() + " { name = " + c.name() + " }", c.pluginId() + " " + c.pluginVersion()
                                + (c.description().isEmpty() ? "" : " — " + c.description()), c.settingsType());
                    }
                }
                return ExitCodes.OK;
            }
        }

        private static void print(PrintWriter out, String title, String what, Class<? extends Record> type) {
            out.printf("%s   (%s)%n", title, what);
            for (SettingsBinder.Descriptor d : SettingsBinder.describe(type)) {
                out.printf("  %-26s %-22s default %-14s %s%n", d.key(), d.typeName(),
                        d.setting().defaultValue().isEmpty() ? "(unset)" : d.setting().defaultValue(),
                        d.setting().doc());
            }
            out.println();
        }
    }
}
