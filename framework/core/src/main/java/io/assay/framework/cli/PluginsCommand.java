package io.assay.framework.cli;

import io.assay.framework.runtime.AssayRuntime;
import io.assay.framework.host.PluginInfo;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code assay plugins}: what is installed. */
@Command(name = "plugins", mixinStandardHelpOptions = true,
        description = "List installed plugins: id, version, SDK range, components per stage, state.")
public final class PluginsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common = new CommonOptions();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (AssayRuntime runtime = common.openAll(spec.commandLine().getErr())) {
            List<PluginInfo> plugins = runtime.host().plugins();
            out.printf("SDK %s, %d plugin(s) in %s%n", io.assay.sdk.SdkVersion.VERSION, plugins.size(),
                    runtime.host().pluginsDir());
            boolean problems = false;
            for (PluginInfo p : plugins) {
                out.printf("%n%s %s   requires SDK %s   %s%n", p.id(), p.version(), p.requires(), p.state());
                if (p.description() != null && !p.description().isBlank()) {
                    out.printf("  %s%n", p.description());
                }
                for (Map.Entry<String, List<String>> e : p.components().entrySet()) {
                    out.printf("  %-14s %s%n", e.getKey() + ":", String.join(", ", e.getValue()));
                }
                if (p.problem() != null) {
                    out.printf("  problem: %s%n", p.problem());
                    problems = true;
                }
            }
            return problems ? ExitCodes.PLUGIN : ExitCodes.OK;
        }
    }
}
