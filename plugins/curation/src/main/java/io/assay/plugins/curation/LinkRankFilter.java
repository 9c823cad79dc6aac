package io.assay.plugins.curation;

import io.assay.sdk.Component;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import io.assay.sdk.curation.ScraperFilter;
import io.assay.sdk.curation.Verdict;
import io.assay.sdk.curation.WebRecord;
import jakarta.inject.Inject;
import java.util.Arrays;
import org.pf4j.Extension;

/**
 * Keeps records from the top {@code top-share} of pages by inbound links, as a crawl that prioritises linked-to
 * pages would (Common Crawl's harmonic-centrality ranking plays this role at web scale). Needs the whole source's
 * link counts first: during the survey pass it remembers one (page hash, links) pair per record — 16 bytes, no
 * URLs — then dedupes pages and finds the cut. Reason {@code low-link-rank}; score: the page's inbound links.
 */
@Extension
@Component(name = "link-rank", description = "Keep the top share of pages by inbound links",
        settings = LinkRankSettings.class)
public final class LinkRankFilter implements ScraperFilter {

    private volatile boolean closed;
    private final LinkRankSettings settings;
    private long[] pages = new long[1024];
    private long[] links = new long[1024];
    private int n;
    private long threshold = Long.MIN_VALUE;
    private boolean surveyed;

    /** Creates the filter. */
    @Inject
    public LinkRankFilter(LinkRankSettings settings) {
        this.settings = settings;
    }

    @Override
    public boolean needsSurvey() {
        return true;
    }

    @Override
    public void survey(WebRecord r) {
        checkOpen();
        if (r.inboundLinks() < 0) {
            return;
        }
        if (n == pages.length) {
            pages = Arrays.copyOf(pages, n * 2);
            links = Arrays.copyOf(links, n * 2);
        }
        pages[n] = hash(r.pageUrl() == null ? r.id() : r.pageUrl());
        links[n] = r.inboundLinks();
        n++;
    }

    private static long hash(String s) {
        long h = 0xcbf29ce484222325L; // FNV-1a 64: a stable hash, so checkpoints agree across JVMs
        for (int i = 0; i < s.length(); i++) {
            h ^= s.charAt(i);
            h *= 0x100000001b3L;
        }
        return h;
    }

    @Override
    public void surveyed() {
        surveyed = true;
        if (n == 0) {
            return;
        }
        // One count per distinct page (the first seen), then the cut at the top share.
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> pages[a] != pages[b] ? Long.compare(pages[a], pages[b]) : Integer.compare(a, b));
        long[] distinct = new long[n];
        int d = 0;
        for (int i = 0; i < n; i++) {
            if (i == 0 || pages[order[i]] != pages[order[i - 1]]) {
                distinct[d++] = links[order[i]];
            }
        }
        long[] sorted = Arrays.copyOf(distinct, d);
        Arrays.sort(sorted);
        int keep = (int) Math.ceil(settings.topShare() * d);
        threshold = sorted[Math.max(0, d - keep)];
        pages = null;
        links = null;
    }

    /** The smallest inbound-link count kept (after the survey). */
    long threshold() {
        return threshold;
    }

    @Override
    public Verdict judge(WebRecord r) {
        checkOpen();
        if (!surveyed) {
            throw new IllegalStateException("link-rank judged before the survey pass");
        }
        if (r.inboundLinks() < 0) {
            return settings.unknown().equals("keep") ? Verdict.keep(Double.NaN)
                    : Verdict.reject("unknown-links", Double.NaN);
        }
        return r.inboundLinks() >= threshold ? Verdict.keep(r.inboundLinks())
                : Verdict.reject("low-link-rank", r.inboundLinks());
    }

    @Override
    public byte[] saveState() {
        return java.nio.ByteBuffer.allocate(8).putLong(threshold).array();
    }

    @Override
    public void restoreState(byte[] state) {
        if (state.length == 8) {
            threshold = java.nio.ByteBuffer.wrap(state).getLong();
            surveyed = true;
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new StageException(ErrorCode.CLOSED, "Component 'link-rank' was closed");
        }
    }

    /** A closed filter refuses to judge. */
    @Override
    public void close() {
        closed = true;
    }
}
