package io.assay.framework.host;

/**
 * How big a plugin archive may unpack (zip bombs): checked on the archive's directory before anything is extracted,
 * and again on the bytes actually written while extracting (a directory can lie).
 *
 * @param maxEntries most entries in the archive
 * @param maxBytes most bytes it may unpack to, all entries together
 * @param maxRatio most unpacked bytes per archive byte, once it unpacks to more than {@link #RATIO_FLOOR}
 */
public record ArchiveLimits(int maxEntries, long maxBytes, int maxRatio) {

    /** Below this many unpacked bytes the ratio is not checked (a small archive of text compresses well). */
    public static final long RATIO_FLOOR = 64L << 20;

    /** The defaults of the {@code plugins} section. */
    public static final ArchiveLimits DEFAULTS = new ArchiveLimits(20_000, 1L << 30, 100);

    /** Null when {@code entries} and {@code bytes} from an archive of {@code archiveBytes} are within the limits. */
    String problem(long entries, long bytes, long archiveBytes) {
        if (entries > maxEntries) {
            return "has " + entries + " entries, over plugins.max-archive-entries (" + maxEntries + ")";
        }
        if (bytes > maxBytes) {
            return "unpacks to " + bytes + " bytes or more, over plugins.max-archive-bytes (" + maxBytes + ")";
        }
        if (bytes > RATIO_FLOOR && archiveBytes > 0 && bytes / archiveBytes > maxRatio) {
            return "unpacks to " + bytes + " bytes from " + archiveBytes + " (" + bytes / archiveBytes
                    + ":1), over plugins.max-archive-ratio (" + maxRatio + ":1): a zip bomb?";
        }
        return null;
    }
}
