package io.assay.lib.websources;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/** Opens {@link RecordSource}s by type name, as the curation command receives them from its configuration. */
public final class RecordSources {

    private RecordSources() {
    }

    /**
     * Opens by type: {@code "warc"} (WARC or WAT files; {@code .warc}, {@code .warc.gz}, {@code .wat},
     * {@code .wat.gz}, detected by content, not only by name), {@code "webdataset"} ({@code .tar} shards),
     * {@code "manifest"} (a directory with {@code manifest.jsonl}). {@code paths} may name files or directories (a
     * directory means every matching file inside it, sorted by name; hidden files are skipped, which is how the
     * writers' temporary files stay invisible).
     *
     * <p>Problems that make the whole request meaningless are reported here, before any pass starts, so a typo in a
     * path fails the command immediately instead of producing an empty dataset.
     *
     * @param options link-counting settings (only used by {@code "warc"}); {@code null} means {@link Options#defaults()}
     * @throws IllegalArgumentException for an unknown type, a missing path, or a path without matching files (the
     *         message names the path)
     */
    public static RecordSource open(String type, List<Path> paths, Options options) {
        Objects.requireNonNull(type, "type is null");
        Objects.requireNonNull(paths, "paths is null");
        if (paths.isEmpty()) {
            throw new IllegalArgumentException("no input paths given for the " + type + " source");
        }
        Options opts = options == null ? Options.defaults() : options;
        switch (type.toLowerCase(Locale.ROOT)) {
            case "warc":
                return new WarcSource(SourceFiles.warcFiles(paths), opts);
            case "webdataset":
                return new WebDatasetSource(SourceFiles.tarFiles(paths));
            case "manifest":
                return new ManifestSource(SourceFiles.manifestDirectories(paths));
            default:
                throw new IllegalArgumentException(
                        "unknown source type '" + type + "' (expected warc, webdataset or manifest)");
        }
    }

    /**
     * How much the WARC reader may remember between its index pass and its main pass, and how much one record may
     * cost.
     *
     * @param countInboundLinks whether to count, per page, the links from other pages of the source (costs an HTML
     *        parse of every page in the index pass and one map entry per distinct URL)
     * @param maxTrackedUrls the most URLs kept in each in-memory table (link counts; image locations): past it, new
     *        URLs are no longer added, so memory stays bounded on crawls of any size; pages that did not fit report
     *        {@code inboundLinks} -1 (unknown) and images that did not fit come without bytes
     * @param maxRecordBytes the most bytes one record of a gzip-compressed WARC/WAT file may inflate to; a member
     *        inflating to more (a decompression bomb) is an unreadable record, and reading resumes after it
     */
    public record Options(boolean countInboundLinks, long maxTrackedUrls, long maxRecordBytes) {

        /** One record of a compressed crawl may inflate to 1 GiB by default. */
        public static final long DEFAULT_MAX_RECORD_BYTES = 1L << 30;

        /** Validates. */
        public Options {
            if (maxTrackedUrls < 0) {
                throw new IllegalArgumentException("maxTrackedUrls must be >= 0, got " + maxTrackedUrls);
            }
            if (maxRecordBytes < 1) {
                throw new IllegalArgumentException("maxRecordBytes must be >= 1, got " + maxRecordBytes);
            }
        }

        /** With the default record limit ({@link #DEFAULT_MAX_RECORD_BYTES}). */
        public Options(boolean countInboundLinks, long maxTrackedUrls) {
            this(countInboundLinks, maxTrackedUrls, DEFAULT_MAX_RECORD_BYTES);
        }

        /** Counting on, five million URLs per table (a few hundred bytes per URL: about 1 GB per full table). */
        public static Options defaults() {
            return new Options(true, 5_000_000L);
        }
    }
}
