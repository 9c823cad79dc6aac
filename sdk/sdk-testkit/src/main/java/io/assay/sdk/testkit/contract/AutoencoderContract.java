package io.assay.sdk.testkit.contract;

import static io.assay.sdk.testkit.contract.Checks.check;
import static io.assay.sdk.testkit.contract.Checks.describe;

import io.assay.sdk.ErrorCode;
import io.assay.sdk.diffusion.Autoencoder;
import io.assay.sdk.diffusion.LatentSampling;
import io.assay.sdk.tensor.Tensor;
import io.assay.sdk.testkit.SeededNoise;
import io.assay.sdk.testkit.Tensors;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The {@link Autoencoder} contract: {@code encode} gives {@code [b, C, H/f, W/f]} and {@code decode}
 * {@code [b, 3, h·f, w·f]} in a sane range, both deterministic, new, finite and leaving their inputs alone, batch
 * rows independent; {@code MEAN} ignores the noise stream, {@code SAMPLE} draws from it. What the component declares
 * it lacks is checked as the standard refusal: {@link #supportsEncode()} false means {@code encode} throws
 * {@code UNSUPPORTED}, {@link #supportsSampling()} false means {@code encode(…, SAMPLE, …)} does.
 */
public interface AutoencoderContract extends StageContract<Autoencoder> {

    /** The image shape {@code [1, 3, H, W]} (H and W multiples of the down-sampling factor). */
    default long[] imageShape() {
        return new long[] {1, 3, 64, 64};
    }

    /** Declares an encoder; if false, {@code encode} must throw UNSUPPORTED. */
    default boolean supportsEncode() {
        return true;
    }

    /** Declares {@link LatentSampling#SAMPLE}; if false (with an encoder), it must throw UNSUPPORTED. */
    default boolean supportsSampling() {
        return true;
    }

    /** The largest |value| a decoded image may have (nominal range [-1, 1], unclamped). */
    default double decodedRange() {
        return 10;
    }

    /** Tolerance between a row of a batch of two and the same row alone. */
    default double tolerance() {
        return 1e-5;
    }

    @Override
    default void use(Autoencoder stage) {
        stage.decode(latents(stage, 1, 1));
    }

    private Tensor latents(Autoencoder a, long seed, long batch) {
        int f = a.downsamplingFactor();
        return Tensors.normal(seed, batch, a.latentChannels(), imageShape()[2] / f, imageShape()[3] / f);
    }

    private Tensor image(long seed, long batch) {
        long[] s = imageShape().clone();
        s[0] = batch;
        return Tensors.uniform(seed, -1f, 1f, s);
    }

    /** Positive factor and channels, a positive finite scaling factor, an image shape the factor divides. */
    @Test
    default void declaresConsistentGeometry() {
        try (Autoencoder a = create()) {
            String who = describe(a);
            int f = a.downsamplingFactor();
            check(f > 0 && a.latentChannels() > 0, who + ": expected positive downsamplingFactor() and "
                    + "latentChannels(), but they are " + f + " and " + a.latentChannels());
            check(Double.isFinite(a.scalingFactor()) && a.scalingFactor() > 0, who + ": expected a positive finite "
                    + "scalingFactor(), but it is " + a.scalingFactor());
            check(imageShape()[2] % f == 0 && imageShape()[3] % f == 0, who + ": the fixture's image "
                    + imageShape()[2] + "x" + imageShape()[3] + " must be a multiple of the factor " + f);
        }
    }

    /** {@code decode}: {@code [b, 3, h·f, w·f]}, finite, within {@link #decodedRange()}, new. */
    @Test
    default void decodeGivesImagesOfTheDeclaredShape() {
        try (Autoencoder a = create()) {
            String who = describe(a);
            for (long b : new long[] {1, 2}) {
                Tensor z = latents(a, 3, b);
                Tensor img = a.decode(z);
                long[] expected = {b, 3, imageShape()[2], imageShape()[3]};
                Checks.shape(who, "decode(" + z.shapeString() + ") (factor " + a.downsamplingFactor() + ")", expected,
                        img);
                Checks.finite(who, "the decoded image", img);
                Checks.notShared(who, "decode()", img, z);
                double max = 0;
                for (float v : img.data()) {
                    max = Math.max(max, Math.abs(v));
                }
                check(max <= decodedRange(), who + String.format(Locale.ROOT, ": expected decoded values within "
                        + "±%s (nominal [-1, 1]), but the largest |value| is %.3f", decodedRange(), max));
            }
        }
    }

    /** {@code decode} is deterministic and leaves its latents alone. */
    @Test
    default void decodeIsDeterministicAndLeavesItsInput() {
        try (Autoencoder a = create()) {
            String who = describe(a);
            Tensor z = latents(a, 4, 1);
            float[] before = z.data().clone();
            Tensor first = a.decode(z);
            Checks.unchanged(who, "'latents' of decode()", before, z);
            Checks.bitIdentical(who, "decode() of the same latents", first, a.decode(z));
        }
    }

    /** Row k of a decoded batch of two equals the batch of one. */
    @Test
    default void decodeTreatsBatchRowsIndependently() {
        try (Autoencoder a = create()) {
            String who = describe(a);
            Tensor z0 = latents(a, 5, 1);
            Tensor z1 = latents(a, 6, 1);
            Tensor both = a.decode(Tensor.concatBatch(List.of(z0, z1)));
            Checks.close(who, "row 0 of a decoded batch of two", a.decode(z0), both.batchItem(0), tolerance());
            Checks.close(who, "row 1 of a decoded batch of two", a.decode(z1), both.batchItem(1), tolerance());
        }
    }

    /**
     * {@code encode(MEAN)}: {@code [b, C, H/f, W/f]}, finite, deterministic, without noise, leaving the image alone;
     * decoding it gives the image's shape. A component without an encoder throws UNSUPPORTED.
     */
    @Test
    default void encodeGivesLatentsOfTheDeclaredShape() {
        try (Autoencoder a = create()) {
            String who = describe(a);
            if (!supportsEncode()) {
                Checks.refused(who, "encode(image, MEAN, null) (declared without an encoder)", ErrorCode.UNSUPPORTED,
                        () -> a.encode(image(7, 1), LatentSampling.MEAN, null));
                return;
            }
            int f = a.downsamplingFactor();
            for (long b : new long[] {1, 2}) {
                Tensor img = image(7, b);
                float[] before = img.data().clone();
                Tensor z = Checks.succeeds(who, "encode(" + img.shapeString() + ", MEAN, null) (MEAN uses no noise)",
                        () -> a.encode(img, LatentSampling.MEAN, null));
                long[] expected = {b, a.latentChannels(), imageShape()[2] / f, imageShape()[3] / f};
                Checks.shape(who, "encode(" + img.shapeString() + ", MEAN)", expected, z);
                Checks.finite(who, "the latents", z);
                Checks.notShared(who, "encode()", z, img);
                Checks.unchanged(who, "'image' of encode()", before, img);
                Checks.bitIdentical(who, "encode(MEAN) of the same image", z, a.encode(img, LatentSampling.MEAN,
                        null));
                Checks.shape(who, "decode(encode(image))", img.shape(), a.decode(z));
            }
            Tensor i0 = image(8, 1);
            Tensor i1 = image(9, 1);
            Tensor both = a.encode(Tensor.concatBatch(List.of(i0, i1)), LatentSampling.MEAN, null);
            Checks.close(who, "row 1 of an encoded batch of two", a.encode(i1, LatentSampling.MEAN, null),
                    both.batchItem(1), tolerance());
        }
    }

    /**
     * {@code encode(SAMPLE)} draws from the stream: the same stream seed gives the same latents, another seed others.
     * A component declared without sampling throws UNSUPPORTED.
     */
    @Test
    default void encodeSampleDrawsFromTheNoiseStream() {
        if (!supportsEncode()) {
            return;
        }
        try (Autoencoder a = create()) {
            String who = describe(a);
            Tensor img = image(10, 1);
            if (!supportsSampling()) {
                Checks.refused(who, "encode(image, SAMPLE, noise) (declared without sampling)", ErrorCode.UNSUPPORTED,
                        () -> a.encode(img, LatentSampling.SAMPLE, new SeededNoise(1)));
                return;
            }
            SeededNoise n1 = new SeededNoise(1);
            Tensor s1 = a.encode(img, LatentSampling.SAMPLE, n1);
            check(!n1.calls().isEmpty(), who + ": expected encode(SAMPLE) to draw from the noise stream, but it drew "
                    + "nothing");
            Checks.bitIdentical(who, "encode(SAMPLE) with two streams of one seed", s1,
                    a.encode(img, LatentSampling.SAMPLE, new SeededNoise(1)));
            Tensor s2 = a.encode(img, LatentSampling.SAMPLE, new SeededNoise(2));
            check(Tensors.difference(s1.data(), s2.data(), 0) != null, who + ": expected encode(SAMPLE) with "
                    + "different noise to give different latents, but they are identical");
        }
    }
}
