package io.assay.framework.world;

import io.assay.framework.io.PngFiles;
import io.assay.sdk.curation.WebRecord;
import io.assay.sdk.tensor.RgbImage;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * A procedural "web" of captioned images, deterministic from a seed: simple scenes (a circle, square or triangle in
 * one of eight named colours on a background of another), with the properties curation acts on — mostly English alt
 * texts, some French, German and Spanish, some junk ("IMG_2041.jpg", "click here", empty), some captions of another
 * image, near-duplicates, varied resolutions, and a heavy-tailed (Pareto) inbound link count per page. Every scene
 * keeps its ground truth, so filters and generated images can be scored.
 */
public final class ProceduralWeb {

    /** The named colours. */
    public static final List<String> COLOURS = List.of("red", "orange", "yellow", "green", "blue", "purple", "white",
            "black");
    /** The shapes. */
    public static final List<String> SHAPES = List.of("circle", "square", "triangle");
    /** RGB of each colour. */
    public static final int[][] RGB = {{220, 40, 40}, {245, 140, 30}, {240, 220, 40}, {40, 170, 60}, {40, 80, 220},
        {140, 50, 180}, {245, 245, 245}, {20, 20, 20}};

    private static final List<String> FR_COLOURS = List.of("rouge", "orange", "jaune", "vert", "bleu", "violet", "blanc",
            "noir");
    private static final List<String> FR_SHAPES = List.of("cercle", "carré", "triangle");
    private static final List<String> DE_ADJ = List.of("roter", "oranger", "gelber", "grüner", "blauer", "lila",
            "weißer", "schwarzer");
    private static final List<String> DE_DAT = List.of("rotem", "orangem", "gelbem", "grünem", "blauem", "lila",
            "weißem", "schwarzem");
    private static final List<String> DE_SHAPES = List.of("Kreis", "Quadrat", "Dreieck");
    private static final List<String> ES_COLOURS = List.of("rojo", "naranja", "amarillo", "verde", "azul", "morado",
            "blanco", "negro");
    private static final List<String> ES_SHAPES = List.of("círculo", "cuadrado", "triángulo");
    private static final List<String> JUNK = List.of("IMG_2041.jpg", "click here", "", "image", "DSC00017.JPG",
            "thumbnail");

    /** Kinds of record. */
    public enum Kind { CLEAN, TRANSLATED, JUNK, MISMATCHED, NEAR_DUPLICATE }

    /**
     * One scene and how the web shows it.
     *
     * @param index position in the corpus
     * @param shape index into {@link #SHAPES}
     * @param fg foreground colour index
     * @param bg background colour index
     * @param size the shape's size as a fraction of the image side
     * @param cx centre x as a fraction
     * @param cy centre y as a fraction
     * @param width published width in pixels
     * @param height published height in pixels
     * @param caption the alt text
     * @param language the caption's language (en, fr, de, es, or "" for junk)
     * @param kind what kind of record
     * @param inboundLinks links pointing at the page
     */
    public record Scene(int index, int shape, int fg, int bg, double size, double cx, double cy, int width, int height,
            String caption, String language, Kind kind, long inboundLinks) {

        /** The English caption that truly describes the image. */
        public String truth() {
            return english(shape, fg, bg);
        }
    }

    private ProceduralWeb() {
    }

    static String english(int shape, int fg, int bg) {
        return "a " + COLOURS.get(fg) + " " + SHAPES.get(shape) + " on a " + COLOURS.get(bg) + " background";
    }

    /** The corpus: {@code n} scenes from {@code seed}. */
    public static List<Scene> scenes(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Scene> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            double u = r.nextDouble();
            Kind kind = u < 0.84 ? Kind.CLEAN : u < 0.90 ? Kind.TRANSLATED : u < 0.93 ? Kind.JUNK
                    : u < 0.96 ? Kind.MISMATCHED : Kind.NEAR_DUPLICATE;
            if (kind == Kind.NEAR_DUPLICATE && out.isEmpty()) {
                kind = Kind.CLEAN;
            }
            int shape = r.nextInt(SHAPES.size());
            int fg = r.nextInt(COLOURS.size());
            int bg = (fg + 1 + r.nextInt(COLOURS.size() - 1)) % COLOURS.size();
            double size = 0.35 + 0.3 * r.nextDouble();
            double cx = 0.5 + (r.nextDouble() - 0.5) * (1 - size) * 0.8;
            double cy = 0.5 + (r.nextDouble() - 0.5) * (1 - size) * 0.8;
            int[] sizes = {64, 96, 128, 160, 256};
            int w = sizes[r.nextInt(sizes.length)];
            int h = r.nextDouble() < 0.8 ? w : sizes[r.nextInt(sizes.length)];
            long links = (long) Math.floor(1.0 / Math.pow(1 - r.nextDouble(), 1 / 1.2)); // Pareto, alpha 1.2
            String caption;
            String lang = "en";
            switch (kind) {
                case NEAR_DUPLICATE -> {
                    Scene src = out.get(r.nextInt(out.size()));
                    shape = src.shape();
                    fg = src.fg();
                    bg = src.bg();
                    size = src.size();
                    cx = src.cx() + 1.0 / 64;
                    cy = src.cy();
                    caption = src.caption();
                    lang = src.language();
                }
                case TRANSLATED -> {
                    int which = r.nextInt(3);
                    lang = List.of("fr", "de", "es").get(which);
                    caption = switch (which) {
                        case 0 -> "un " + FR_SHAPES.get(shape) + " " + FR_COLOURS.get(fg) + " sur fond "
                                + FR_COLOURS.get(bg);
                        case 1 -> "ein " + (shape == 0 ? DE_ADJ.get(fg) : DE_ADJ.get(fg).replaceFirst("er$", "es")
                                .replace("lilaes", "lila")) + " " + DE_SHAPES.get(shape) + " auf " + DE_DAT.get(bg)
                                + " Hintergrund";
                        default -> "un " + ES_SHAPES.get(shape) + " " + ES_COLOURS.get(fg) + " sobre fondo "
                                + ES_COLOURS.get(bg);
                    };
                }
                case JUNK -> {
                    caption = JUNK.get(r.nextInt(JUNK.size()));
                    lang = "";
                }
                case MISMATCHED -> {
                    int s2 = (shape + 1 + r.nextInt(SHAPES.size() - 1)) % SHAPES.size();
                    int f2 = (fg + 1 + r.nextInt(COLOURS.size() - 1)) % COLOURS.size();
                    int b2 = (f2 + 1 + r.nextInt(COLOURS.size() - 1)) % COLOURS.size();
                    caption = english(s2, f2, b2);
                }
                default -> caption = english(shape, fg, bg);
            }
            out.add(new Scene(i, shape, fg, bg, size, cx, cy, w, h, caption, lang, kind, links));
        }
        return out;
    }

    /** Draws a scene at the given size (antialiasing off, so the bytes are the same everywhere). */
    public static RgbImage render(Scene s, int width, int height) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
            int[] bg = RGB[s.bg()];
            int[] fg = RGB[s.fg()];
            g.setColor(new Color(bg[0], bg[1], bg[2]));
            g.fillRect(0, 0, width, height);
            g.setColor(new Color(fg[0], fg[1], fg[2]));
            int side = (int) Math.round(s.size() * Math.min(width, height));
            int x = (int) Math.round(s.cx() * width - side / 2.0);
            int y = (int) Math.round(s.cy() * height - side / 2.0);
            switch (s.shape()) {
                case 0 -> g.fillOval(x, y, side, side);
                case 1 -> g.fillRect(x, y, side, side);
                default -> g.fillPolygon(new int[] {x, x + side / 2, x + side}, new int[] {y + side, y, y + side}, 3);
            }
        } finally {
            g.dispose();
        }
        return PngFiles.fromBufferedImage(img);
    }

    /** The corpus as web records: PNG bytes at each page's published size, ground truth in the metadata. */
    public static Stream<WebRecord> records(long seed, int n) {
        return scenes(seed, n).stream().map(s -> {
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("width", Integer.toString(s.width()));
            meta.put("height", Integer.toString(s.height()));
            meta.put("language", s.language());
            meta.put("kind", s.kind().name().toLowerCase(java.util.Locale.ROOT));
            meta.put("truth", s.truth());
            byte[] png;
            try {
                png = PngFiles.encode(render(s, s.width(), s.height()), Map.of());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            String page = "https://shapes-" + (s.index() % 97) + ".example/page/" + s.index();
            return new WebRecord("procedural-" + s.index(), page + "/image.png", page, s.caption(), png,
                    s.inboundLinks(), meta);
        });
    }
}
