package io.assay.plugins.curation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.assay.sdk.curation.Verdict;
import io.assay.sdk.curation.WebRecord;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class FiltersTest {

    static byte[] png(int w, int h, Color bg, Color fg, int shape) throws Exception {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(bg);
        g.fillRect(0, 0, w, h);
        g.setColor(fg);
        if (shape == 0 || shape == 2) {
            g.fillOval(w / 4, h / 4, w / 2, h / 2);
        } else {
            g.fillRect(w / 10, h / 2, w / 3, h / 3);
        }
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, shape == 2 ? "jpg" : "png", out);
        return out.toByteArray();
    }

    static WebRecord rec(String id, String caption, byte[] image, long links, Map<String, String> meta) {
        return new WebRecord(id, "https://x.example/" + id + ".png", "https://x.example/" + id, caption, image,
                links, meta);
    }

    @Test
    void junkCaptions() {
        JunkCaptionFilter f = new JunkCaptionFilter(new JunkCaptionSettings(2, List.of("click here", "image")));
        assertThat(f.judge(rec("a", "", null, -1, Map.of())).reason()).isEqualTo("empty-caption");
        assertThat(f.judge(rec("b", "IMG_2041.jpg", null, -1, Map.of())).reason()).isEqualTo("file-name");
        assertThat(f.judge(rec("c", "DSC00017.JPG", null, -1, Map.of())).reason()).isEqualTo("file-name");
        assertThat(f.judge(rec("d", "Click here ", null, -1, Map.of())).reason()).isEqualTo("boilerplate");
        assertThat(f.judge(rec("e", "thumbnail", null, -1, Map.of())).reason()).isEqualTo("too-few-words");
        Verdict ok = f.judge(rec("f", "a red circle on a blue background", null, -1, Map.of()));
        assertThat(ok.kept()).isTrue();
        assertThat(ok.score()).isEqualTo(7);
        assertThat(f.judge(rec("g", "un cercle rouge", null, -1, Map.of())).kept()).isTrue();
    }

    @Test
    void minSizeReadsTheHeaderOrTheMetadata() throws Exception {
        MinSizeFilter f = new MinSizeFilter(new MinSizeSettings(32, 32, 2.0));
        assertThat(f.judge(rec("a", "x", png(16, 40, Color.RED, Color.BLUE, 0), -1, Map.of())).reason())
                .isEqualTo("too-small");
        assertThat(f.judge(rec("b", "x", png(200, 40, Color.RED, Color.BLUE, 0), -1, Map.of())).reason())
                .isEqualTo("extreme-aspect");
        Verdict ok = f.judge(rec("c", "x", png(64, 48, Color.RED, Color.BLUE, 0), -1, Map.of()));
        assertThat(ok.kept()).isTrue();
        assertThat(ok.score()).isEqualTo(48);
        assertThat(f.judge(rec("d", "x", null, -1, Map.of("width", "20", "height", "90"))).reason())
                .isEqualTo("too-small");
        assertThat(f.judge(rec("e", "x", null, -1, Map.of())).kept()).as("cannot tell: kept unjudged").isTrue();
        assertThat(f.judge(rec("f", "x", new byte[] {1, 2, 3, 4}, -1, Map.of())).reason())
                .isEqualTo(Verdict.UNREADABLE);
        assertThatThrownBy(() -> new MinSizeSettings(32, 32, 0.5)).hasMessageContaining("max-aspect-ratio");
    }

    @Test
    void nearDuplicatesSurviveRescalingAndRecompressionButNotADifferentPicture() throws Exception {
        NearDuplicateFilter f = new NearDuplicateFilter(new NearDuplicateSettings(4, 24, 40_000_000L));
        assertThat(f.judge(rec("a", "x", png(96, 96, Color.BLUE, Color.RED, 0), -1, Map.of())).kept()).isTrue();
        Verdict rescaled = f.judge(rec("b", "x", png(61, 61, Color.BLUE, Color.RED, 0), -1, Map.of()));
        assertThat(rescaled.reason()).isEqualTo("near-duplicate");
        assertThat(rescaled.score()).isLessThanOrEqualTo(4);
        Verdict jpeg = f.judge(rec("c", "x", png(128, 128, Color.BLUE, Color.RED, 2), -1, Map.of()));
        assertThat(jpeg.reason()).as("the same picture, larger and JPEG-compressed").isEqualTo("near-duplicate");
        Verdict other = f.judge(rec("d", "x", png(96, 96, Color.BLUE, Color.RED, 1), -1, Map.of()));
        assertThat(other.kept()).as("a different composition").isTrue();
        assertThat(other.score()).isGreaterThan(4);
        Verdict colours = f.judge(rec("e", "x", png(96, 96, Color.RED, Color.BLUE, 0), -1, Map.of()));
        assertThat(colours.kept()).as("the circle with its colours swapped").isTrue();
        assertThat(f.size()).isEqualTo(3);

        // The state survives a checkpoint: a fresh filter restored from it still knows the first image.
        NearDuplicateFilter g = new NearDuplicateFilter(new NearDuplicateSettings(4, 24, 40_000_000L));
        g.restoreState(f.saveState());
        assertThat(g.size()).isEqualTo(3);
        assertThat(g.judge(rec("f", "x", png(80, 80, Color.BLUE, Color.RED, 0), -1, Map.of())).reason())
                .isEqualTo("near-duplicate");
    }

    @Test
    void nearDuplicateKeysAreHashBandsSharedByNearDuplicatesAndLeaveTheStateAlone() throws Exception {
        NearDuplicateFilter f = new NearDuplicateFilter(new NearDuplicateSettings(4, 24, 40_000_000L));
        long[] a = f.keys(rec("a", "x", png(96, 96, Color.BLUE, Color.RED, 0), -1, Map.of()));
        long[] rescaled = f.keys(rec("b", "x", png(61, 61, Color.BLUE, Color.RED, 0), -1, Map.of()));
        assertThat(a).as("max-distance 4: five bands").hasSize(5).doesNotHaveDuplicates();
        assertThat(java.util.Arrays.stream(rescaled).filter(k -> java.util.Arrays.stream(a).anyMatch(x -> x == k))
                .count()).as("a near-duplicate agrees on at least one band").isPositive();
        assertThat(f.keys(rec("n", "x", null, -1, Map.of()))).as("no image, no keys").isEmpty();
        assertThat(f.keys(rec("u", "x", new byte[] {1, 2, 3}, -1, Map.of()))).as("unreadable, no keys").isEmpty();
        assertThat(f.size()).as("keys do not change the state").isZero();
        assertThat(f).isInstanceOf(io.assay.sdk.curation.KeyedFilter.class);
    }

    @Test
    void linkRankKeepsTheTopShareOfPagesCountingEachPageOnce() {
        LinkRankFilter f = new LinkRankFilter(new LinkRankSettings(0.25, "reject"));
        // 8 pages with links 1..8; page 8 has three images (counted once).
        for (int p = 1; p <= 8; p++) {
            int images = p == 8 ? 3 : 1;
            for (int i = 0; i < images; i++) {
                f.survey(new WebRecord("p" + p + "-" + i, "u", "https://x.example/page" + p, "c", null, p, Map.of()));
            }
        }
        f.surveyed();
        assertThat(f.threshold()).as("top 25% of 8 pages = 2 pages: links 8 and 7").isEqualTo(7);
        assertThat(f.judge(new WebRecord("a", "u", "https://x.example/page7", "c", null, 7, Map.of())).kept())
                .isTrue();
        Verdict low = f.judge(new WebRecord("b", "u", "https://x.example/page6", "c", null, 6, Map.of()));
        assertThat(low.reason()).isEqualTo("low-link-rank");
        assertThat(low.score()).isEqualTo(6);
        assertThat(f.judge(new WebRecord("c", "u", "p", "c", null, -1, Map.of())).reason())
                .isEqualTo("unknown-links");
        LinkRankFilter g = new LinkRankFilter(new LinkRankSettings(0.25, "keep"));
        g.restoreState(f.saveState());
        assertThat(g.threshold()).isEqualTo(7);
    }
}
