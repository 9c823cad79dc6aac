package io.assay.sdk.diffusion;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads {@link Recommended}: the problems of a declaration (for the test kit and for the host when it loads a plugin)
 * and the warnings for a run (for the CLI and the server).
 */
public final class RecommendedRanges {

    private RecommendedRanges() {
    }

    /**
     * What is wrong with {@code component}'s {@link Recommended}, if anything: each range must be empty or
     * {@code {min, max}} with {@code min <= max}, steps at least 1, guidance finite and at least 0, and a reason
     * given. Empty when the class has no annotation.
     */
    public static List<String> problems(Class<?> component) {
        Recommended r = component.getAnnotation(Recommended.class);
        List<String> out = new ArrayList<>();
        if (r == null) {
            return out;
        }
        String who = "@Recommended of " + component.getName();
        int[] s = r.steps();
        if (s.length != 0 && (s.length != 2 || s[0] < 1 || s[0] > s[1])) {
            out.add(who + ": steps must be {} or {min, max} with 1 <= min <= max, got " + java.util.Arrays.toString(s));
        }
        double[] g = r.guidance();
        if (g.length != 0 && (g.length != 2 || !(g[0] >= 0) || !(g[0] <= g[1]) || !Double.isFinite(g[1]))) {
            out.add(who + ": guidance must be {} or {min, max} with 0 <= min <= max (finite), got "
                    + java.util.Arrays.toString(g));
        }
        if (s.length == 0 && g.length == 0) {
            out.add(who + ": declares neither steps nor guidance");
        }
        if (r.reason().isBlank()) {
            out.add(who + ": expected a reason (shown with the warning)");
        }
        return out;
    }

    /**
     * The warnings for a run of {@code steps} steps at guidance scale {@code guidanceScale} with {@code component}
     * (empty when it declares nothing or the run is inside its ranges), e.g. {@code "scheduler 'lcm' is meant for 2
     * to 8 steps; this run has 20 (LCM-distilled models …)"}.
     *
     * @param what how the message names the component, e.g. {@code scheduler 'lcm'}
     * @param guidanceScale the run's guidance scale, or null when the guidance has none
     */
    public static List<String> warnings(Class<?> component, String what, int steps, Double guidanceScale) {
        Recommended r = component.getAnnotation(Recommended.class);
        List<String> out = new ArrayList<>();
        if (r == null || !problems(component).isEmpty()) {
            return out;
        }
        String why = " (" + r.reason() + ")";
        if (r.steps().length == 2 && (steps < r.steps()[0] || steps > r.steps()[1])) {
            out.add(what + " is meant for " + r.steps()[0] + " to " + r.steps()[1] + " steps; this run has " + steps
                    + why);
        }
        if (guidanceScale != null && r.guidance().length == 2
                && (guidanceScale < r.guidance()[0] || guidanceScale > r.guidance()[1])) {
            out.add(what + " is meant for a guidance scale of " + num(r.guidance()[0]) + " to " + num(r.guidance()[1])
                    + "; this run has " + num(guidanceScale) + why);
        }
        return out;
    }

    private static String num(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e9 ? Long.toString((long) v) : Double.toString(v);
    }
}
