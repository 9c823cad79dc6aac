package io.assay.plugins.curationlanguage;

import static io.assay.plugins.curationlanguage.Fixtures.record;
import static io.assay.plugins.curationlanguage.Fixtures.records;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.github.pemistahl.lingua.api.Language;
import com.github.pemistahl.lingua.api.LanguageDetector;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import io.assay.sdk.curation.Verdict;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;

/** Verdicts of {@code language} with the default settings (keep [en], 15 candidates, min-confidence 0.05). */
class LanguageFilterTest {

    private static final String EN = "a red circle on a blue background";
    private static final String FR = "un cercle rouge sur un fond bleu";
    private static final String DE = "ein roter Kreis auf blauem Hintergrund";
    private static final String ES = "un círculo rojo sobre un fondo azul";

    private static final String EN_LONG = "Photograph of the Eiffel Tower seen from the Trocadero gardens on a clear "
            + "summer evening, with tourists taking pictures in the foreground";
    private static final String FR_LONG = "Photographie de la tour Eiffel vue depuis les jardins du Trocadéro par "
            + "une belle soirée d'été, avec des touristes qui prennent des photos au premier plan";
    private static final String DE_LONG = "Fotografie des Eiffelturms von den Gärten des Trocadéro aus an einem "
            + "klaren Sommerabend, im Vordergrund fotografieren Touristen";
    private static final String ES_LONG = "Fotografía de la torre Eiffel vista desde los jardines del Trocadero en "
            + "una tarde de verano despejada, con turistas sacando fotos en primer plano";

    private static Verdict judge(String caption) {
        return Fixtures.defaults().judge(record(caption));
    }

    @Test
    void shortCaptions() {
        Verdict en = judge(EN);
        assertThat(en.kept()).isTrue();
        assertThat(en.reason()).isEmpty();
        assertThat(en.score()).isBetween(0.05, 1.0);
        assertThat(judge(FR)).extracting(Verdict::kept, Verdict::reason).containsExactly(false, "language-fr");
        assertThat(judge(DE)).extracting(Verdict::kept, Verdict::reason).containsExactly(false, "language-de");
        assertThat(judge(ES)).extracting(Verdict::kept, Verdict::reason).containsExactly(false, "language-es");
    }

    @Test
    void longerAltTexts() {
        assertThat(judge(EN_LONG).kept()).isTrue();
        assertThat(judge(FR_LONG).reason()).isEqualTo("language-fr");
        assertThat(judge(DE_LONG).reason()).isEqualTo("language-de");
        assertThat(judge(ES_LONG).reason()).isEqualTo("language-es");
        // Noise around the text (a file name, a URL, a camera id) does not change the language.
        assertThat(judge("IMG_2041.jpg " + FR_LONG + " https://example.fr/photos/2041").reason())
                .isEqualTo("language-fr");
    }

    @Test
    void otherScripts() {
        // A script only one candidate writes: decided by Lingua's rules, no runner-up, confidence 1.
        assertThat(judge("赤い円と青い背景")).isEqualTo(Verdict.reject("language-ja", 1.0));
        assertThat(judge("파란 배경 위의 빨간 원")).isEqualTo(Verdict.reject("language-ko", 1.0));
        assertThat(judge("Красный круг на синем фоне")).isEqualTo(Verdict.reject("language-ru", 1.0));
        // Thai: no candidate writes it, nothing scores.
        assertThat(judge("วงกลมสีแดงบนพื้นหลังสีน้ำเงิน")).isEqualTo(Verdict.reject("uncertain-language", 0));
    }

    @Test
    void keepsEveryConfiguredLanguage() {
        try (LanguageFilter f = new LanguageFilter(Fixtures.settings(List.of("en", "de"), 0.05))) {
            assertThat(f.judgeAll(records(List.of(EN, FR, DE, ES)))).extracting(Verdict::reason)
                    .containsExactly("", "language-fr", "", "language-es");
        }
    }

    @Test
    void junkCaptionsHaveNoLanguage() {
        for (String junk : List.of("", "   ", "IMG_2041.jpg", "12345", "DSC00017.JPG", "1920x1080",
                "https://example.com/images/banner.png", "IMG_2041 (2).jpeg", "— 2024 —", "ok")) {
            Verdict v = judge(junk);
            assertThat(v.kept()).as(junk).isFalse();
            assertThat(v.reason()).as(junk).isEqualTo("no-language");
            assertThat(v.score()).as(junk).isNaN();
        }
    }

    @Test
    void minLettersCountsWhatRemains() {
        assertThat(CaptionText.of("IMG_2041.jpg")).isEqualTo(new CaptionText("", 0));
        assertThat(CaptionText.of("DSC_0042 edited").letters()).isEqualTo(6);
        assertThat(CaptionText.of("2023年の写真")).isEqualTo(new CaptionText("2023年の写真", 4));
        assertThat(CaptionText.of("Café, 4K wallpaper").text()).isEqualTo("Café,   wallpaper");
        LanguageSettings two = new LanguageSettings(List.of("en"), Fixtures.DEFAULT_LANGUAGES, 0, 2, false);
        try (LanguageFilter f = new LanguageFilter(two)) {
            assertThat(f.judge(record("ok")).reason()).isNotEqualTo("no-language");
            assertThat(f.judge(record("x")).reason()).isEqualTo("no-language");
        }
    }

    /** The score is 1 − the runner-up's Lingua confidence value (relative to the detected language's 1.0). */
    @Test
    void scoreIsTheDistanceToTheRunnerUp() {
        LanguageDetector lingua = com.github.pemistahl.lingua.api.LanguageDetectorBuilder
                .fromLanguages(Fixtures.DEFAULT_LANGUAGES.stream().map(Languages::of).toArray(Language[]::new))
                .build();
        for (String caption : List.of(EN, FR, DE, ES, EN_LONG)) {
            SortedMap<Language, Double> values = lingua.computeLanguageConfidenceValues(caption);
            Iterator<Double> it = values.values().iterator();
            assertThat(it.next()).isEqualTo(1.0);
            assertThat(judge(caption).score()).as(caption).isCloseTo(1 - it.next(), within(1e-12));
        }
    }

    @Test
    void belowMinConfidenceIsUncertain() {
        // "Nike Air Max 90": English leads Swedish and others by well under 5%.
        Verdict v = judge("Nike Air Max 90");
        assertThat(v.reason()).isEqualTo("uncertain-language");
        assertThat(v.score()).isLessThan(0.05);
        // At 0.5 even clean sentences are uncertain: the distance stays well below (0.04–0.35 on the corpus).
        try (LanguageFilter strict = new LanguageFilter(Fixtures.settings(List.of("en"), 0.5))) {
            Verdict en = strict.judge(record(EN));
            assertThat(en.reason()).isEqualTo("uncertain-language");
            assertThat(en.score()).isEqualTo(judge(EN).score());
            assertThat(strict.judge(record("赤い円と青い背景")).reason()).isEqualTo("language-ja");
        }
        try (LanguageFilter any = new LanguageFilter(Fixtures.settings(List.of("en"), 0))) {
            assertThat(any.judge(record("Nike Air Max 90")).kept()).isTrue();
        }
    }

    @Test
    void batchEqualsOneByOne() {
        List<String> captions = new ArrayList<>();
        Fixtures.corpus().forEach(l -> captions.add(l.caption()));
        captions.addAll(List.of("", "IMG_2041.jpg", "12345", "Nike Air Max 90", "赤い円と青い背景", EN_LONG, FR_LONG,
                DE_LONG, ES_LONG, "วงกลมสีแดง"));
        LanguageFilter f = Fixtures.defaults();
        List<Verdict> single = captions.stream().map(c -> f.judge(record(c))).toList();
        assertThat(f.judgeAll(records(captions))).isEqualTo(single);
        assertThat(f.judgeAll(List.of())).isEmpty();
        assertThat(f.preferredBatchSize()).isEqualTo(256);
    }

    @Test
    void lowAccuracyModeStillGetsSentences() {
        LanguageSettings low = new LanguageSettings(List.of("en"), Fixtures.DEFAULT_LANGUAGES, 0.05, 3, true);
        try (LanguageFilter f = new LanguageFilter(low)) {
            assertThat(f.judgeAll(records(List.of(EN_LONG, FR_LONG, DE_LONG, ES_LONG)))).extracting(Verdict::reason)
                    .containsExactly("", "language-fr", "language-de", "language-es");
        }
    }

    @Test
    void closeIsIdempotentAndJudgingAfterItFails() {
        LanguageFilter f = new LanguageFilter(Fixtures.settings(List.of("en"), 0.05));
        assertThat(f.judge(record(EN)).kept()).isTrue();
        f.close();
        f.close();
        assertThatThrownBy(() -> f.judge(record(EN))).isInstanceOf(StageException.class)
                .hasMessage("Component 'language' was closed")
                .satisfies(e -> assertThat(((StageException) e).code()).isEqualTo(ErrorCode.CLOSED));
        assertThatThrownBy(() -> f.judgeAll(records(List.of(EN)))).isInstanceOf(StageException.class)
                .satisfies(e -> assertThat(((StageException) e).code()).isEqualTo(ErrorCode.CLOSED));
        // The shared instance over the same languages is unaffected.
        assertThat(judge(EN).kept()).isTrue();
    }

    /**
     * Lingua keeps models in static maps shared by all detectors of the class loader: close unloads a language's
     * models once no open instance uses it. Danish and Finnish are not among the shared instance's languages.
     */
    @Test
    void closeUnloadsModelsNoOpenInstanceUses() throws ReflectiveOperationException {
        LanguageSettings s = new LanguageSettings(List.of("da"), List.of("da", "fi"), 0.05, 3, false);
        LanguageSettings t = new LanguageSettings(List.of("fi"), List.of("fi", "en"), 0.05, 3, false);
        LanguageFilter a = new LanguageFilter(s);
        LanguageFilter b = new LanguageFilter(t);
        assertThat(loaded("fivegramLanguageModels")).contains(Language.DANISH, Language.FINNISH, Language.ENGLISH);
        a.close();
        assertThat(loaded("fivegramLanguageModels")).doesNotContain(Language.DANISH)
                .contains(Language.FINNISH, Language.ENGLISH);
        assertThat(loaded("unigramLanguageModels")).doesNotContain(Language.DANISH);
        assertThat(b.judge(record("Kaksi lasta lukee kuvakirjaa olohuoneen lattialla")).reason()).isEqualTo("");
        b.close();
        assertThat(loaded("trigramLanguageModels")).doesNotContain(Language.DANISH, Language.FINNISH)
                .contains(Language.ENGLISH);
    }

    @SuppressWarnings("unchecked")
    private static List<Language> loaded(String field) throws ReflectiveOperationException {
        Field f = LanguageDetector.class.getDeclaredField(field);
        f.setAccessible(true);
        Map<Language, ?> m = (Map<Language, ?>) f.get(null);
        synchronized (m) {
            return List.copyOf(m.keySet());
        }
    }
}
