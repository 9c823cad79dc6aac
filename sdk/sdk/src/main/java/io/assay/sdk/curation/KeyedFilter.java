package io.assay.sdk.curation;

/**
 * A stateful filter whose verdict on a record depends only on the earlier records that share a key with it (the
 * near-duplicate filter: a perceptual hash's bands, since two hashes within the distance agree on at least one band).
 *
 * <p>An engine that spreads a source over many machines (the Spark engine) uses the keys to stay exact: it groups
 * records that share keys, transitively, and judges each group in source order with one instance of the filter, which
 * gives the verdicts and scores a single instance would give over the whole source. A stateful filter that is not
 * keyed can only run on the local engine.
 *
 * @since SDK 1.2
 */
public interface KeyedFilter extends ScraperFilter {

    /**
     * The record's keys. A record with no keys (no image, an unreadable one) must be judged without regard to other
     * records and without changing the filter's state. Computing keys must not change the state either.
     */
    long[] keys(WebRecord record);
}
