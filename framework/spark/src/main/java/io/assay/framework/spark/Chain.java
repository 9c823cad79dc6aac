package io.assay.framework.spark;

import io.assay.framework.assembly.RunStageContext;
import io.assay.framework.curation.CurationPlan;
import io.assay.framework.host.Lease;
import io.assay.framework.runtime.AssayRuntime;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import io.assay.sdk.TraceSink;
import io.assay.sdk.curation.Images;
import io.assay.sdk.curation.KeyedFilter;
import io.assay.sdk.curation.ScraperFilter;
import io.assay.sdk.curation.Verdict;
import io.assay.sdk.curation.WebRecord;
import io.assay.sdk.tensor.RgbImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The filter chain inside one task: fresh filter instances (created through the executor's plugin host, under a lease
 * held for the task), survey states restored, and the local engine's rules for every record's fate.
 */
final class Chain implements AutoCloseable {

    private final CurationPlan plan;
    private final Lease lease;
    private final ScraperFilter[] filters;
    private final long[] nanos;
    private final Map<String, byte[]> states;

    /**
     * @param states survey states by filter label (restored into the new instances)
     */
    Chain(AssayRuntime runtime, CurationPlan plan, Map<String, byte[]> states) {
        this.plan = plan;
        this.lease = runtime.host().lease();
        List<CurationPlan.Filter> fs = plan.filters();
        this.filters = new ScraperFilter[fs.size()];
        this.nanos = new long[fs.size()];
        this.states = Map.copyOf(states);
        try {
            for (int i = 0; i < fs.size(); i++) {
                CurationPlan.Filter f = fs.get(i);
                filters[i] = runtime.host().create(lease, ScraperFilter.class, f.component().name(), f.settings(),
                        new RunStageContext("curation.filters", f.component().name(), TraceSink.NONE, () -> false,
                                runtime.userFile().getParent()));
                byte[] s = states.get(f.label());
                if (s != null) {
                    filters[i].restoreState(s);
                }
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Index of the chain's keyed (order-dependent) filter, or -1; refuses other stateful filters' layouts. */
    static int keyedIndex(List<ScraperFilter> filters, List<String> labels) {
        int k = -1;
        for (int i = 0; i < filters.size(); i++) {
            if (filters.get(i) instanceof KeyedFilter) {
                if (k >= 0) {
                    throw new StageException(ErrorCode.INVALID_INPUT, "the spark engine runs at most one keyed "
                            + "(order-dependent) filter per chain; curation.filters has '" + labels.get(k) + "' and '"
                            + labels.get(i) + "'");
                }
                k = i;
            }
        }
        return k;
    }

    /** Replaces filter {@code i} with a fresh instance (a keyed filter's state belongs to one task). */
    void renew(AssayRuntime runtime, int i) {
        CurationPlan.Filter f = plan.filters().get(i);
        filters[i].close();
        filters[i] = null;
        filters[i] = runtime.host().create(lease, ScraperFilter.class, f.component().name(), f.settings(),
                new RunStageContext("curation.filters", f.component().name(), TraceSink.NONE, () -> false,
                        runtime.userFile().getParent()));
        byte[] s = states.get(f.label());
        if (s != null) {
            filters[i].restoreState(s);
        }
    }

    /** Starts a task's timing from zero. */
    void resetNanos() {
        java.util.Arrays.fill(nanos, 0);
    }

    ScraperFilter filter(int i) {
        return filters[i];
    }

    int size() {
        return filters.length;
    }

    long nanos(int i) {
        return nanos[i];
    }

    /** A record as read, with the reader's verdict (the local engine's unreadable rules). */
    Rec read(WebRecord r, long order) {
        Rec x = Rec.of(order, r, filters.length);
        String why = r.metadata().get("unreadable");
        if (why == null && r.caption().indexOf('\uFFFD') >= 0) {
            why = "caption has undecodable characters";
        }
        if (why == null && r.hasImage()) {
            try {
                RgbImage img = Images.decode(r.image(), plan.settings().maxPixels());
                x.width = img.width();
                x.height = img.height();
            } catch (Images.UnreadableImageException e) {
                why = e.getMessage();
            }
        }
        if (why != null) {
            x.filter = Rec.READER;
            x.reason = Verdict.UNREADABLE;
            x.detail = why;
        }
        return x;
    }

    /** Judges the alive records with filters {@code from} (inclusive) to {@code to} (exclusive), batched. */
    void judge(List<Rec> recs, int from, int to) {
        for (int f = from; f < to; f++) {
            ScraperFilter filter = filters[f];
            int batch = Math.max(1, Math.min(1024, filter.preferredBatchSize()));
            List<Rec> alive = new ArrayList<>();
            for (Rec r : recs) {
                if (r.alive()) {
                    alive.add(r);
                }
            }
            for (int i = 0; i < alive.size(); i += batch) {
                apply(f, alive.subList(i, Math.min(alive.size(), i + batch)));
            }
        }
    }

    /** Judges the given alive records, in the given order, with one filter. */
    void apply(int f, List<Rec> in) {
        if (in.isEmpty()) {
            return;
        }
        List<WebRecord> web = new ArrayList<>(in.size());
        in.forEach(r -> web.add(r.web()));
        String name = plan.filters().get(f).label();
        long t = System.nanoTime();
        List<Verdict> vs;
        try {
            vs = filters[f].judgeAll(web);
        } catch (RuntimeException e) {
            throw new StageException(ErrorCode.INTERNAL, "filter '" + name + "' failed on a batch starting at record '"
                    + web.get(0).id() + "': " + e.getMessage(), e);
        }
        nanos[f] += System.nanoTime() - t;
        if (vs.size() != in.size()) {
            throw new StageException(ErrorCode.INTERNAL, "filter '" + name + "' returned " + vs.size()
                    + " verdicts for " + in.size() + " records");
        }
        for (int k = 0; k < vs.size(); k++) {
            Rec r = in.get(k);
            Verdict v = vs.get(k);
            r.judged[f] = true;
            r.scores[f] = v.score();
            if (!v.kept()) {
                r.filter = name;
                r.reason = v.reason();
                r.score = v.score();
            }
        }
    }

    private boolean closed;

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (ScraperFilter f : filters) {
            if (f != null) {
                f.close();
            }
        }
        lease.close();
    }
}
