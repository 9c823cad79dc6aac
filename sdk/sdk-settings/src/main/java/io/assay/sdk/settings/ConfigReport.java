package io.assay.sdk.settings;

import java.util.ArrayList;
import java.util.List;

/** Every problem of one configuration, collected before anything runs, then printed as one numbered list. */
public final class ConfigReport {

    private final List<ConfigProblem> errors = new ArrayList<>();
    private final List<ConfigProblem> warnings = new ArrayList<>();

    /** Adds an error. */
    public void error(ConfigProblem p) {
        errors.add(p);
    }

    /** Adds a warning. */
    public void warning(ConfigProblem p) {
        warnings.add(p);
    }

    /** The errors so far. */
    public List<ConfigProblem> errors() {
        return List.copyOf(errors);
    }

    /** The warnings so far. */
    public List<ConfigProblem> warnings() {
        return List.copyOf(warnings);
    }

    /** Whether there is any error. */
    public boolean hasErrors() {
        return !errors.isEmpty();
    }

    /**
     * The numbered report, e.g.
     * <pre>
     * Configuration errors in bad.conf (2):
     *   1) bad.conf:3: run.steps: expected a number, found "many" (string)
     *   2) bad.conf:7: scheduler.timestep-spacinng: unknown key for component 'euler'; did you mean 'timestep-spacing'?
     * </pre>
     */
    public String format(String subject) {
        StringBuilder b = new StringBuilder();
        List<ConfigProblem> errors = new ArrayList<>(this.errors);
        errors.sort(java.util.Comparator.comparing(ConfigProblem::file).thenComparingInt(ConfigProblem::line));
        if (!errors.isEmpty()) {
            b.append("Configuration errors in ").append(subject).append(" (").append(errors.size()).append("):\n");
            for (int i = 0; i < errors.size(); i++) {
                b.append("  ").append(i + 1).append(") ").append(errors.get(i).render()).append('\n');
            }
        }
        for (ConfigProblem w : warnings) {
            b.append("Warning: ").append(w.render()).append('\n');
        }
        return b.toString().stripTrailing();
    }
}
