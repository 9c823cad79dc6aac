package io.assay.framework.host;

/** Why a plugin archive is not loaded: what the host records in place of a started version. */
final class Refusal extends Exception {
    private static final long serialVersionUID = 1L;
    final String id;
    final String version;
    final String requires;
    final PluginInfo.State state;

    Refusal(String id, String version, String requires, PluginInfo.State state, String message) {
        super(message);
        this.id = id == null ? "?" : id;
        this.version = version == null ? "?" : version;
        this.requires = requires == null ? "?" : requires;
        this.state = state;
    }

    /** A refusal of the archive with this descriptor. */
    static Refusal of(PluginArchives.Descriptor d, PluginInfo.State state, String message) {
        return new Refusal(d.id(), d.version(), d.requires(), state, message);
    }

    /** What {@code assay plugins} shows for the refused archive. */
    PluginInfo info(java.nio.file.Path path) {
        return new PluginInfo(id, version, requires, "", path, state, getMessage(), java.util.Map.of());
    }
}
