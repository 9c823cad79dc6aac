package io.assay.sdk.testkit.contract;

import static io.assay.sdk.testkit.contract.Checks.check;
import static io.assay.sdk.testkit.contract.Checks.describe;

import io.assay.sdk.diffusion.Denoiser;
import io.assay.sdk.tensor.Tensor;
import io.assay.sdk.testkit.Tensors;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The {@link Denoiser} contract: the output has the sample's shape (batch 1 and 2, integer and fractional
 * timesteps), is finite, new and deterministic; inputs are not modified; batch rows are independent (row k of a
 * batch of two equals a batch of one within {@link #tolerance()}); the declared latent channels and cross-attention
 * width match the fixture's tensors.
 */
public interface DenoiserContract extends StageContract<Denoiser> {

    /** A batch-of-one latent shape {@code [1, C, h, w]} the model accepts. */
    long[] latentShape();

    /** Conditioning for one row, {@code [1, L, D]}. */
    Tensor conditioning();

    /** The timestep of the calls. */
    default double timestep() {
        return 500;
    }

    /** Tolerance between a row of a batch of two and the same row alone. */
    default double tolerance() {
        return 1e-5;
    }

    @Override
    default void use(Denoiser stage) {
        stage.predict(Tensors.normal(1, latentShape()), timestep(), conditioning());
    }

    private Tensor second(Tensor cond) {
        return Tensors.axpby(0.5f, cond, 1f, Tensors.normal(77, cond.shape()));
    }

    /** {@code latentChannels()} and {@code crossAttentionDim()} describe the fixture's tensors. */
    @Test
    default void declaresItsShapes() {
        try (Denoiser d = create()) {
            String who = describe(d);
            check(d.latentChannels() == latentShape()[1], who + ": expected latentChannels() = " + latentShape()[1]
                    + " (the fixture's latents), but it is " + d.latentChannels());
            int dim = d.crossAttentionDim();
            check(dim == -1 || dim == conditioning().dim(2), who + ": expected crossAttentionDim() to be "
                    + conditioning().dim(2) + " (the conditioning's width) or -1, but it is " + dim);
            check(d.predictionType() != null, who + ": expected predictionType() to be declared, but it is null");
        }
    }

    /** The output has the sample's shape, for batches of one and two and a fractional timestep. */
    @Test
    default void outputHasTheSampleShape() {
        try (Denoiser d = create()) {
            String who = describe(d);
            Tensor x1 = Tensors.normal(2, latentShape());
            Tensor out1 = d.predict(x1, timestep(), conditioning());
            Checks.shape(who, "predict() of a batch of one", latentShape(), out1);
            Checks.finite(who, "predict() of a batch of one", out1);
            Checks.notShared(who, "predict()", out1, x1);
            Tensor x2 = Tensor.concatBatch(List.of(x1, Tensors.normal(3, latentShape())));
            Tensor c2 = Tensor.concatBatch(List.of(conditioning(), second(conditioning())));
            Tensor out2 = d.predict(x2, timestep(), c2);
            Checks.shape(who, "predict() of a batch of two", x2.shape(), out2);
            double fractional = Math.floor(timestep()) + 0.42;
            Tensor out3 = Checks.succeeds(who, "predict() at the fractional timestep " + fractional,
                    () -> d.predict(x1, fractional, conditioning()));
            Checks.shape(who, "predict() at a fractional timestep", latentShape(), out3);
            Checks.finite(who, "predict() at a fractional timestep", out3);
        }
    }

    /** The same inputs give bit-identical outputs, and a caller modifying an output changes no later one. */
    @Test
    default void predictIsDeterministic() {
        try (Denoiser d = create()) {
            String who = describe(d);
            Tensor x = Tensors.normal(4, latentShape());
            Tensor first = d.predict(x, timestep(), conditioning());
            Tensor copy = first.copy();
            Arrays.fill(first.data(), Float.NaN);
            Checks.bitIdentical(who, "predict() with the same inputs (after the caller overwrote the first "
                    + "output)", copy, d.predict(x, timestep(), conditioning()));
        }
    }

    /** Neither the sample nor the conditioning is modified. */
    @Test
    default void predictDoesNotModifyItsInputs() {
        try (Denoiser d = create()) {
            String who = describe(d);
            Tensor x = Tensor.concatBatch(List.of(Tensors.normal(5, latentShape()), Tensors.normal(6, latentShape())));
            Tensor c = Tensor.concatBatch(List.of(conditioning(), second(conditioning())));
            float[] xBefore = x.data().clone();
            float[] cBefore = c.data().clone();
            d.predict(x, timestep(), c);
            Checks.unchanged(who, "'sample' of predict()", xBefore, x);
            Checks.unchanged(who, "'encoderHiddenStates' of predict()", cBefore, c);
        }
    }

    /** Row k of a batch of two equals the batch of one made of row k (within {@link #tolerance()}). */
    @Test
    default void batchRowsAreIndependent() {
        try (Denoiser d = create()) {
            String who = describe(d);
            Tensor x0 = Tensors.normal(7, latentShape());
            Tensor x1 = Tensors.normal(8, latentShape());
            Tensor c0 = conditioning();
            Tensor c1 = second(c0);
            Tensor both = d.predict(Tensor.concatBatch(List.of(x0, x1)), timestep(), Tensor.concatBatch(List.of(c0,
                    c1)));
            Checks.close(who, "row 0 of a batch of two (the batch of one's output)", d.predict(x0, timestep(), c0),
                    both.batchItem(0), tolerance());
            Checks.close(who, "row 1 of a batch of two (the batch of one's output)", d.predict(x1, timestep(), c1),
                    both.batchItem(1), tolerance());
        }
    }
}
