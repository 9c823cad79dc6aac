package io.assay.sdk.settings;

/** A configuration that failed to load or validate; {@link #getMessage()} is the whole numbered report. */
public final class ConfigErrorsException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient ConfigReport report;

    /** Wraps a report with errors. */
    public ConfigErrorsException(ConfigReport report, String subject) {
        super(report.format(subject));
        this.report = report;
    }

    /** The problems. */
    public ConfigReport report() {
        return report;
    }
}
