package io.assay.plugins.noise;

import io.assay.sdk.Component;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageContext;
import io.assay.sdk.StageException;
import io.assay.sdk.diffusion.NoiseSource;
import io.assay.sdk.diffusion.NoiseStream;
import io.assay.sdk.tensor.Npy;
import io.assay.sdk.tensor.Tensor;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.pf4j.Extension;

/**
 * Serves recorded noise instead of generating it, so a run can replay exactly the noise of a reference run (for
 * example the {@code init_latents.npy} and {@code step_noise.npy} of a diffusers run).
 *
 * <p>A stream serves, in order: the first {@link NoiseStream#draw draw} returns {@code initial}; each later
 * sequential draw returns the next entry of {@code steps} (entry 0, 1, …), as one {@code torch.Generator}
 * would; {@link NoiseStream#drawForStep drawForStep(i, shape)} returns entry {@code i} of {@code steps}
 * regardless of the sequential position. The seed is ignored (the recording is the noise), which is recorded in
 * the trace. Every draw must ask for exactly the recorded shape: a mismatch, or a draw past the end of the
 * recording, throws {@link StageException} with {@link ErrorCode#INVALID_INPUT} naming the file, the recorded
 * shape and the requested one. Each draw returns a fresh copy, so callers may keep or modify it.
 *
 * <p>An image-to-image run starts its loop part-way through the schedule, and a recording of it may hold one entry
 * per iteration of the full schedule or one per iteration it executed. Once the stream is told the run's loop
 * ({@link ReplayStream#beginLoop}), it accepts both: with as many entries as the schedule has iterations, entry
 * {@code i} serves iteration {@code i}; with as many as the run executes, entry 0 serves the first executed
 * iteration. Any other count is refused, naming the file, the count and both counts accepted.
 *
 * <p>The files are read once, when the component is created, so a missing or malformed file is reported before
 * the run starts.
 */
@Extension
@Component(name = "replay", description = "Serves recorded .npy noise: the initial latents, then per-step noise",
        settings = ReplaySettings.class)
public final class ReplayNoiseSource implements NoiseSource {

    private final StageContext context;
    private final Path initialFile;
    private final Tensor initial;
    private final Path stepsFile;
    private final Tensor steps;
    private final long[] stepShape;
    private volatile boolean closed;

    /**
     * Reads the recordings.
     *
     * @throws StageException {@link ErrorCode#INVALID_SETTING} naming the file if one is missing or unreadable, or
     *     if {@code steps} has no leading entry axis
     */
    @Inject
    public ReplayNoiseSource(ReplaySettings settings, StageContext context) {
        this.context = context;
        this.initialFile = context.baseDirectory().resolve(settings.initial());
        this.initial = read("initial", initialFile);
        if (settings.steps() == null) {
            this.stepsFile = null;
            this.steps = null;
            this.stepShape = null;
        } else {
            this.stepsFile = context.baseDirectory().resolve(settings.steps());
            this.steps = read("steps", stepsFile);
            if (steps.rank() < 1) {
                throw new StageException(ErrorCode.INVALID_SETTING, "Replay 'steps' file '" + stepsFile
                        + "' holds a scalar; expected shape [n, ...] with one entry per loop iteration");
            }
            long[] s = steps.shape();
            this.stepShape = Arrays.copyOfRange(s, 1, s.length);
        }
    }

    private static Tensor read(String key, Path file) {
        if (!Files.isRegularFile(file)) {
            throw new StageException(ErrorCode.INVALID_SETTING, "Replay '" + key + "' file '" + file
                    + "' does not exist or is not a file");
        }
        try {
            return Npy.readTensor(file);
        } catch (NoSuchFileException e) {
            throw new StageException(ErrorCode.INVALID_SETTING, "Replay '" + key + "' file '" + file
                    + "' does not exist", e);
        } catch (IOException | IllegalStateException e) {
            throw new StageException(ErrorCode.INVALID_SETTING, "Replay '" + key + "' file '" + file
                    + "' could not be read as a float .npy array: " + e.getMessage(), e);
        }
    }

    /** The number of per-step recordings ({@code 0} without a {@code steps} file). */
    public int recordedSteps() {
        return steps == null ? 0 : steps.intDim(0);
    }

    @Override
    public NoiseStream open(long seed) {
        if (closed) {
            throw new StageException(ErrorCode.CLOSED, "Noise source 'replay' was used after close()");
        }
        if (context.trace().enabled()) {
            context.trace().record("replay-open", Map.of("seed-ignored", seed, "initial", initialFile.toString(),
                    "steps", stepsFile == null ? "" : stepsFile.toString(), "recorded-steps", recordedSteps()));
        }
        return new ReplayStream();
    }

    @Override
    public void close() {
        closed = true;
    }

    /** One run's stream (package-visible so tests can give it the run's loop). */
    final class ReplayStream implements NoiseStream {

        /** Sequential draws served so far: 0 means the next draw is {@code initial}. */
        private int sequential;
        /** The iteration entry 0 of {@code steps} serves: 0, or the first executed one for a per-execution file. */
        private int firstEntryIteration;

        /**
         * Tells the stream the run's loop: iterations {@code firstIteration} to {@code iterations - 1} of a schedule
         * of {@code iterations}, so that a recording with one entry per executed iteration (image-to-image) is served
         * by position. Overrides {@code NoiseStream.beginLoop} (the engine's call before the first iteration) once
         * the SDK declares it; until then runs index the recording by iteration, as before.
         *
         * @throws StageException {@link ErrorCode#INVALID_INPUT} if the recording holds neither one entry per
         *     iteration of the schedule nor one per executed iteration
         */
        public void beginLoop(int firstIteration, int iterations) {
            if (firstIteration < 0 || firstIteration >= iterations) {
                throw new IllegalArgumentException("the loop must run iterations [" + firstIteration + ", "
                        + iterations + "): first iteration out of range");
            }
            if (steps == null) {
                return;
            }
            int n = steps.intDim(0);
            int executed = iterations - firstIteration;
            if (n == iterations) {
                firstEntryIteration = 0;
            } else if (n == executed) {
                firstEntryIteration = firstIteration;
            } else {
                throw new StageException(ErrorCode.INVALID_INPUT, "Replay 'steps' file '" + stepsFile + "' has " + n
                        + " entries; this run accepts " + iterations + " (one per iteration of its schedule) or "
                        + executed + " (one per executed iteration, " + firstIteration + " to " + (iterations - 1)
                        + ")");
            }
            if (context.trace().enabled()) {
                context.trace().record("replay-loop", Map.of("first-iteration", firstIteration, "iterations",
                        iterations, "recorded-steps", n, "entry-0-serves-iteration", firstEntryIteration));
            }
        }

        @Override
        public Tensor draw(long[] shape) {
            Tensor out;
            if (sequential == 0) {
                requireShape(initialFile, initial.shape(), shape, "the first draw");
                out = initial.copy();
            } else {
                out = entry(sequential - 1, shape, "sequential draw " + (sequential + 1));
            }
            sequential++;
            return out;
        }

        @Override
        public Tensor drawForStep(int iteration, long[] shape) {
            return entry(iteration - firstEntryIteration, shape, "the noise of loop iteration " + iteration);
        }

        private Tensor entry(int index, long[] shape, String what) {
            if (steps == null) {
                throw new StageException(ErrorCode.INVALID_INPUT, "Replay noise has no 'steps' recording, so it "
                        + "cannot serve " + what + " (shape " + Arrays.toString(shape) + "); only the initial "
                        + "draw from '" + initialFile + "' is recorded");
            }
            int n = steps.intDim(0);
            if (index < 0 || index >= n) {
                throw new StageException(ErrorCode.INVALID_INPUT, "Replay 'steps' file '" + stepsFile + "' has "
                        + n + " entries of shape " + Arrays.toString(stepShape) + " but " + what
                        + " needs entry " + index + " (recorded shape " + steps.shapeString() + ")");
            }
            requireShape(stepsFile, stepShape, shape, what + " (entry " + index + ")");
            int per = Math.toIntExact(Tensor.count(stepShape));
            return new Tensor(stepShape, Arrays.copyOfRange(steps.data(), index * per, (index + 1) * per));
        }

        private void requireShape(Path file, long[] recorded, long[] requested, String what) {
            if (!Arrays.equals(recorded, requested)) {
                throw new StageException(ErrorCode.INVALID_INPUT, "Replay file '" + file + "' records shape "
                        + Arrays.toString(recorded) + " but " + what + " requested shape "
                        + Arrays.toString(requested));
            }
        }
    }
}
