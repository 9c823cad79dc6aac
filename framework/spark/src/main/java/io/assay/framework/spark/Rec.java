package io.assay.framework.spark;

import io.assay.sdk.curation.WebRecord;
import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;

/**
 * One source record on its way through the chain, as Spark moves it between tasks: the record, its place in the
 * source, and its fate so far (alive while {@link #filter} is null).
 */
final class Rec implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The reader's name as the fate of a record nobody could read (the local engine's ledger uses it too). */
    static final String READER = "(reader)";

    /** Global source order: part in the high 32 bits, position in the part in the low 32. */
    long order;
    String id;
    String imageUrl;
    String pageUrl;
    String caption;
    byte[] image;
    long inboundLinks;
    HashMap<String, String> metadata;
    /** Decoded size (0 when there is no readable image). */
    int width;
    int height;

    /** The filter (or {@link #READER}) that ended it; null while alive or when kept. */
    String filter;
    String reason;
    double score = Double.NaN;
    /** Why the reader could not read it (filter = READER). */
    String detail;
    /** Per filter of the chain: whether it judged the record, and the score. */
    boolean[] judged;
    double[] scores;
    /** The keyed filter's keys (empty: none). */
    long[] keys = new long[0];

    static long order(int part, long index) {
        return ((long) part << 32) | index;
    }

    int part() {
        return (int) (order >>> 32);
    }

    static Rec of(long order, WebRecord r, int filters) {
        Rec x = new Rec();
        x.order = order;
        x.id = r.id();
        x.imageUrl = r.imageUrl();
        x.pageUrl = r.pageUrl();
        x.caption = r.caption();
        x.image = r.image();
        x.inboundLinks = r.inboundLinks();
        x.metadata = new HashMap<>(r.metadata());
        x.judged = new boolean[filters];
        x.scores = new double[filters];
        java.util.Arrays.fill(x.scores, Double.NaN);
        return x;
    }

    WebRecord web() {
        return new WebRecord(id, imageUrl, pageUrl, caption, image, inboundLinks, metadata);
    }

    boolean alive() {
        return filter == null;
    }

    boolean unreadable() {
        return reason != null && reason.equals(io.assay.sdk.curation.Verdict.UNREADABLE);
    }

    /** The local engine's status words. */
    String status() {
        return filter == null ? "kept" : unreadable() ? "unreadable" : "rejected";
    }

    /** A copy without the image bytes (what the driver's counting needs). */
    Rec light() {
        Rec x = new Rec();
        x.order = order;
        x.id = id;
        x.imageUrl = imageUrl;
        x.pageUrl = pageUrl;
        x.caption = caption;
        x.inboundLinks = inboundLinks;
        x.metadata = metadata;
        x.width = width;
        x.height = height;
        x.filter = filter;
        x.reason = reason;
        x.score = score;
        x.detail = detail;
        x.judged = judged;
        x.scores = scores;
        x.keys = keys;
        return x;
    }

    Map<String, String> meta() {
        return metadata;
    }
}
