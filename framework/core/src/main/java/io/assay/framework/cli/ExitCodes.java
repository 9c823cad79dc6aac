package io.assay.framework.cli;

import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;

/** The exit codes of the {@code assay} command; scripts can tell a bad config from a bad model from a bug. */
public final class ExitCodes {

    /** Success. */
    public static final int OK = 0;
    /** A bug or an unexpected failure. */
    public static final int INTERNAL = 1;
    /** Bad command-line usage (picocli's own code). */
    public static final int USAGE = 2;
    /** The configuration or an input value is wrong. */
    public static final int CONFIG = 3;
    /** A model file or directory is missing, corrupt or does not fit. */
    public static final int MODEL = 4;
    /** A plugin could not be loaded or used. */
    public static final int PLUGIN = 5;
    /** The output directory is in use by another run (its lock is held; the message names the PID). */
    public static final int BUSY = 6;
    /** A file could not be read or written: disk full, read-only, not a directory, permission (named in the message). */
    public static final int IO = 7;
    /** Cancelled (Ctrl-C): 128 + SIGINT. */
    public static final int CANCELLED = 130;

    private ExitCodes() {
    }

    /** The exit code for a stage failure. */
    public static int of(StageException e) {
        ErrorCode.Category c = e.code().category();
        return switch (c) {
            case USER -> CONFIG;
            case MODEL -> MODEL;
            case CANCELLED -> CANCELLED;
            case INTERNAL -> INTERNAL;
        };
    }
}
