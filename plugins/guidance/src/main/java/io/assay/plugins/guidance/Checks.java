package io.assay.plugins.guidance;

/** Settings checks whose messages name the config key, the value and what was expected. */
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
}
