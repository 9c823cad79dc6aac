package io.assay.sdk.testkit.contract;

import static io.assay.sdk.testkit.contract.Checks.check;
import static io.assay.sdk.testkit.contract.Checks.describe;

import io.assay.sdk.diffusion.NoiseSource;
import io.assay.sdk.diffusion.NoiseStream;
import io.assay.sdk.tensor.Tensor;
import io.assay.sdk.testkit.Tensors;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The {@link NoiseSource} contract: the same seed and the same sequence of draws give bit-identical tensors, on
 * independent streams; different seeds give different noise (unless the source declares it ignores the seed);
 * tensors have the requested shape and belong to the caller; a large draw has mean ≈ 0 and standard deviation ≈ 1
 * (within six standard errors); {@code drawForStep} is deterministic.
 */
public interface NoiseSourceContract extends StageContract<NoiseSource> {

    /** The shape of ordinary draws (latents). */
    default long[] shape() {
        return new long[] {1, 4, 8, 8};
    }

    /** Shapes a fresh stream's first draw must serve (odd sizes included). */
    default List<long[]> shapes() {
        return List.of(shape(), new long[] {2, 4, 8, 8}, new long[] {1, 3, 5, 7}, new long[] {17});
    }

    /** The shape of the draw whose moments are checked. */
    default long[] largeShape() {
        return new long[] {1, 4, 128, 128};
    }

    /** Declares that the noise depends on the seed (false for a replay of recorded noise, which ignores it). */
    default boolean seedDetermined() {
        return true;
    }

    @Override
    default void use(NoiseSource stage) {
        stage.open(1).draw(shape());
    }

    /** Two streams of one seed serve bit-identical sequences, however their draws interleave. */
    @Test
    default void sameSeedGivesTheSameNoise() {
        try (NoiseSource source = create()) {
            String who = describe(source);
            NoiseStream a = source.open(42);
            NoiseStream b = source.open(42);
            Tensor a1 = a.draw(shape());
            Tensor b1 = b.draw(shape());
            Tensor a2 = a.draw(shape());
            Tensor b2 = b.draw(shape());
            Checks.bitIdentical(who, "the first draw of two streams opened with seed 42", a1, b1);
            Checks.bitIdentical(who, "the second draw of two streams opened with seed 42 (interleaved)", a2, b2);
            NoiseStream c = source.open(42);
            c.draw(shape());
            Checks.bitIdentical(who, "the second draw of a stream of seed 42 opened after the others", a2,
                    c.draw(shape()));
        }
    }

    /** Different seeds give different noise; a source declared seed-independent gives the same. */
    @Test
    default void differentSeedsGiveDifferentNoise() {
        try (NoiseSource source = create()) {
            String who = describe(source);
            Tensor x = source.open(1).draw(shape());
            Tensor y = source.open(2).draw(shape());
            if (seedDetermined()) {
                check(Tensors.difference(x.data(), y.data(), 0) != null, who + ": expected seeds 1 and 2 to give "
                        + "different noise, but both gave the same " + x.shapeString() + " tensor");
            } else {
                Checks.bitIdentical(who, "the noise of seeds 1 and 2 (declared to ignore the seed)", x, y);
            }
        }
    }

    /** Every draw has the requested shape; later draws of a stream continue it rather than repeat it. */
    @Test
    default void drawsHaveTheRequestedShape() {
        try (NoiseSource source = create()) {
            String who = describe(source);
            for (long[] s : shapes()) {
                Tensor t = Checks.succeeds(who, "open(3).draw(" + Arrays.toString(s) + ")",
                        () -> source.open(3).draw(s));
                Checks.shape(who, "draw(" + Arrays.toString(s) + ")", s, t);
                Checks.finite(who, "draw(" + Arrays.toString(s) + ")", t);
            }
            NoiseStream stream = source.open(3);
            Tensor first = stream.draw(shape());
            Tensor second = Checks.succeeds(who, "a second draw(" + Arrays.toString(shape()) + ")",
                    () -> stream.draw(shape()));
            Checks.shape(who, "the second draw", shape(), second);
            check(Tensors.difference(first.data(), second.data(), 0) != null, who + ": expected a stream's second "
                    + "draw to continue the stream, but it repeated the first draw");
        }
    }

    /** Returned tensors belong to the caller: modifying one changes no later draw. */
    @Test
    default void drawsBelongToTheCaller() {
        try (NoiseSource source = create()) {
            String who = describe(source);
            Tensor pristine = source.open(5).draw(shape());
            Tensor kept = source.open(5).draw(shape());
            Arrays.fill(kept.data(), 1e9f);
            Checks.bitIdentical(who, "a draw made after the caller overwrote an earlier draw of the same seed",
                    pristine, source.open(5).draw(shape()));
            NoiseStream s = source.open(5);
            Tensor step = s.drawForStep(1, shape());
            float[] copy = step.data().clone();
            Arrays.fill(step.data(), -1e9f);
            Checks.bitIdentical(who, "drawForStep(1) after the caller overwrote an earlier drawForStep(1)",
                    new Tensor(shape(), copy), source.open(5).drawForStep(1, shape()));
        }
    }

    /** A large draw is N(0, 1): mean and standard deviation within six standard errors, every value finite. */
    @Test
    default void largeDrawIsStandardNormal() {
        try (NoiseSource source = create()) {
            String who = describe(source);
            Tensor t = source.open(20240601L).draw(largeShape());
            Checks.shape(who, "draw(" + Arrays.toString(largeShape()) + ")", largeShape(), t);
            Checks.finite(who, "a large draw", t);
            double n = t.size();
            double mean = t.mean();
            double std = t.std();
            double meanBound = 6 / Math.sqrt(n);
            double stdBound = 6 / Math.sqrt(2 * n);
            check(Math.abs(mean) <= meanBound, who + String.format(Locale.ROOT, ": expected the mean of %d draws "
                    + "within ±%.4f of 0, but it is %.5f", (long) n, meanBound, mean));
            check(Math.abs(std - 1) <= stdBound, who + String.format(Locale.ROOT, ": expected the standard "
                    + "deviation of %d draws within ±%.4f of 1, but it is %.5f", (long) n, stdBound, std));
        }
    }

    /** {@code drawForStep(i, shape)} is deterministic per seed and has the requested shape. */
    @Test
    default void drawForStepIsDeterministic() {
        try (NoiseSource source = create()) {
            String who = describe(source);
            NoiseStream a = source.open(9);
            NoiseStream b = source.open(9);
            a.draw(shape());
            b.draw(shape());
            for (int i = 0; i < 3; i++) {
                int iteration = i;
                Tensor x = Checks.succeeds(who, "drawForStep(" + i + ", " + Arrays.toString(shape()) + ")",
                        () -> a.drawForStep(iteration, shape()));
                Tensor y = b.drawForStep(i, shape());
                Checks.shape(who, "drawForStep(" + i + ")", shape(), x);
                Checks.bitIdentical(who, "drawForStep(" + i + ") of two streams of seed 9", x, y);
            }
        }
    }
}
