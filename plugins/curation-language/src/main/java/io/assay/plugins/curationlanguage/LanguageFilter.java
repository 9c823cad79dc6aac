package io.assay.plugins.curationlanguage;

import com.github.pemistahl.lingua.api.Language;
import com.github.pemistahl.lingua.api.LanguageDetector;
import com.github.pemistahl.lingua.api.LanguageDetectorBuilder;
import io.assay.sdk.Component;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import io.assay.sdk.curation.ScraperFilter;
import io.assay.sdk.curation.Verdict;
import io.assay.sdk.curation.WebRecord;
import jakarta.inject.Inject;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.pf4j.Extension;

/**
 * Keeps records whose caption is in one of the {@code keep} languages, as detected by Lingua among the candidate
 * {@code languages}.
 *
 * <ul>
 *   <li>Fewer than {@code min-letters} letters once URLs, file names and tokens such as {@code IMG_2041} are dropped
 *       ({@code ""}, {@code IMG_2041.jpg}, {@code 12345}): rejected {@code no-language}, score NaN, no detection.</li>
 *   <li>Otherwise Lingua's {@code computeLanguageConfidenceValues}: in Lingua 1.2.2 these are relative, the detected
 *       language always has 1.0 and every other candidate its share of it, so the confidence used (and the verdict's
 *       score) is {@code 1 − runner-up's value}: the relative distance Lingua's own {@code minimumRelativeDistance}
 *       is compared with; 1 when no other candidate scores (e.g. kana or hangul). Below {@code min-confidence}, or
 *       when no candidate fits the script at all (Thai with Latin-script candidates): {@code uncertain-language}
 *       (score 0 in that second case).</li>
 *   <li>Detected language in {@code keep}: kept; else rejected {@code language-<code>} (e.g. {@code language-fr}).</li>
 * </ul>
 *
 * <p>The detector is built once, with its models preloaded (so the first judge does not pay the load), and its
 * models unloaded on {@link #close()} unless another live instance uses them (see {@link LoadedModels}). Lingua's
 * detector is thread-safe; {@link #judgeAll} detects a batch in parallel.
 */
@Extension
@Component(name = "language", description = "Keeps records whose caption is in the wanted languages (Lingua)",
        settings = LanguageSettings.class)
public final class LanguageFilter implements ScraperFilter {

    /** Too few letters to detect anything. */
    public static final String NO_LANGUAGE = "no-language";
    /** The detection did not reach {@code min-confidence}. */
    public static final String UNCERTAIN_LANGUAGE = "uncertain-language";
    /** Prefix of the reason for a detected language not in {@code keep}, followed by its ISO 639-1 code. */
    public static final String LANGUAGE_PREFIX = "language-";

    private final LanguageSettings settings;
    private final Set<Language> candidates;
    private final Set<Language> keep;
    private final LanguageDetector detector;
    private final AtomicBoolean closed = new AtomicBoolean();

    /** Creates the filter and loads the candidate languages' models. */
    @Inject
    public LanguageFilter(LanguageSettings settings) {
        this.settings = settings;
        this.candidates = EnumSet.noneOf(Language.class);
        settings.languages().forEach(c -> candidates.add(Languages.of(c)));
        this.keep = EnumSet.noneOf(Language.class);
        settings.keep().forEach(c -> keep.add(Languages.of(c)));
        LoadedModels.acquire(candidates);
        try {
            LanguageDetectorBuilder b = LanguageDetectorBuilder.fromLanguages(candidates.toArray(new Language[0]))
                    .withPreloadedLanguageModels();
            if (settings.lowAccuracy()) {
                b = b.withLowAccuracyMode();
            }
            this.detector = b.build();
        } catch (RuntimeException | Error e) {
            LoadedModels.release(candidates);
            throw e;
        }
    }

    @Override
    public Verdict judge(WebRecord record) {
        checkOpen();
        return decide(record.caption());
    }

    @Override
    public List<Verdict> judgeAll(List<WebRecord> records) {
        checkOpen();
        return records.parallelStream().map(r -> decide(r.caption())).toList();
    }

    @Override
    public int preferredBatchSize() {
        return 256;
    }

    /** Unloads the models no other live instance uses. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            LoadedModels.release(candidates);
        }
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new StageException(ErrorCode.CLOSED, "Component 'language' was closed");
        }
    }

    private Verdict decide(String caption) {
        CaptionText text = CaptionText.of(caption);
        if (text.letters() < settings.minLetters()) {
            return Verdict.reject(NO_LANGUAGE, Double.NaN);
        }
        SortedMap<Language, Double> values = detector.computeLanguageConfidenceValues(text.text());
        if (values.isEmpty()) {
            return Verdict.reject(UNCERTAIN_LANGUAGE, 0);
        }
        Iterator<Map.Entry<Language, Double>> it = values.entrySet().iterator();
        Map.Entry<Language, Double> top = it.next();
        double runnerUp = it.hasNext() ? it.next().getValue() : 0;
        double confidence = top.getValue() > 0 ? Math.min(1, Math.max(0, 1 - runnerUp / top.getValue())) : 0;
        if (confidence < settings.minConfidence()) {
            return Verdict.reject(UNCERTAIN_LANGUAGE, confidence);
        }
        if (keep.contains(top.getKey())) {
            return Verdict.keep(confidence);
        }
        return Verdict.reject(LANGUAGE_PREFIX + Languages.code(top.getKey()), confidence);
    }
}
