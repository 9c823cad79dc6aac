package io.assay.framework.inspect;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.assay.framework.io.AtomicFiles;
import io.assay.framework.io.Html;
import io.assay.framework.io.PngFiles;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import io.assay.sdk.diffusion.Autoencoder;
import io.assay.sdk.diffusion.LatentSampling;
import io.assay.sdk.diffusion.NoiseStream;
import io.assay.sdk.tensor.RgbImage;
import io.assay.sdk.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The autoencoder audit: an image encoded (latent mean) and decoded, and what the round trip lost — PSNR, SSIM
 * ({@link ImageQuality}), a residual heat map, the detail kept per spatial scale and the colour shifts.
 */
public final class VaeAudit {

    /** The scale bands, as box-blur radii in pixels: band k is blur(R[k]) − blur(R[k+1]) of the luma. */
    static final int[] RADII = {0, 1, 2, 4, 8, 16};
    private static final String[] CHANNELS = {"red", "green", "blue"};
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * One spatial band of the luma.
     *
     * @param label the scale in pixels, e.g. "1–3 px"
     * @param originalEnergy the original's mean squared band value per pixel (8-bit units²)
     * @param errorEnergy the residual's mean squared band value per pixel
     * @param kept {@code 1 − error/original}: the share of the band's detail the round trip kept (negative when it
     *     added more than there was)
     */
    public record Band(String label, double originalEnergy, double errorEnergy, double kept) {
    }

    /**
     * One channel's colour change.
     *
     * @param channel red, green or blue
     * @param originalMean the original's mean (0–255)
     * @param decodedMean the decoded mean
     * @param psnr the channel's PSNR in dB
     */
    public record ChannelShift(String channel, double originalMean, double decodedMean, double psnr) {
    }

    /**
     * The audit of one image.
     *
     * @param original the image as audited (cropped to a multiple of the autoencoder factor)
     * @param decoded the round trip
     * @param psnr PSNR in dB
     * @param ssim SSIM (scikit-image defaults)
     * @param residual per pixel RGB distance (0–441)
     * @param bands detail kept per scale, fine to coarse
     * @param channels per channel shifts
     * @param originalSaturation mean HSV saturation of the original (0–1)
     * @param decodedSaturation mean HSV saturation of the round trip
     * @param latentShape the latent shape
     */
    public record Result(RgbImage original, RgbImage decoded, double psnr, double ssim, float[] residual,
            List<Band> bands, List<ChannelShift> channels, double originalSaturation, double decodedSaturation,
            long[] latentShape) {
    }

    private VaeAudit() {
    }

    /** The largest top-left part of {@code img} whose sides are multiples of {@code factor}. */
    public static RgbImage crop(RgbImage img, int factor) {
        int w = img.width() / factor * factor;
        int h = img.height() / factor * factor;
        if (w == 0 || h == 0) {
            throw new StageException(ErrorCode.INVALID_INPUT, "the image is " + img.width() + "×" + img.height()
                    + " pixels, smaller than the autoencoder's factor " + factor);
        }
        if (w == img.width() && h == img.height()) {
            return img;
        }
        byte[] out = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            System.arraycopy(img.rgb(), y * img.width() * 3, out, y * w * 3, w * 3);
        }
        return new RgbImage(w, h, out);
    }

    /** Encodes (latent mean) and decodes {@code image} (cropped to the factor) and measures the loss. */
    public static Result run(Autoencoder vae, RgbImage image) {
        RgbImage original = crop(image, vae.downsamplingFactor());
        NoiseStream unused = shape -> {
            throw new StageException(ErrorCode.INTERNAL, "the audit encodes the latent mean and draws no noise");
        };
        Tensor latents = vae.encode(original.toTensor(), LatentSampling.MEAN, unused);
        Tensor decoded = vae.decode(latents);
        for (float v : decoded.data()) {
            if (!Float.isFinite(v)) {
                throw new StageException(ErrorCode.MODEL_INVALID, "the autoencoder's decode holds non-finite values");
            }
        }
        RgbImage back = RgbImage.fromTensor(decoded, 0);
        return measure(original, back, latents.shape());
    }

    /** The measurements of a round trip {@code original → decoded}. */
    public static Result measure(RgbImage original, RgbImage decoded, long[] latentShape) {
        List<ChannelShift> channels = new ArrayList<>();
        for (int c = 0; c < 3; c++) {
            channels.add(new ChannelShift(CHANNELS[c], mean(original, c), mean(decoded, c),
                    ImageQuality.psnr(original, decoded, c)));
        }
        return new Result(original, decoded, ImageQuality.psnr(original, decoded), ImageQuality.ssim(original,
                decoded), Influence.pixelDistance(decoded, original), bands(original, decoded), channels,
                saturation(original), saturation(decoded), latentShape);
    }

    /** Detail kept per scale band of the luma. */
    static List<Band> bands(RgbImage original, RgbImage decoded) {
        int w = original.width();
        int h = original.height();
        double[] yo = luma(original);
        double[] yd = luma(decoded);
        double[] err = new double[yo.length];
        for (int i = 0; i < err.length; i++) {
            err[i] = yo[i] - yd[i];
        }
        List<Band> out = new ArrayList<>();
        double[] o0 = yo;
        double[] e0 = err;
        for (int k = 0; k + 1 < RADII.length; k++) {
            double[] o1 = blur(yo, w, h, RADII[k + 1]);
            double[] e1 = blur(err, w, h, RADII[k + 1]);
            double eo = 0;
            double ee = 0;
            for (int i = 0; i < yo.length; i++) {
                eo += (o0[i] - o1[i]) * (o0[i] - o1[i]);
                ee += (e0[i] - e1[i]) * (e0[i] - e1[i]);
            }
            eo /= yo.length;
            ee /= yo.length;
            String label = (2 * RADII[k] + 1) + "–" + (2 * RADII[k + 1] + 1) + " px";
            out.add(new Band(label, eo, ee, eo == 0 ? Double.NaN : 1 - ee / eo));
            o0 = o1;
            e0 = e1;
        }
        return out;
    }

    static double[] luma(RgbImage img) {
        double[] out = new double[img.width() * img.height()];
        byte[] rgb = img.rgb();
        for (int i = 0; i < out.length; i++) {
            out[i] = 0.299 * (rgb[i * 3] & 0xff) + 0.587 * (rgb[i * 3 + 1] & 0xff) + 0.114 * (rgb[i * 3 + 2] & 0xff);
        }
        return out;
    }

    /** Mean over the (2r+1)² window clipped to the image. */
    static double[] blur(double[] v, int w, int h, int r) {
        double[] s = new double[(h + 1) * (w + 1)];
        for (int y = 0; y < h; y++) {
            double row = 0;
            for (int x = 0; x < w; x++) {
                row += v[y * w + x];
                s[(y + 1) * (w + 1) + x + 1] = s[y * (w + 1) + x + 1] + row;
            }
        }
        double[] out = new double[v.length];
        for (int y = 0; y < h; y++) {
            int y0 = Math.max(0, y - r);
            int y1 = Math.min(h, y + r + 1);
            for (int x = 0; x < w; x++) {
                int x0 = Math.max(0, x - r);
                int x1 = Math.min(w, x + r + 1);
                double sum = s[y1 * (w + 1) + x1] - s[y0 * (w + 1) + x1] - s[y1 * (w + 1) + x0] + s[y0 * (w + 1) + x0];
                out[y * w + x] = sum / ((y1 - y0) * (x1 - x0));
            }
        }
        return out;
    }

    private static double mean(RgbImage img, int c) {
        double s = 0;
        int n = img.width() * img.height();
        for (int i = 0; i < n; i++) {
            s += img.rgb()[i * 3 + c] & 0xff;
        }
        return s / n;
    }

    static double saturation(RgbImage img) {
        double s = 0;
        int n = img.width() * img.height();
        for (int i = 0; i < n; i++) {
            int r = img.rgb()[i * 3] & 0xff;
            int g = img.rgb()[i * 3 + 1] & 0xff;
            int b = img.rgb()[i * 3 + 2] & 0xff;
            int max = Math.max(r, Math.max(g, b));
            int min = Math.min(r, Math.min(g, b));
            s += max == 0 ? 0 : (max - min) / (double) max;
        }
        return s / n;
    }

    /** Writes original.png, decoded.png, residual.png, audit.json and index.html into {@code dir}. */
    public static Path write(Result r, Path dir, Map<String, Object> extra) throws IOException {
        Files.createDirectories(dir);
        int w = r.original().width();
        int h = r.original().height();
        double max = HeatMaps.max(r.residual());
        PngFiles.write(dir.resolve("original.png"), r.original(), Map.of());
        PngFiles.write(dir.resolve("decoded.png"), r.decoded(), Map.of());
        PngFiles.write(dir.resolve("residual.png"), HeatMaps.heat(r.residual(), w, h, max), Map.of());
        Map<String, Object> root = new LinkedHashMap<>(extra);
        root.put("width", w);
        root.put("height", h);
        root.put("latentShape", r.latentShape());
        root.put("psnr", r.psnr());
        root.put("ssim", r.ssim());
        root.put("ssimDefinition", "scikit-image structural_similarity defaults: 7x7 uniform window, K1=0.01, "
                + "K2=0.03, sample covariance, data_range=255, mean over valid area and channels");
        root.put("residualMax", max);
        root.put("residualMean", HeatMaps.mean(r.residual()));
        root.put("bands", r.bands());
        root.put("channels", r.channels());
        root.put("originalSaturation", r.originalSaturation());
        root.put("decodedSaturation", r.decodedSaturation());
        AtomicFiles.write(dir.resolve("audit.json"), JSON.writeValueAsBytes(root));
        StringBuilder b = new StringBuilder();
        String title = "Autoencoder audit" + (extra.containsKey("image") ? ": " + extra.get("image") : "");
        b.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(Html.esc(title))
                .append("</title><style>body{font-family:sans-serif;max-width:1360px;margin:1em auto;padding:0 1em}"
                        + "img{image-rendering:pixelated;width:256px;height:auto}figure{display:inline-block;"
                        + "margin:4px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px}"
                        + "</style></head><body><h1>").append(Html.esc(title)).append("</h1>");
        b.append(String.format(Locale.ROOT, "<p>%d×%d px → latents %s → back. PSNR <b>%.2f dB</b>, SSIM <b>%.4f</b>"
                + " (scikit-image defaults). Residual: mean %.2f, max %.1f (RGB distance, 0–441).</p>", w, h,
                java.util.Arrays.toString(r.latentShape()), r.psnr(), r.ssim(), HeatMaps.mean(r.residual()), max));
        b.append("<figure><img src=\"original.png\" alt=\"the original image\"><figcaption>original</figcaption>"
                + "</figure><figure><img src=\"decoded.png\" alt=\"the image after encode and decode\"><figcaption>"
                + "encode → decode</figcaption></figure><figure><img src=\"residual.png\" alt=\"heat map of the "
                + "per-pixel colour error\"><figcaption>residual (black 0, white-yellow ")
                .append(Html.cell(max)).append(")</figcaption></figure>");
        b.append("<h2>Detail kept per scale (luma)</h2><table><thead><tr><th scope=\"col\">scale</th>"
                + "<th scope=\"col\">original energy (8-bit²/px)</th><th scope=\"col\">error energy (8-bit²/px)</th>"
                + "<th scope=\"col\">kept</th></tr></thead><tbody>");
        for (Band band : r.bands()) {
            b.append("<tr><th scope=\"row\">").append(band.label()).append("</th><td>")
                    .append(Html.cell(band.originalEnergy())).append("</td><td>").append(Html.cell(band.errorEnergy()))
                    .append("</td><td>").append(Double.isNaN(band.kept()) ? "no detail at this scale"
                            : String.format(Locale.ROOT, "%.1f %%", 100 * band.kept())).append("</td></tr>");
        }
        b.append("</tbody></table><h2>Colour</h2><table><thead><tr><th scope=\"col\">channel</th>"
                + "<th scope=\"col\">original mean (0–255)</th><th scope=\"col\">decoded mean</th>"
                + "<th scope=\"col\">PSNR (dB)</th></tr></thead><tbody>");
        for (ChannelShift c : r.channels()) {
            b.append(String.format(Locale.ROOT, "<tr><th scope=\"row\">%s</th><td>%.2f</td><td>%.2f</td><td>%.2f</td>"
                    + "</tr>", c.channel(), c.originalMean(), c.decodedMean(), c.psnr()));
        }
        b.append(String.format(Locale.ROOT, "</tbody></table><p>Mean saturation %.3f → %.3f.</p>",
                r.originalSaturation(), r.decodedSaturation()));
        b.append("<p><a href=\"audit.json\">audit.json</a> has every number.</p></body></html>\n");
        Path index = dir.resolve("index.html");
        AtomicFiles.writeString(index, b.toString());
        return index;
    }
}
