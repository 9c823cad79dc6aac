package io.assay.plugins.curation;

import io.assay.sdk.Component;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import io.assay.sdk.curation.ScraperFilter;
import io.assay.sdk.curation.Verdict;
import io.assay.sdk.curation.WebRecord;
import jakarta.inject.Inject;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.pf4j.Extension;

/**
 * Rejects alt texts that say nothing about the image: empty ({@code empty-caption}), a file name such as
 * {@code IMG_2041.jpg} or {@code DSC00017.JPG} ({@code file-name}), boilerplate such as "click here"
 * ({@code boilerplate}), or fewer than {@code min-words} words ({@code too-few-words}). Score: the word count.
 */
@Extension
@Component(name = "junk-caption", description = "Empty, file-name, boilerplate and too-short alt texts",
        settings = JunkCaptionSettings.class)
public final class JunkCaptionFilter implements ScraperFilter {

    private volatile boolean closed;
    private static final Pattern FILE_NAME = Pattern.compile(
            "(?i)^[\\w\\-. ()]*\\.(jpe?g|png|gif|webp|bmp|tiff?|svg|heic)$|^(img|dsc|dscn|pxl|screenshot)[_\\- ]?\\d+.*$");
    private static final Pattern WORD = Pattern.compile("\\p{L}+");

    private final JunkCaptionSettings settings;
    private final Set<String> boilerplate;

    /** Creates the filter. */
    @Inject
    public JunkCaptionFilter(JunkCaptionSettings settings) {
        this.settings = settings;
        this.boilerplate = settings.boilerplate().stream().map(s -> s.trim().toLowerCase(Locale.ROOT))
                .collect(Collectors.toSet());
    }

    @Override
    public Verdict judge(WebRecord r) {
        checkOpen();
        String c = r.caption().strip();
        if (c.isEmpty()) {
            return Verdict.reject("empty-caption", 0);
        }
        int words = 0;
        Matcher m = WORD.matcher(c);
        while (m.find()) {
            words++;
        }
        if (FILE_NAME.matcher(c).matches()) {
            return Verdict.reject("file-name", words);
        }
        if (boilerplate.contains(c.toLowerCase(Locale.ROOT))) {
            return Verdict.reject("boilerplate", words);
        }
        if (words < settings.minWords()) {
            return Verdict.reject("too-few-words", words);
        }
        return Verdict.keep(words);
    }

    private void checkOpen() {
        if (closed) {
            throw new StageException(ErrorCode.CLOSED, "Component 'junk-caption' was closed");
        }
    }

    /** A closed filter refuses to judge. */
    @Override
    public void close() {
        closed = true;
    }
}
