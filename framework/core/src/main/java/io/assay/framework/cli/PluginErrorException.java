package io.assay.framework.cli;

/** A plugin that could not be loaded or used. */
final class PluginErrorException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    PluginErrorException(String message) {
        super(message);
    }
}
