package io.assay.framework.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every problem of one configuration, collected before anything runs and printed as one numbered list
 * (STYLE §3.6):
 *
 * <pre>
 * Configuration errors in configs/sd15-cpu.conf (2):
 *   1) line 12, guidance.scale: expected a number in [0.0, 30.0], found "high" (string)
 *   2) line 17, scheduler.timestep-spacinng: unknown key for component 'euler'; did you mean 'timestep-spacing'?
 * Warning: line 20, scheduler.name: 'k-euler' is an old name; use 'euler'
 * </pre>
 *
 * <p>Not thread-safe; one report belongs to one load or validation.
 */
public final class ConfigReport {

    private final List<ConfigProblem> errors = new ArrayList<>();
    private final List<ConfigProblem> warnings = new ArrayList<>();

    /** Adds an error. */
    public void error(ConfigProblem problem) {
        errors.add(problem);
    }

    /** Adds a warning. */
    public void warning(ConfigProblem problem) {
        warnings.add(problem);
    }

    /** Adds the errors and warnings of another report. */
    public void addAll(ConfigReport other) {
        errors.addAll(other.errors);
        warnings.addAll(other.warnings);
    }

    /** The errors, in the order found. */
    public List<ConfigProblem> errors() {
        return List.copyOf(errors);
    }

    /** The warnings, in the order found. */
    public List<ConfigProblem> warnings() {
        return List.copyOf(warnings);
    }

    /** Whether there is at least one error. */
    public boolean hasErrors() {
        return !errors.isEmpty();
    }

    /** Whether there is neither an error nor a warning. */
    public boolean isEmpty() {
        return errors.isEmpty() && warnings.isEmpty();
    }

    /**
     * The file the report is about: the origin that holds most errors (or warnings, when there is no error), ties
     * going to the first seen; {@code "the configuration"} when no problem has an origin.
     */
    public String subject() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (ConfigProblem p : errors.isEmpty() ? warnings : errors) {
            if (!p.origin().isEmpty()) {
                counts.merge(p.origin(), 1, Integer::sum);
            }
        }
        return counts.entrySet().stream()
                .max(Comparator.comparingInt(Map.Entry::getValue))
                .map(Map.Entry::getKey)
                .orElse("the configuration");
    }

    /**
     * The numbered report; empty when there is nothing to say. Entries in the {@linkplain #subject() subject} file
     * come first and say {@code line N}; entries from elsewhere name their origin ({@code base.conf:3},
     * {@code command line --set}, {@code reference.conf:7}). Warnings follow, one per line.
     */
    public String format() {
        StringBuilder b = new StringBuilder();
        String subject = subject();
        if (!errors.isEmpty()) {
            List<ConfigProblem> sorted = new ArrayList<>(errors);
            sorted.sort(Comparator.comparing((ConfigProblem p) -> !p.origin().equals(subject))
                    .thenComparing(ConfigProblem::origin)
                    .thenComparingInt(ConfigProblem::line));
            b.append("Configuration errors in ").append(subject).append(" (").append(sorted.size()).append("):\n");
            for (int i = 0; i < sorted.size(); i++) {
                b.append("  ").append(i + 1).append(") ").append(entry(sorted.get(i), subject)).append('\n');
            }
        }
        for (ConfigProblem w : warnings) {
            b.append("Warning: ").append(entry(w, subject)).append('\n');
        }
        return b.toString().stripTrailing();
    }

    private static String entry(ConfigProblem p, String subject) {
        String where;
        if (p.origin().equals(subject) && p.line() > 0) {
            where = "line " + p.line();
        } else if (p.origin().equals(subject)) {
            where = "";
        } else {
            where = p.location();
        }
        StringBuilder b = new StringBuilder(where);
        if (!p.key().isEmpty()) {
            b.append(b.length() == 0 ? "" : ", ").append(p.key());
        }
        return b.append(b.length() == 0 ? "" : ": ").append(p.message()).toString();
    }

    @Override
    public String toString() {
        return format();
    }
}
