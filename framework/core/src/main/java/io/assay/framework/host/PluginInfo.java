package io.assay.framework.host;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What {@code assay plugins} shows about one plugin.
 *
 * @param id the plugin id
 * @param version its version
 * @param requires the SDK range it declares
 * @param description one line
 * @param path the archive or directory it came from
 * @param state STARTED, REFUSED (descriptor, SDK range, bundled host classes, duplicate names), FAILED (could not
 *     load), or RETIRING (replaced, still pinned by runs in flight)
 * @param problem why it is not STARTED, or null
 * @param components stage name → component names
 */
public record PluginInfo(String id, String version, String requires, String description, Path path, State state,
        String problem, Map<String, List<String>> components) {

    /** Plugin states. */
    public enum State { STARTED, REFUSED, FAILED, RETIRING }
}
