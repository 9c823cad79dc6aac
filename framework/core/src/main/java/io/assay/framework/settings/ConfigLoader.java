package io.assay.framework.settings;

import io.assay.sdk.settings.ConfigErrorsException;
import io.assay.sdk.settings.ConfigProblem;
import io.assay.sdk.settings.ConfigReport;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigSyntax;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Loads a configuration in layers: {@code --set} overrides, over the user's pipeline file (includes relative to the
 * file), over the framework's {@code reference.conf}; then resolves substitutions. Every value keeps its origin
 * (file:line, {@code command line --set}, {@code reference.conf}).
 */
public final class ConfigLoader {

    /** The origin description of command-line overrides. */
    public static final String SET_ORIGIN = "command line --set";

    private static final String FLAG_MARK = "\u0001";

    /**
     * An override that a dedicated command-line flag stands for (e.g. {@code --scheduler euler} for
     * {@code scheduler.name = "euler"}): like {@code path=value}, but problems with it name the flag
     * ({@code command line --scheduler}) rather than {@code --set}.
     */
    public static String fromFlag(String flag, String path, String hoconValue) {
        return FLAG_MARK + flag + FLAG_MARK + path + "=" + hoconValue;
    }

    private final Config reference;

    /** A loader over the given defaults (the framework's reference.conf, loaded by the caller). */
    public ConfigLoader(Config reference) {
        this.reference = reference;
    }

    /** Loads the framework's {@code reference.conf} from this class's loader (not the thread-context loader). */
    public static Config frameworkReference() {
        return ConfigFactory.parseResources(ConfigLoader.class.getClassLoader(), "reference.conf",
                ConfigParseOptions.defaults().setAllowMissing(false));
    }

    /**
     * Loads and resolves.
     *
     * @param userFile the pipeline file, or null for the defaults alone
     * @param sets {@code path=value} overrides, value in HOCON syntax
     * @param extra extra lowest-priority-above-reference values (e.g. a model directory chosen by the host), or null
     * @throws ConfigErrorsException with the whole report if the file is missing or malformed, an override has no
     *     '=', or a substitution cannot be resolved
     */
    public Config load(Path userFile, List<String> sets, Config extra) {
        ConfigReport report = new ConfigReport();
        Config user = ConfigFactory.empty();
        if (userFile != null) {
            if (!Files.isRegularFile(userFile)) {
                report.error(new ConfigProblem(userFile.toString(), -1, "", "no such pipeline file"));
            } else {
                try {
                    user = ConfigFactory.parseFile(userFile.toFile(),
                            ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF).setAllowMissing(false));
                } catch (ConfigException e) {
                    report.error(problem(e, userFile.toString()));
                }
            }
        }
        Config cli = ConfigFactory.empty();
        for (String given : sets) {
            // An override a dedicated flag stands for carries the flag, so problems name what the user typed.
            String origin = SET_ORIGIN;
            String s = given;
            if (s.startsWith(FLAG_MARK)) {
                int end = s.indexOf(FLAG_MARK, 1);
                origin = "command line " + s.substring(1, end);
                s = s.substring(end + 1);
            }
            int eq = s.indexOf('=');
            if (eq <= 0) {
                report.error(new ConfigProblem(SET_ORIGIN, -1, s, "expected --set path=value"));
                continue;
            }
            String path = s.substring(0, eq).trim();
            String value = s.substring(eq + 1);
            try {
                Config one = ConfigFactory.parseString(path + " = " + (value.isBlank() ? "\"\"" : value),
                        ConfigParseOptions.defaults().setOriginDescription(origin));
                cli = one.withFallback(cli);
            } catch (ConfigException e) {
                // Not valid HOCON as written: take it as a plain string (e.g. --set run.prompt=a cat, on a hill).
                try {
                    cli = ConfigFactory.parseString(path + " = " + quote(value),
                            ConfigParseOptions.defaults().setOriginDescription(origin)).withFallback(cli);
                } catch (ConfigException e2) {
                    report.error(new ConfigProblem(origin, -1, path, "cannot parse override '" + s + "': "
                            + e.getMessage()));
                }
            }
        }
        if (report.hasErrors()) {
            throw new ConfigErrorsException(report, subject(userFile));
        }
        Config merged = cli.withFallback(user).withFallback(extra == null ? ConfigFactory.empty() : extra)
                .withFallback(reference);
        try {
            return merged.resolve(ConfigResolveOptions.defaults().setUseSystemEnvironment(true));
        } catch (ConfigException e) {
            report.error(problem(e, subject(userFile)));
            throw new ConfigErrorsException(report, subject(userFile));
        }
    }

    static String subject(Path userFile) {
        return userFile == null ? "the default configuration" : userFile.toString();
    }

    static ConfigProblem problem(ConfigException e, String fallbackFile) {
        if (e.origin() != null) {
            String msg = e.getMessage();
            // Typesafe prefixes "<origin description>: " — keep only the explanation.
            String prefix = e.origin().description() + ": ";
            if (msg.startsWith(prefix)) {
                msg = msg.substring(prefix.length());
            }
            String kind = e instanceof ConfigException.Parse ? "malformed HOCON: " : "";
            return ConfigProblem.at(e.origin(), "", kind + msg);
        }
        return new ConfigProblem(fallbackFile, -1, "", e.getMessage());
    }

    /** Quotes a string as a HOCON value (for {@code path=value} overrides built from user text). */
    public static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    /**
     * The problems of overrides ({@code --set}) reported at the place that gave them (an experiment's axis, a line of a
     * prompts file) into {@code report}; returns how many there were.
     *
     * @param prefix what to put before each message, e.g. {@code axis 'guidance.scale' value '3': }
     */
    public static int reattribute(ConfigErrorsException e, String file, int line, String prefix, ConfigReport report) {
        int n = 0;
        for (ConfigProblem p : e.report().errors()) {
            if (p.file().startsWith("command line ") || p.file().isEmpty()) {
                report.error(new ConfigProblem(file, line, p.key(), prefix + p.message()));
                n++;
            }
        }
        return n;
    }
}
