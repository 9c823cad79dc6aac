package io.assay.plugins.guidance;

/** Settings checks whose messages name the config key, the value and what was expected; the closed-stage check. */
final class Checks {

    private Checks() {
    }

    static void finite(String key, double v) {
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException("'" + key + "' must be a finite number, got " + v);
        }
    }

    static void atLeast(String key, double v, double min) {
        finite(key, v);
        if (v < min) {
            throw new IllegalArgumentException("'" + key + "' must be >= " + GuidanceRun.num(min) + ", got "
                    + GuidanceRun.num(v));
        }
    }

    static void fraction(String key, double v) {
        finite(key, v);
        if (v < 0 || v > 1) {
            throw new IllegalArgumentException("'" + key + "' must be in [0, 1], got " + GuidanceRun.num(v));
        }
    }

    /** Throws {@code StageException(CLOSED)} if the component was closed (the SDK's rule for every stage). */
    static void open(boolean closed, String component) {
        if (closed) {
            throw new io.assay.sdk.StageException(io.assay.sdk.ErrorCode.CLOSED, "Component '" + component
                    + "' was closed");
        }
    }
}
