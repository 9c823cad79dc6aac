package io.assay.framework.config;

import static java.util.Objects.requireNonNull;

/** Thrown when a configuration cannot be used; carries the whole report, and its message is the formatted report. */
public final class InvalidConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient ConfigReport report;

    /** An exception for a report that has errors. */
    public InvalidConfigException(ConfigReport report) {
        super(requireNonNull(report, "report is null").format());
        this.report = report;
    }

    /** The report (errors and warnings). */
    public ConfigReport report() {
        return report;
    }
}
