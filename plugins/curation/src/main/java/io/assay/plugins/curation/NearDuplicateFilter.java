package io.assay.plugins.curation;

import io.assay.sdk.Component;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import io.assay.sdk.curation.Images;
import io.assay.sdk.curation.KeyedFilter;
import io.assay.sdk.curation.Verdict;
import io.assay.sdk.curation.WebRecord;
import io.assay.sdk.tensor.RgbImage;
import jakarta.inject.Inject;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.pf4j.Extension;

/**
 * Drops an image whose perceptual hash is within {@code max-distance} bits of an image kept earlier (reason
 * {@code near-duplicate}, score = the distance to the nearest earlier image). The hash is the 64-bit difference
 * hash: the image averaged down to 9×8 grey cells, one bit per horizontally adjacent pair (left brighter than
 * right), so rescaling, recompression and small colour shifts keep it while a different picture changes it.
 *
 * <p>Lookup is multi-index hashing: the 64 bits are cut into {@code max-distance + 1} bands; two hashes within the
 * distance agree exactly on at least one band (pigeonhole), so each image is compared only with the earlier images
 * sharing a band — not with all of them. Stateful: records are judged in source order, and the state (the hashes
 * kept) is saved with checkpoints. Records without image bytes are kept unjudged (score NaN).
 *
 * <p>The difference hash is blind to colour (it sees grey levels), so two flat-coloured pictures of the same layout
 * in different colours hash alike. A match therefore also needs the images' colour signatures — the mean RGB of
 * each quadrant — within {@code max-colour-distance} levels (0 turns the colour check off).
 */
@Extension
@Component(name = "near-duplicate", description = "Perceptual-hash (dHash) near-duplicate removal",
        settings = NearDuplicateSettings.class)
public final class NearDuplicateFilter implements KeyedFilter {

    private volatile boolean closed;
    private final NearDuplicateSettings settings;
    private final int bands;
    private final List<Map<Long, long[]>> index = new ArrayList<>();
    private final List<Long> kept = new ArrayList<>();
    private final Map<Long, List<byte[]>> colours = new HashMap<>();

    /** Creates the filter. */
    @Inject
    public NearDuplicateFilter(NearDuplicateSettings settings) {
        this.settings = settings;
        this.bands = settings.maxDistance() + 1;
        for (int b = 0; b < bands; b++) {
            index.add(new HashMap<>());
        }
    }

    /** The 64-bit difference hash of an image. */
    static long dhash(RgbImage img) {
        int w = img.width();
        int h = img.height();
        // Exact area averaging onto 9×8 cells (fractional pixel overlaps), so a rescaled copy averages the same.
        double[][] wx = weights(w, 9);
        double[][] wy = weights(h, 8);
        double[] cells = new double[9 * 8];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double grey = 0.299 * img.get(x, y, 0) + 0.587 * img.get(x, y, 1) + 0.114 * img.get(x, y, 2);
                for (int cy = 0; cy < 8; cy++) {
                    if (wy[cy][y] == 0) {
                        continue;
                    }
                    for (int cx = 0; cx < 9; cx++) {
                        if (wx[cx][x] != 0) {
                            cells[cy * 9 + cx] += grey * wx[cx][x] * wy[cy][y];
                        }
                    }
                }
            }
        }
        long hash = 0;
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                // A margin of half a grey level keeps flat regions' bits stable under resampling noise.
                hash = (hash << 1) | (cells[y * 9 + x] > cells[y * 9 + x + 1] + 0.5 ? 1 : 0);
            }
        }
        return hash;
    }

    /** weights[cell][pixel]: the share of the pixel inside the cell, normalised so each cell's weights sum to 1. */
    private static double[][] weights(int pixels, int cells) {
        double[][] out = new double[cells][pixels];
        double span = (double) pixels / cells;
        for (int c = 0; c < cells; c++) {
            double from = c * span;
            double to = from + span;
            for (int p = (int) Math.floor(from); p < Math.min(pixels, (int) Math.ceil(to)); p++) {
                double overlap = Math.min(to, p + 1) - Math.max(from, p);
                if (overlap > 0) {
                    out[c][p] = overlap / span;
                }
            }
        }
        return out;
    }

    private long band(long hash, int b) {
        int width = 64 / bands;
        int from = b * width;
        int to = b == bands - 1 ? 64 : from + width;
        long mask = to - from == 64 ? -1L : ((1L << (to - from)) - 1);
        return ((hash >>> from) & mask) | ((long) b << 58);
    }

    /** The hash's bands: a record can only be judged against earlier images that share one of them. */
    @Override
    public long[] keys(WebRecord r) {
        if (!r.hasImage()) {
            return new long[0];
        }
        long h;
        try {
            h = dhash(Images.decode(r.image(), settings.maxPixels()));
        } catch (Images.UnreadableImageException e) {
            return new long[0];
        }
        long[] out = new long[bands];
        for (int b = 0; b < bands; b++) {
            out[b] = band(h, b);
        }
        return out;
    }

    @Override
    public Verdict judge(WebRecord r) {
        checkOpen();
        if (!r.hasImage()) {
            return Verdict.keep(Double.NaN);
        }
        long h;
        byte[] colour;
        try {
            RgbImage img = Images.decode(r.image(), settings.maxPixels());
            h = dhash(img);
            colour = colourSignature(img);
        } catch (Images.UnreadableImageException e) {
            return Verdict.reject(Verdict.UNREADABLE, Double.NaN);
        }
        int nearest = Integer.MAX_VALUE;
        for (int b = 0; b < bands; b++) {
            long[] bucket = index.get(b).get(band(h, b));
            if (bucket == null) {
                continue;
            }
            for (int i = 1; i <= bucket[0]; i++) {
                int d = Long.bitCount(bucket[i] ^ h);
                if (d < nearest && (d > settings.maxDistance() || sameColours(bucket[i], colour))) {
                    nearest = d;
                }
            }
        }
        if (nearest <= settings.maxDistance()) {
            return Verdict.reject("near-duplicate", nearest);
        }
        add(h, colour);
        return Verdict.keep(nearest == Integer.MAX_VALUE ? 64 : nearest);
    }

    /** Mean RGB of each quadrant, 12 bytes. */
    static byte[] colourSignature(RgbImage img) {
        long[] sum = new long[12];
        long[] count = new long[4];
        for (int y = 0; y < img.height(); y++) {
            for (int x = 0; x < img.width(); x++) {
                int q = (y * 2 / img.height()) * 2 + x * 2 / img.width();
                count[q]++;
                for (int c = 0; c < 3; c++) {
                    sum[q * 3 + c] += img.get(x, y, c);
                }
            }
        }
        byte[] out = new byte[12];
        for (int i = 0; i < 12; i++) {
            out[i] = (byte) (sum[i] / Math.max(1, count[i / 3]));
        }
        return out;
    }

    private boolean sameColours(long hash, byte[] colour) {
        if (settings.maxColourDistance() == 0) {
            return true;
        }
        for (byte[] other : colours.getOrDefault(hash, List.of())) {
            boolean close = true;
            for (int i = 0; i < 12 && close; i++) {
                close = Math.abs((other[i] & 0xff) - (colour[i] & 0xff)) <= settings.maxColourDistance();
            }
            if (close) {
                return true;
            }
        }
        return false;
    }

    private void add(long h, byte[] colour) {
        kept.add(h);
        List<byte[]> cs = colours.computeIfAbsent(h, k -> new ArrayList<>());
        cs.add(colour);
        if (cs.size() > 1) {
            return; // the hash is indexed already
        }
        for (int b = 0; b < bands; b++) {
            // bucket[0] holds the count; the array doubles when full
            long[] bucket = index.get(b).computeIfAbsent(band(h, b), k -> new long[5]);
            if (bucket[0] + 1 >= bucket.length) {
                bucket = java.util.Arrays.copyOf(bucket, bucket.length * 2);
                index.get(b).put(band(h, b), bucket);
            }
            bucket[(int) ++bucket[0]] = h;
        }
    }

    /** How many distinct images have been kept. */
    int size() {
        return kept.size();
    }

    @Override
    public byte[] saveState() {
        ByteBuffer buf = ByteBuffer.allocate(20 * kept.size());
        Map<Long, Integer> seen = new HashMap<>();
        for (long h : kept) {
            int k = seen.merge(h, 1, Integer::sum) - 1;
            buf.putLong(h).put(colours.get(h).get(k));
        }
        return buf.array();
    }

    @Override
    public void restoreState(byte[] state) {
        checkOpen();
        ByteBuffer buf = ByteBuffer.wrap(state);
        while (buf.remaining() >= 20) {
            long h = buf.getLong();
            byte[] c = new byte[12];
            buf.get(c);
            add(h, c);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new StageException(ErrorCode.CLOSED, "Component 'near-duplicate' was closed");
        }
    }

    /** A closed filter refuses to judge. */
    @Override
    public void close() {
        closed = true;
    }
}
