package io.assay.plugins.curationlanguage;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.sdk.curation.Verdict;
import io.assay.sdk.curation.WebRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Accuracy on the caption corpus, and throughput (printed for the notes, not asserted). */
class AccuracyTest {

    /** The language a verdict of a keep-[en] filter says the caption is in, or the reason it names none. */
    private static String language(Verdict v) {
        return v.kept() ? "en" : v.reason().startsWith("language-") ? v.reason().substring(9) : v.reason();
    }

    private static double accuracy(LanguageFilter f, String label) {
        List<Fixtures.Labelled> corpus = Fixtures.corpus();
        List<Verdict> verdicts = f.judgeAll(corpus.stream().map(l -> Fixtures.record(l.caption())).toList());
        int right = 0;
        Map<String, int[]> perLanguage = new TreeMap<>();
        for (int i = 0; i < corpus.size(); i++) {
            Fixtures.Labelled l = corpus.get(i);
            String got = language(verdicts.get(i));
            int[] c = perLanguage.computeIfAbsent(l.language(), k -> new int[2]);
            c[1]++;
            if (got.equals(l.language())) {
                right++;
                c[0]++;
            } else {
                System.out.printf(Locale.ROOT, "[language] %s: %s, expected %s: %s%n", label, got, l.language(),
                        l.caption());
            }
        }
        double acc = (double) right / corpus.size();
        StringBuilder per = new StringBuilder();
        perLanguage.forEach((k, c) -> per.append(' ').append(k).append(' ').append(c[0]).append('/').append(c[1]));
        System.out.printf(Locale.ROOT, "[language] accuracy (%s): %d/%d = %.1f%% (%s)%n", label, right, corpus.size(),
                100 * acc, per.toString().strip());
        return acc;
    }

    @Test
    void corpusAccuracy() {
        List<Fixtures.Labelled> corpus = Fixtures.corpus();
        assertThat(corpus).hasSizeGreaterThanOrEqualTo(40);
        assertThat(corpus.stream().map(Fixtures.Labelled::language).distinct()).containsExactly("en", "fr", "de", "es");
        for (String lang : List.of("en", "fr", "de", "es")) {
            assertThat(corpus.stream().filter(l -> l.language().equals(lang))).hasSizeGreaterThanOrEqualTo(10);
        }
        // Default settings: an uncertain verdict counts as wrong.
        assertThat(accuracy(Fixtures.defaults(), "defaults, 15 candidates")).isGreaterThanOrEqualTo(0.9);
        try (LanguageFilter forced = new LanguageFilter(Fixtures.settings(List.of("en"), 0))) {
            assertThat(accuracy(forced, "min-confidence 0")).isGreaterThanOrEqualTo(0.9);
        }
        LanguageSettings low = new LanguageSettings(List.of("en"), Fixtures.DEFAULT_LANGUAGES, 0.05, 3, true);
        try (LanguageFilter f = new LanguageFilter(low)) {
            assertThat(accuracy(f, "low-accuracy")).isGreaterThanOrEqualTo(0.85);
        }
    }

    @Test
    void throughput() {
        List<Fixtures.Labelled> corpus = Fixtures.corpus();
        List<WebRecord> records = new ArrayList<>(10_000);
        for (int i = 0; i < 10_000; i++) {
            records.add(Fixtures.record(corpus.get(i % corpus.size()).caption()));
        }
        measure(Fixtures.defaults(), records, "defaults");
        LanguageSettings low = new LanguageSettings(List.of("en"), Fixtures.DEFAULT_LANGUAGES, 0.05, 3, true);
        try (LanguageFilter f = new LanguageFilter(low)) {
            measure(f, records, "low-accuracy");
        }
    }

    private static void measure(LanguageFilter f, List<WebRecord> records, String label) {
        f.judgeAll(records.subList(0, 512)); // warm-up
        long t0 = System.nanoTime();
        int kept = 0;
        for (int i = 0; i < records.size(); i += f.preferredBatchSize()) {
            List<Verdict> vs = f.judgeAll(records.subList(i, Math.min(records.size(), i + f.preferredBatchSize())));
            assertThat(vs).hasSize(Math.min(records.size(), i + f.preferredBatchSize()) - i);
            kept += (int) vs.stream().filter(Verdict::kept).count();
        }
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "[language] judgeAll (%s) on %d captions: %.2f s, %.0f records/s, %d kept "
                + "(%d cores)%n", label, records.size(), s, records.size() / s, kept,
                Runtime.getRuntime().availableProcessors());
        assertThat(kept).isPositive();
    }
}
