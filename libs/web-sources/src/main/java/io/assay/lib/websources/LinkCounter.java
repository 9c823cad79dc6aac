package io.assay.lib.websources;

import java.util.HashMap;
import java.util.Map;

/**
 * Inbound-link counts per page URL, with a hard cap on the number of URLs: a crawl links to far more URLs than it
 * captures, and an uncapped table would grow with the web rather than with the input. Past the cap, known URLs keep
 * counting and unknown ones are ignored.
 */
final class LinkCounter {

    private final Map<String, int[]> counts = new HashMap<>();
    private final long cap;

    LinkCounter(long cap) {
        this.cap = cap;
    }

    /** Records that the source holds this page, so an unlinked page reads 0 rather than unknown. */
    void registerPage(String pageKey) {
        if (!counts.containsKey(pageKey) && counts.size() < cap) {
            counts.put(pageKey, new int[1]);
        }
    }

    /** One {@code <a href>} from {@code fromKey} to {@code toKey}; a page linking to itself does not count. */
    void countLink(String fromKey, String toKey) {
        if (toKey.equals(fromKey)) {
            return;
        }
        int[] c = counts.get(toKey);
        if (c == null) {
            if (counts.size() >= cap) {
                return;
            }
            c = new int[1];
            counts.put(toKey, c);
        }
        if (c[0] < Integer.MAX_VALUE) {
            c[0]++;
        }
    }

    /** The count, or -1 when the URL is not tracked. */
    long inbound(String pageKey) {
        int[] c = counts.get(pageKey);
        return c == null ? -1L : c[0];
    }

    int size() {
        return counts.size();
    }
}
