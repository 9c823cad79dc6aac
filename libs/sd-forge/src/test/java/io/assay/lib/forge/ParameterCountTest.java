package io.assay.lib.forge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Parameter counts from the architectures, built without writing any weights. */
class ParameterCountTest {

    @Test
    void tinyHasTheReferenceExportsCountsExactly() {
        // ../shared/reference/tiny-sd/model/export_report.json parameter_counts (text_encoder, unet, vae)
        long[] c = counts(Preset.TINY);
        assertThat(c).containsExactly(1_608_992, 792_964, 1_250_759);
    }

    @Test
    void sd15MatchesStableDiffusion15() {
        // runwayml/stable-diffusion-v1-5: CLIPTextModel (ViT-L/14 text), UNet2DConditionModel, AutoencoderKL.
        long[] c = counts(Preset.SD15);
        assertThat(c[0]).isCloseTo(123_060_480L, withinPercentage(1)).isEqualTo(123_060_480L);
        assertThat(c[1]).isCloseTo(859_520_964L, withinPercentage(1)).isEqualTo(859_520_964L);
        assertThat(c[2]).isCloseTo(83_653_863L, withinPercentage(1)).isEqualTo(83_653_863L);
    }

    @Test
    void sd21MatchesStableDiffusion21() {
        // stabilityai/stable-diffusion-2-1: OpenCLIP-H text (23 layers), U-Net with linear projections, same VAE.
        assertThat(counts(Preset.SD21)).containsExactly(340_387_840L, 865_910_724L, 83_653_863L);
    }

    @Test
    void midIsTheIssuesMidSizeModel() {
        long[] c = counts(Preset.MID);
        assertThat(c[0]).isCloseTo(66_000_000L, withinPercentage(1));
        assertThat(c[1]).isCloseTo(142_000_000L, withinPercentage(1));
        assertThat(c[2]).isCloseTo(21_000_000L, withinPercentage(1));
    }

    @Test
    void fp16HasTheSameParameters() {
        assertThat(Forge.components(Preset.MID, Dtype.FP16, 1)).extracting(Component::parameters)
                .isEqualTo(Forge.components(Preset.MID, Dtype.FP32, 1).stream().map(Component::parameters).toList());
    }

    /** text encoder, U-Net, VAE (encoder + decoder, as AutoencoderKL counts them). */
    private static long[] counts(Preset p) {
        List<Component> c = Forge.components(p, Dtype.FP32, 0);
        return new long[] {c.get(0).parameters(), c.get(1).parameters(), c.get(2).parameters() + c.get(3).parameters()};
    }
}
