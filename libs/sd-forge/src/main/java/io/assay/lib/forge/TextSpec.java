package io.assay.lib.forge;

/**
 * Shapes of a CLIP text transformer (transformers' {@code CLIPTextConfig}).
 *
 * @param width     hidden size
 * @param layers    transformer blocks
 * @param heads     attention heads
 * @param mlp       MLP (intermediate) size
 * @param quickGelu QuickGELU (OpenAI CLIP, SD 1.x) rather than exact GELU (OpenCLIP, SD 2.x)
 * @param padToken  the tokenizer's pad token ({@code <|endoftext|>} for SD 1.x, {@code !} for SD 2.x)
 */
public record TextSpec(int width, int layers, int heads, int mlp, boolean quickGelu, String padToken) {

    /** CLIP's vocabulary size. */
    public static final int VOCAB = 49408;
    /** Token positions. */
    public static final int POSITIONS = 77;

    /** Validates the shapes. */
    public TextSpec {
        if (width <= 0 || layers <= 0 || heads <= 0 || mlp <= 0 || width % heads != 0) {
            throw new IllegalArgumentException("text encoder: width " + width + " must be a positive multiple of "
                    + "heads " + heads + "; layers " + layers + " and mlp " + mlp + " positive");
        }
    }
}
