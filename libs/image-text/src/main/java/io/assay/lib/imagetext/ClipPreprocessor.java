package io.assay.lib.imagetext;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import io.assay.sdk.tensor.RgbImage;
import io.assay.sdk.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * CLIP's image preprocessing: resize so the shorter side is {@code size} (bicubic, antialiased when shrinking, as
 * Pillow resamples), center-crop {@code crop}×{@code crop}, scale to [0, 1], normalise per channel. Written here
 * because Java2D's bicubic does not widen its kernel when shrinking, which changes the pixels CLIP sees.
 *
 * @param size the shorter side after resizing
 * @param crop the crop side
 * @param mean per-channel mean
 * @param std per-channel standard deviation
 */
public record ClipPreprocessor(int size, int crop, float[] mean, float[] std) {

    /** OpenAI CLIP's constants (ViT-B/32, ViT-L/14). */
    public static ClipPreprocessor openAiClip() {
        return new ClipPreprocessor(224, 224, new float[] {0.48145466f, 0.4578275f, 0.40821073f},
                new float[] {0.26862954f, 0.26130258f, 0.27577711f});
    }

    /** Reads {@code preprocessor_config.json} when present ({@code size}, {@code crop_size}, image mean/std). */
    public static ClipPreprocessor read(Path file) {
        ClipPreprocessor d = openAiClip();
        if (!Files.isRegularFile(file)) {
            return d;
        }
        try {
            JsonNode n = new ObjectMapper().readTree(file.toFile());
            int size = side(n.path("size"), d.size());
            int crop = side(n.path("crop_size"), d.crop());
            return new ClipPreprocessor(size, crop, floats(n.path("image_mean"), d.mean()),
                    floats(n.path("image_std"), d.std()));
        } catch (IOException e) {
            throw new StageException(ErrorCode.MODEL_INVALID, "'" + file + "' is not valid JSON: " + e.getMessage(), e);
        }
    }

    private static int side(JsonNode n, int fallback) {
        if (n.isInt()) {
            return n.asInt();
        }
        if (n.has("shortest_edge")) {
            return n.get("shortest_edge").asInt();
        }
        if (n.has("height")) {
            return n.get("height").asInt();
        }
        return fallback;
    }

    private static float[] floats(JsonNode n, float[] fallback) {
        if (!n.isArray() || n.size() != 3) {
            return fallback;
        }
        return new float[] {(float) n.get(0).asDouble(), (float) n.get(1).asDouble(), (float) n.get(2).asDouble()};
    }

    /** {@code pixel_values} [n, 3, crop, crop]. */
    public Tensor pixelValues(List<RgbImage> images) {
        int plane = crop * crop;
        float[] out = new float[images.size() * 3 * plane];
        for (int i = 0; i < images.size(); i++) {
            RgbImage img = images.get(i);
            double scale = (double) size / Math.min(img.width(), img.height());
            int w = Math.max(size, (int) Math.round(img.width() * scale));
            int h = Math.max(size, (int) Math.round(img.height() * scale));
            if (img.width() <= img.height()) {
                w = size;
            } else {
                h = size;
            }
            float[][] resized = resize(img, w, h);
            int x0 = (w - crop) / 2;
            int y0 = (h - crop) / 2;
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < crop; y++) {
                    for (int x = 0; x < crop; x++) {
                        int sx = x + x0;
                        int sy = y + y0;
                        float v = sx >= 0 && sy >= 0 && sx < w && sy < h ? resized[c][sy * w + sx] : 0f;
                        out[(i * 3 + c) * plane + y * crop + x] = (v / 255f - mean[c]) / std[c];
                    }
                }
            }
        }
        return new Tensor(new long[] {images.size(), 3, crop, crop}, out);
    }

    /**
     * Resizes so the shorter side is {@code side} and center-crops a {@code side}×{@code side} square (bicubic,
     * antialiased when shrinking).
     */
    public static RgbImage squareCrop(RgbImage img, int side) {
        if (img.width() == side && img.height() == side) {
            return img;
        }
        double scale = (double) side / Math.min(img.width(), img.height());
        int w = img.width() <= img.height() ? side : Math.max(side, (int) Math.round(img.width() * scale));
        int h = img.width() <= img.height() ? Math.max(side, (int) Math.round(img.height() * scale)) : side;
        float[][] r = resize(img, w, h);
        int x0 = (w - side) / 2;
        int y0 = (h - side) / 2;
        byte[] rgb = new byte[side * side * 3];
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                for (int c = 0; c < 3; c++) {
                    rgb[(y * side + x) * 3 + c] = (byte) Math.round(r[c][(y + y0) * w + x + x0]);
                }
            }
        }
        return new RgbImage(side, side, rgb);
    }

    /** Separable bicubic resampling (a = −0.5), kernel widened by the shrink factor; values in [0, 255]. */
    static float[][] resize(RgbImage img, int w, int h) {
        float[][] src = new float[3][img.width() * img.height()];
        for (int y = 0; y < img.height(); y++) {
            for (int x = 0; x < img.width(); x++) {
                for (int c = 0; c < 3; c++) {
                    src[c][y * img.width() + x] = img.get(x, y, c);
                }
            }
        }
        float[][] out = new float[3][];
        for (int c = 0; c < 3; c++) {
            float[] horiz = pass(src[c], img.width(), img.height(), w, true);
            out[c] = pass(horiz, w, img.height(), h, false);
            for (int i = 0; i < out[c].length; i++) {
                out[c][i] = Math.max(0f, Math.min(255f, out[c][i]));
            }
        }
        return out;
    }

    private static float[] pass(float[] in, int w, int h, int outLen, boolean horizontal) {
        int inLen = horizontal ? w : h;
        int lines = horizontal ? h : w;
        int ow = horizontal ? outLen : w;
        float[] out = new float[horizontal ? outLen * h : w * outLen];
        double scale = (double) inLen / outLen;
        double support = 2.0 * Math.max(1.0, scale);
        double filterScale = Math.max(1.0, scale);
        for (int o = 0; o < outLen; o++) {
            double center = (o + 0.5) * scale;
            int lo = Math.max(0, (int) Math.floor(center - support));
            int hi = Math.min(inLen - 1, (int) Math.ceil(center + support));
            double[] k = new double[hi - lo + 1];
            double sum = 0;
            for (int i = lo; i <= hi; i++) {
                k[i - lo] = cubic((i + 0.5 - center) / filterScale);
                sum += k[i - lo];
            }
            for (int line = 0; line < lines; line++) {
                double acc = 0;
                for (int i = lo; i <= hi; i++) {
                    float v = horizontal ? in[line * w + i] : in[i * w + line];
                    acc += v * k[i - lo];
                }
                float r = (float) (sum == 0 ? 0 : acc / sum);
                if (horizontal) {
                    out[line * ow + o] = r;
                } else {
                    out[o * w + line] = r;
                }
            }
        }
        return out;
    }

    private static double cubic(double x) {
        double a = -0.5;
        x = Math.abs(x);
        if (x < 1) {
            return ((a + 2) * x - (a + 3)) * x * x + 1;
        }
        if (x < 2) {
            return (((x - 5) * x + 8) * x - 4) * a;
        }
        return 0;
    }
}
