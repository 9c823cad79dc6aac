package io.assay.framework.curation;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.ArrayList;
import java.util.List;

/**
 * A score histogram in bounded memory: the first {@value #CALIBRATION} finite scores are kept exactly, then fixed
 * the range ({@link #BINS} equal bins from their minimum to their maximum) and are counted; later scores outside the
 * range go to {@code under}/{@code over}. Scores are per filter and usually settle early (similarities, sizes), so
 * the first thousands of records calibrate well. Public fields: it is checkpointed as JSON.
 */
public final class Histogram {

    /** Scores kept exactly before the bins are fixed. */
    public static final int CALIBRATION = 4096;
    /** Number of bins. */
    public static final int BINS = 40;

    /** Lower edge of the first bin (after calibration). */
    public double lo = Double.NaN;
    /** Upper edge of the last bin. */
    public double hi = Double.NaN;
    /** Counts per bin (after calibration). */
    public long[] counts;
    /** Scores below {@link #lo}. */
    public long under;
    /** Scores above {@link #hi}. */
    public long over;
    /** Scores not yet binned. */
    public List<Double> pending = new ArrayList<>();
    /** Scores that were NaN (the filter could not score). */
    public long unscored;

    /** Adds a score. */
    public void add(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            unscored++;
            return;
        }
        if (counts == null) {
            pending.add(v);
            if (pending.size() >= CALIBRATION) {
                calibrate();
            }
            return;
        }
        bin(v);
    }

    private void calibrate() {
        lo = pending.stream().mapToDouble(Double::doubleValue).min().orElse(0);
        hi = pending.stream().mapToDouble(Double::doubleValue).max().orElse(1);
        if (hi <= lo) {
            hi = lo + 1;
        }
        counts = new long[BINS];
        List<Double> p = pending;
        pending = new ArrayList<>();
        p.forEach(this::bin);
    }

    private void bin(double v) {
        if (v < lo) {
            under++;
        } else if (v > hi) {
            over++;
        } else {
            counts[Math.min(BINS - 1, (int) ((v - lo) / (hi - lo) * BINS))]++;
        }
    }

    /** The finished histogram: edges and counts (calibrating on what there is if it never filled). */
    @JsonIgnore
    public Histogram finish() {
        if (counts == null && !pending.isEmpty()) {
            calibrate();
        }
        return this;
    }
}
