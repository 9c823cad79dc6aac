package io.assay.sdk.settings;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.ConfigOrigin;

/**
 * One configuration problem: where (file and line, or the origin's description), the full key, and a message that
 * says what was found and what was expected.
 *
 * @param file the file (or origin description such as {@code command line --set}); may be empty
 * @param line the line, or -1
 * @param key the full config path, or empty for file-level problems
 * @param message what is wrong
 */
public record ConfigProblem(String file, int line, String key, String message) {

    /** Validates. */
    public ConfigProblem {
        requireNonNull(file, "file is null");
        requireNonNull(key, "key is null");
        requireNonNull(message, "message is null");
    }

    /** A problem at a Typesafe origin (null origin = unknown). */
    public static ConfigProblem at(ConfigOrigin origin, String key, String message) {
        return new ConfigProblem(describe(origin), origin == null ? -1 : origin.lineNumber(), key, message);
    }

    /** The file name of an origin, or its description when it is not a file. */
    public static String describe(ConfigOrigin origin) {
        if (origin == null) {
            return "";
        }
        if (origin.filename() != null) {
            return origin.filename();
        }
        if (origin.resource() != null) {
            return origin.resource();
        }
        String d = origin.description();
        // Typesafe appends ": <line>" to descriptions; keep the name only.
        return d.replaceFirst(":\\s*\\d+$", "");
    }

    /** {@code file:line: key: message}. */
    public String render() {
        StringBuilder b = new StringBuilder();
        if (!file.isEmpty()) {
            b.append(file);
            if (line > 0) {
                b.append(':').append(line);
            }
            b.append(": ");
        }
        if (!key.isEmpty()) {
            b.append(key).append(": ");
        }
        return b.append(message).toString();
    }
}
