package io.assay.framework.config;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.ConfigOrigin;

/**
 * One configuration problem: where it is (a file and line, or an origin such as {@code command line --set}), the
 * full config key, and a message saying what was expected and what was found.
 *
 * @param origin the file as the user named it, a resource name ({@code reference.conf}) or an origin description
 *     ({@code command line --set}); empty when unknown
 * @param line the 1-based line, or -1 when unknown
 * @param key the full config key ({@code guidance.scale}); empty for problems of a whole file
 * @param message what is wrong, e.g. {@code expected a number in [0.0, 30.0], found "high" (string)}
 */
public record ConfigProblem(String origin, int line, String key, String message) {

    /** Validates the fields. */
    public ConfigProblem {
        requireNonNull(origin, "origin is null");
        requireNonNull(key, "key is null");
        requireNonNull(message, "message is null");
        if (line < 1) {
            line = -1;
        }
    }

    /** A problem at a Typesafe origin; a null origin gives an empty one. */
    public static ConfigProblem at(ConfigOrigin origin, String key, String message) {
        return new ConfigProblem(originName(origin), origin == null ? -1 : origin.lineNumber(), key, message);
    }

    /**
     * The short name of an origin: the file as given for files, the resource name for class-path resources, else the
     * description without Typesafe's trailing {@code ": line"}.
     */
    public static String originName(ConfigOrigin origin) {
        if (origin == null) {
            return "";
        }
        if (origin.resource() != null) {
            return origin.resource();
        }
        if (origin.filename() != null) {
            return origin.filename();
        }
        return origin.description().replaceFirst(":\\s*-?\\d+$", "");
    }

    /** The location part alone: {@code file:12}, {@code command line --set}, or empty. */
    public String location() {
        return line > 0 && !origin.isEmpty() ? origin + ":" + line : origin;
    }

    /** A one-line form: {@code file:12: guidance.scale: message}. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        if (!location().isEmpty()) {
            b.append(location()).append(": ");
        }
        if (!key.isEmpty()) {
            b.append(key).append(": ");
        }
        return b.append(message).toString();
    }
}
