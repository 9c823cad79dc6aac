package io.assay.sdk.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Locates the independent numerical references ({@code ../shared/reference} beside the checkout).
 *
 * <p>Resolution order: the system property {@code assay.reference.dir}, the environment variable
 * {@code ASSAY_REFERENCE_DIR}, then {@code shared/reference} in the working directory or any of its parents'
 * siblings. A missing reference <em>skips</em> the test on a developer machine and <em>fails</em> it when
 * {@code CI=true}, so CI can never pass by not running a conformance test.
 */
public final class References {

    private References() {
    }

    /** The reference root, or {@code null} if none was found. */
    public static Path rootOrNull() {
        String prop = System.getProperty("assay.reference.dir");
        if (prop != null && !prop.isBlank() && Files.isDirectory(Paths.get(prop))) {
            return Paths.get(prop).toAbsolutePath().normalize();
        }
        String env = System.getenv("ASSAY_REFERENCE_DIR");
        if (env != null && !env.isBlank() && Files.isDirectory(Paths.get(env))) {
            return Paths.get(env).toAbsolutePath().normalize();
        }
        for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared").resolve("reference");
            if (Files.isDirectory(candidate)) {
                return candidate.normalize();
            }
        }
        return null;
    }

    /** Whether this run is CI ({@code CI=true}), where missing references fail instead of skipping. */
    public static boolean onCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /**
     * Returns {@code <root>/<relative>}, skipping the calling test if it does not exist (failing under CI).
     *
     * @param relative a path inside the reference folder, e.g. {@code "schedulers/index.json"}
     */
    public static Path require(String relative) {
        Path root = rootOrNull();
        Path p = root == null ? null : root.resolve(relative);
        if (p == null || !Files.exists(p)) {
            String msg = "reference '" + relative + "' not found (looked in "
                    + (root == null ? "-Dassay.reference.dir, $ASSAY_REFERENCE_DIR and ../shared/reference" : root)
                    + ")";
            if (onCi()) {
                Assertions.fail(msg + "; CI=true, so a missing reference is a failure");
            }
            Assumptions.abort(msg);
        }
        return p;
    }
}
