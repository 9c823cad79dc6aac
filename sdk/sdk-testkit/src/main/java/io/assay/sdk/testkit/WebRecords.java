package io.assay.sdk.testkit;

import io.assay.sdk.curation.WebRecord;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * Web-record fixtures for scraper-filter tests: small generated images (PNG or JPEG bytes, made in memory) and a
 * varied sample of records ({@link #sample()}) covering what filters decide on.
 */
public final class WebRecords {

    private WebRecords() {
    }

    /**
     * A {@code width}×{@code height} picture drawn from {@code seed}: a background colour and a few filled shapes
     * placed relative to the size (the same seed at another size is the same picture rescaled), encoded as
     * {@code format} ({@code "png"} or {@code "jpg"}).
     */
    public static byte[] image(int width, int height, long seed, String format) {
        Random r = new Random(seed);
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(r.nextInt(256), r.nextInt(256), r.nextInt(256)));
        g.fillRect(0, 0, width, height);
        for (int k = 0; k < 4; k++) {
            // Positions and sizes relative to the picture, so one seed at two sizes is the same picture rescaled.
            g.setColor(new Color(r.nextInt(256), r.nextInt(256), r.nextInt(256)));
            int w = Math.max(1, Math.round(r.nextFloat() * width / 2));
            int h = Math.max(1, Math.round(r.nextFloat() * height / 2));
            int x = Math.round(r.nextFloat() * width) - w / 2;
            int y = Math.round(r.nextFloat() * height) - h / 2;
            if (r.nextBoolean()) {
                g.fillOval(x, y, w, h);
            } else {
                g.fillRect(x, y, w, h);
            }
        }
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(img, format, out)) {
                throw new IllegalArgumentException("no ImageIO writer for '" + format + "'");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A PNG of {@link #image}. */
    public static byte[] png(int width, int height, long seed) {
        return image(width, height, seed, "png");
    }

    /** Bytes no image decoder recognises. */
    public static byte[] garbage() {
        return "this is not an image, just some text pretending to be one".getBytes(StandardCharsets.UTF_8);
    }

    /** A PNG cut off halfway: a readable header, broken data. */
    public static byte[] truncatedPng() {
        byte[] full = png(96, 96, 7);
        return Arrays.copyOf(full, full.length / 2);
    }

    /** A record with an image URL and page derived from {@code id}, no link count and no metadata. */
    public static WebRecord record(String id, String caption, byte[] image) {
        return record(id, caption, image, -1, Map.of());
    }

    /** A record with everything given. */
    public static WebRecord record(String id, String caption, byte[] image, long inboundLinks,
            Map<String, String> metadata) {
        return new WebRecord(id, "https://images.example/" + id + ".png", "https://pages.example/" + id, caption,
                image, inboundLinks, metadata);
    }

    /**
     * Sixteen records: good photos with real captions, a near-duplicate (the same picture rescaled, and re-encoded
     * as JPEG), tiny and extreme-aspect images, empty / file-name / boilerplate captions, records without image
     * bytes (with and without width/height metadata), varied inbound-link counts and a non-English caption.
     */
    public static List<WebRecord> sample() {
        List<WebRecord> out = new ArrayList<>();
        out.add(record("photo-1", "a red kite flying over a green hill", png(128, 96, 1), 120, Map.of()));
        out.add(record("photo-2", "two cups of coffee on a wooden table", png(160, 120, 2), 8, Map.of()));
        out.add(record("photo-1-small", "a red kite over a hill", png(96, 72, 1), 3, Map.of()));
        out.add(record("photo-1-jpeg", "kite on a hill", image(128, 96, 1, "jpg"), 40, Map.of()));
        out.add(record("tiny", "a small icon of a house", png(12, 12, 3), 0, Map.of()));
        out.add(record("banner", "a long banner with the shop name", png(480, 40, 4), 15, Map.of()));
        out.add(record("empty-caption", "", png(128, 128, 5), 2, Map.of()));
        out.add(record("file-name", "IMG_2041.jpg", png(128, 128, 6), 60, Map.of()));
        out.add(record("boilerplate", "click here", png(100, 100, 7), 1, Map.of()));
        out.add(record("one-word", "sunset", png(120, 90, 8), 33, Map.of()));
        out.add(record("no-image", "a mountain lake at dawn", null, 5, Map.of("width", "800", "height", "600")));
        out.add(record("no-image-no-size", "a city street at night", null, -1, Map.of()));
        out.add(record("french", "un chat noir dort sur un canapé rouge", png(140, 100, 9), 70, Map.of()));
        out.add(record("photo-3", "a bowl of oranges and lemons", png(128, 128, 10), 12, Map.of()));
        out.add(record("photo-4", "a white sailing boat on a calm sea", png(150, 100, 11), 250, Map.of()));
        out.add(record("photo-2-again", "coffee cups", png(160, 120, 2), 8, Map.of()));
        return List.copyOf(out);
    }
}
