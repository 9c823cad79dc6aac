package io.assay.lib.forge;

import java.util.Locale;

/**
 * The model shapes Assay can forge.
 *
 * <table>
 * <caption>Presets</caption>
 * <tr><th>preset</th><th>U-Net</th><th>text encoder</th><th>VAE</th></tr>
 * <tr><td>tiny</td><td>32/64, 1 layer, 8 heads, cross 32</td><td>32 wide, 2 layers, 4 heads</td><td>32/64/64/64</td></tr>
 * <tr><td>mid</td><td>128/256/512/512, 2 layers, 8 heads, cross 768</td><td>768, 4 layers, 12 heads</td>
 *     <td>64/128/256/256</td></tr>
 * <tr><td>sd15</td><td>320/640/1280/1280, 2 layers, 8 heads, cross 768</td><td>768, 12 layers, 12 heads (ViT-L/14)</td>
 *     <td>128/256/512/512</td></tr>
 * <tr><td>sd21</td><td>320/640/1280/1280, heads 5/10/20/20, linear projections, cross 1024, v-prediction</td>
 *     <td>1024, 23 layers, 16 heads, GELU (OpenCLIP-H)</td><td>128/256/512/512</td></tr>
 * </table>
 */
public enum Preset {
    /** The reference tiny-sd model's shapes ({@code ../shared/reference/tiny-sd}). */
    TINY(new TextSpec(32, 2, 4, 128, true, "<|endoftext|>"),
            new UnetSpec(new int[] {32, 64}, 1, new int[] {8, 8}, 32, false, 8),
            new VaeSpec(new int[] {32, 64, 64, 64}, 1, 64, 0.18215), false),
    /** A mid-size SD-shaped model for benchmarks (≈142 M U-Net, ≈66 M text encoder, ≈21 M VAE parameters). */
    MID(new TextSpec(768, 4, 12, 3072, true, "<|endoftext|>"),
            new UnetSpec(new int[] {128, 256, 512, 512}, 2, new int[] {8, 8, 8, 8}, 768, false, 32),
            new VaeSpec(new int[] {64, 128, 256, 256}, 2, 256, 0.18215), false),
    /** Stable Diffusion 1.5's full shapes. */
    SD15(new TextSpec(768, 12, 12, 3072, true, "<|endoftext|>"),
            new UnetSpec(new int[] {320, 640, 1280, 1280}, 2, new int[] {8, 8, 8, 8}, 768, false, 64),
            new VaeSpec(new int[] {128, 256, 512, 512}, 2, 512, 0.18215), false),
    /** Stable Diffusion 2.1 (768-v)'s full shapes: OpenCLIP-H text encoder, v-prediction. */
    SD21(new TextSpec(1024, 23, 16, 4096, false, "!"),
            new UnetSpec(new int[] {320, 640, 1280, 1280}, 2, new int[] {5, 10, 20, 20}, 1024, true, 96),
            new VaeSpec(new int[] {128, 256, 512, 512}, 2, 768, 0.18215), true);

    private final TextSpec text;
    private final UnetSpec unet;
    private final VaeSpec vae;
    private final boolean vPrediction;

    Preset(TextSpec text, UnetSpec unet, VaeSpec vae, boolean vPrediction) {
        this.text = text;
        this.unet = unet;
        this.vae = vae;
        this.vPrediction = vPrediction;
    }

    /** The text encoder's shapes. */
    public TextSpec text() {
        return text;
    }

    /** The U-Net's shapes. */
    public UnetSpec unet() {
        return unet;
    }

    /** The VAE's shapes. */
    public VaeSpec vae() {
        return vae;
    }

    /** Whether the U-Net is a v-prediction model (scheduler {@code prediction_type: v_prediction}). */
    public boolean vPrediction() {
        return vPrediction;
    }

    /** Lower-case name as used on the command line. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The preset called {@code label} (case-insensitive), or an error listing the presets. */
    public static Preset of(String label) {
        for (Preset p : values()) {
            if (p.label().equalsIgnoreCase(label)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown preset '" + label + "'; expected one of tiny, mid, sd15, sd21");
    }
}
