package io.assay.plugins.curation;

import io.assay.sdk.Component;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import io.assay.sdk.curation.Images;
import io.assay.sdk.curation.ScraperFilter;
import io.assay.sdk.curation.Verdict;
import io.assay.sdk.curation.WebRecord;
import jakarta.inject.Inject;
import org.pf4j.Extension;

/**
 * Keeps images at least {@code min-width}×{@code min-height} with an aspect ratio up to {@code max-aspect-ratio}
 * (LAION-style size filtering). The size comes from the image header when the record has bytes (nothing is
 * decoded), else from the source's {@code width}/{@code height} metadata; with neither, the record is kept unjudged
 * (score NaN) — this filter cannot tell. Reasons: {@code too-small}, {@code extreme-aspect}, {@code unreadable}.
 * Score: the short side in pixels.
 */
@Extension
@Component(name = "min-size", description = "Minimum width/height and maximum aspect ratio",
        settings = MinSizeSettings.class)
public final class MinSizeFilter implements ScraperFilter {

    private volatile boolean closed;
    private final MinSizeSettings settings;

    /** Creates the filter. */
    @Inject
    public MinSizeFilter(MinSizeSettings settings) {
        this.settings = settings;
    }

    @Override
    public Verdict judge(WebRecord r) {
        checkOpen();
        int w;
        int h;
        if (r.hasImage()) {
            try {
                Images.Header header = Images.header(r.image());
                w = header.width();
                h = header.height();
            } catch (Images.UnreadableImageException e) {
                return Verdict.reject(Verdict.UNREADABLE, Double.NaN);
            }
        } else {
            Integer mw = integer(r.metadata().get("width"));
            Integer mh = integer(r.metadata().get("height"));
            if (mw == null || mh == null) {
                return Verdict.keep(Double.NaN);
            }
            w = mw;
            h = mh;
        }
        int shortSide = Math.min(w, h);
        if (w < settings.minWidth() || h < settings.minHeight()) {
            return Verdict.reject("too-small", shortSide);
        }
        double aspect = (double) Math.max(w, h) / Math.max(1, shortSide);
        if (aspect > settings.maxAspectRatio()) {
            return Verdict.reject("extreme-aspect", shortSide);
        }
        return Verdict.keep(shortSide);
    }

    private static Integer integer(String s) {
        if (s == null) {
            return null;
        }
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new StageException(ErrorCode.CLOSED, "Component 'min-size' was closed");
        }
    }

    /** A closed filter refuses to judge. */
    @Override
    public void close() {
        closed = true;
    }
}
