package io.assay.framework.inspect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.assay.sdk.tensor.RgbImage;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The audit's measurements on round trips whose loss is known: none, a blur (fine detail lost), a colour cast. */
class VaeAuditTest {

    /** 64×64: a 2-pixel checkerboard (fine detail) over a 32-pixel one (coarse), in grey. */
    static RgbImage pattern() {
        byte[] rgb = new byte[64 * 64 * 3];
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                int v = 60 + ((x / 32 + y / 32) % 2) * 120 + ((x / 2 + y / 2) % 2) * 40;
                for (int c = 0; c < 3; c++) {
                    rgb[(y * 64 + x) * 3 + c] = (byte) v;
                }
            }
        }
        return new RgbImage(64, 64, rgb);
    }

    /** The image through a 5×5 box blur (edges clamped), rounded to 8 bits. */
    static RgbImage blurred(RgbImage img) {
        double[] l = VaeAudit.blur(ImageQuality.channel(img, 0), 64, 64, 2);
        byte[] rgb = new byte[64 * 64 * 3];
        for (int i = 0; i < l.length; i++) {
            for (int c = 0; c < 3; c++) {
                rgb[i * 3 + c] = (byte) Math.round(l[i]);
            }
        }
        return new RgbImage(64, 64, rgb);
    }

    @Test
    void anExactRoundTripLosesNothing() {
        RgbImage p = pattern();
        VaeAudit.Result r = VaeAudit.measure(p, p, new long[] {1, 4, 8, 8});
        assertThat(r.psnr()).isInfinite();
        assertThat(r.ssim()).isEqualTo(1.0);
        assertThat(r.bands()).hasSize(5).allSatisfy(b -> assertThat(b.kept()).isEqualTo(1.0));
        assertThat(HeatMaps.max(r.residual())).isZero();
    }

    @Test
    void aBlurLosesTheFineBandAndKeepsTheCoarseOne() {
        RgbImage p = pattern();
        VaeAudit.Result r = VaeAudit.measure(p, blurred(p), new long[] {1, 4, 8, 8});
        List<VaeAudit.Band> b = r.bands();
        // The 2-pixel checkerboard (amplitude 20 around its mean) lives in the finest bands; a 5×5 box removes it.
        assertThat(b.get(0).label()).isEqualTo("1–3 px");
        assertThat(b.get(0).kept()).as("1–3 px kept").isLessThan(0.2);
        assertThat(b.get(4).label()).isEqualTo("17–33 px");
        assertThat(b.get(4).kept()).as("17–33 px kept").isGreaterThan(0.9);
        assertThat(r.psnr()).isBetween(20.0, 40.0);
        assertThat(r.ssim()).isLessThan(0.9);
        // Grey in, grey out: no colour moved.
        for (VaeAudit.ChannelShift c : r.channels()) {
            assertThat(c.decodedMean()).isCloseTo(c.originalMean(), within(1.0));
        }
        assertThat(r.decodedSaturation()).isZero();
    }

    @Test
    void aColourCastShowsInTheChannelMeans() {
        RgbImage p = pattern();
        byte[] cast = p.rgb().clone();
        for (int i = 0; i < cast.length; i += 3) {
            cast[i] = (byte) Math.min(255, (cast[i] & 0xff) + 30);
        }
        VaeAudit.Result r = VaeAudit.measure(p, new RgbImage(64, 64, cast), new long[] {1, 4, 8, 8});
        assertThat(r.channels().get(0).decodedMean() - r.channels().get(0).originalMean()).isCloseTo(30.0,
                within(1e-9));
        assertThat(r.channels().get(1).psnr()).isInfinite();
        // A flat +30 on red: 10·log10(255²/30²) for that channel = 18.59 dB.
        assertThat(r.channels().get(0).psnr()).isCloseTo(10 * Math.log10(65025 / 900.0), within(1e-9));
        assertThat(r.decodedSaturation()).isGreaterThan(0.1);
    }
}
