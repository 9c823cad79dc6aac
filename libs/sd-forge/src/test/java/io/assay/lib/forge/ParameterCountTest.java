package io.assay.lib.forge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;

import org.junit.jupiter.api.Test;

/** Parameter counts from the architectures, built without writing any weights. */
class ParameterCountTest {

    @Test
    void tinyHasTheReferenceExportsCountsExactly() {
        // ../shared/reference/tiny-sd/model/export_report.json parameter_counts
        assertThat(ClipTextModel.build(Preset.TINY.text(), Dtype.FP32, 0).parameters()).isEqualTo(1_608_992);
        assertThat(UnetModel.build(Preset.TINY.unet(), Dtype.FP32, 0).parameters()).isEqualTo(792_964);
        assertThat(vae(Preset.TINY)).isEqualTo(1_250_759);
    }

    @Test
    void sd15MatchesStableDiffusion15() {
        assertThat(UnetModel.build(Preset.SD15.unet(), Dtype.FP32, 0).parameters()).isCloseTo(859_520_964L,
                withinPercentage(1));
        assertThat(ClipTextModel.build(Preset.SD15.text(), Dtype.FP32, 0).parameters()).isCloseTo(123_060_480L,
                withinPercentage(1));
        assertThat(vae(Preset.SD15)).isCloseTo(83_653_863L, withinPercentage(1));
        System.out.println("sd15 " + UnetModel.build(Preset.SD15.unet(), Dtype.FP32, 0).parameters() + " "
                + ClipTextModel.build(Preset.SD15.text(), Dtype.FP32, 0).parameters() + " " + vae(Preset.SD15));
        System.out.println("mid " + UnetModel.build(Preset.MID.unet(), Dtype.FP32, 0).parameters() + " "
                + ClipTextModel.build(Preset.MID.text(), Dtype.FP32, 0).parameters() + " " + vae(Preset.MID));
        System.out.println("sd21 " + UnetModel.build(Preset.SD21.unet(), Dtype.FP32, 0).parameters() + " "
                + ClipTextModel.build(Preset.SD21.text(), Dtype.FP32, 0).parameters() + " " + vae(Preset.SD21));
    }

    private static long vae(Preset p) {
        return VaeModel.encoder(p.vae(), Dtype.FP32, 0).parameters() + VaeModel.decoder(p.vae(), Dtype.FP32, 0).parameters();
    }
}
