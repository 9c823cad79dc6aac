package io.assay.plugins.curation;

import io.assay.sdk.Setting;

/**
 * Settings of {@code link-rank}.
 *
 * @param topShare the share of pages kept, by inbound links
 * @param unknown what happens to records whose source knows no link count
 */
public record LinkRankSettings(
        @Setting(doc = "Share of the source's pages kept, ranked by inbound links (0.2 = the top 20%); pages tied "
                + "at the cut are all kept.", defaultValue = "0.5", min = 0, max = 1) double topShare,
        @Setting(doc = "Records whose source gives no inbound-link count: keep or reject (reason unknown-links).",
                defaultValue = "keep", oneOf = {"keep", "reject"}) String unknown) {

    /** Validates. */
    public LinkRankSettings {
        if (!(topShare > 0 && topShare <= 1)) {
            throw new IllegalArgumentException("'top-share' must be in (0, 1], got " + topShare);
        }
    }
}
