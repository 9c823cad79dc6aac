package io.assay.framework.cli;

import io.assay.framework.runtime.AssayRuntime;
import java.util.ArrayList;
import java.util.List;
import com.typesafe.config.ConfigRenderOptions;
import io.assay.framework.assembly.StageKey;
import io.assay.sdk.settings.ComponentKeys;
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
            description = "Validate a pipeline, experiment (every cell) or curation file against the installed "
                    + "plugins, including each component's own rules; every problem with file:line.")
    static final class Check implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        CommonOptions common = new CommonOptions();

        @Parameters(index = "0", paramLabel = "FILE", description = "The file; a bare name means configs/NAME.conf.")
        Path file;

        @Override
        public Integer call() {
            common.config = file;
            PrintWriter err = spec.commandLine().getErr();
            try (AssayRuntime runtime = common.openAll(err)) {
                ConfigChecker.Result r = new ConfigChecker(runtime).check(runtime.userFile());
                for (String w : r.warnings()) {
                    err.println("assay: warning: " + w);
                }
                err.flush();
                if (!r.problems().isEmpty()) {
                    for (String p : r.problems()) {
                        err.println(p);
                    }
                    err.println("config check: " + r.problems().size() + " problem(s) in " + runtime.userFile());
                    return ExitCodes.CONFIG;
                }
                spec.commandLine().getOut().println("OK: " + runtime.userFile() + " is a valid " + r.summary());
                return ExitCodes.OK;
            }
        }
    }

    /** {@code assay config describe [STAGE]}. */
    @Command(name = "describe", mixinStandardHelpOptions = true,
            description = "List every section's settings and the settings each component accepts (scraper filters "
                    + "included): key, type, default, doc.")
    static final class Describe implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        CommonOptions common = new CommonOptions();

        @Parameters(index = "0", arity = "0..1", paramLabel = "STAGE",
                description = "Only this section or stage (e.g. run, scheduler, curation.filters).")
        String stage;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            List<String> known = new ArrayList<>(new TreeMap<>(AssayRuntime.SECTIONS).keySet());
            StageKey.GENERATION.forEach(k -> known.add(k.key()));
            known.addAll(List.of("curation", "curation.source", FILTERS));
            if (stage != null && !known.contains(stage)) {
                spec.commandLine().getErr().println("assay: no section or stage '" + stage + "'; known: "
                        + String.join(", ", known));
                return ExitCodes.USAGE;
            }
            try (AssayRuntime runtime = common.openAll(spec.commandLine().getErr())) {
                for (Map.Entry<String, Class<? extends Record>> s : new TreeMap<>(AssayRuntime.SECTIONS).entrySet()) {
                    if (stage == null || stage.equals(s.getKey())) {
                        print(out, s.getKey(), "section", s.getValue());
                    }
                }
                for (StageKey k : StageKey.GENERATION) {
                    if (stage != null && !stage.equals(k.key())) {
                        continue;
                    }
                    for (var c : runtime.host().catalog().components(k.type())) {
                        print(out, k.key() + " { name = " + c.name() + " }", c.pluginId() + " " + c.pluginVersion()
                                + (c.description().isEmpty() ? "" : " — " + c.description()),
                                ComponentKeys.describe(c.extensionClass()));
                    }
                }
                if (stage == null || stage.equals("curation")) {
                    print(out, "curation", "section of a curation file", io.assay.framework.curation
                            .CurationSettings.class);
                }
                if (stage == null || stage.equals("curation.source")) {
                    print(out, "curation.source", "where records come from", io.assay.framework.curation
                            .CurationSourceSettings.class);
                }
                if (stage == null || stage.equals(FILTERS)) {
                    for (var c : runtime.host().catalog().components(io.assay.sdk.curation.ScraperFilter.class)) {
                        print(out, FILTERS + " [ { name = " + c.name() + " } ]", c.pluginId() + " "
                                + c.pluginVersion() + (c.description().isEmpty() ? "" : " — " + c.description()),
                                ComponentKeys.describe(c.extensionClass()));
                    }
                }
                return ExitCodes.OK;
            }
        }

        private static final String FILTERS = "curation.filters";

        private static void print(PrintWriter out, String title, String what, Class<? extends Record> type) {
            print(out, title, what, SettingsBinder.describe(type));
        }

        /** One section or component: its title and the settings it accepts. */
        private static void print(PrintWriter out, String title, String what,
                List<SettingsBinder.Descriptor> settings) {
            out.printf("%s   (%s)%n", title, what);
            for (SettingsBinder.Descriptor d : settings) {
                out.printf("  %-26s %-22s default %-14s %s%n", d.key(), type(d),
                        d.setting().defaultValue().isEmpty() ? "(unset)" : d.setting().defaultValue(),
                        d.setting().doc());
            }
            out.println();
        }

        /** The type as users write it: a string with fixed values shows the values; a range shows the range. */
        static String type(SettingsBinder.Descriptor d) {
            String t = d.setting().oneOf().length > 0 ? String.join("|", d.setting().oneOf()) : d.typeName();
            double min = d.setting().min();
            double max = d.setting().max();
            if (min != Double.NEGATIVE_INFINITY || max != Double.POSITIVE_INFINITY) {
                t += " [" + (min == Double.NEGATIVE_INFINITY ? "-inf" : num(min)) + ", "
                        + (max == Double.POSITIVE_INFINITY ? "inf" : num(max)) + "]";
            }
            return t;
        }

        private static String num(double v) {
            return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
        }
    }
}
