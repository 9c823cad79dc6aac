package io.assay.framework.experiment;

import io.assay.sdk.tensor.Npy;
import io.assay.sdk.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A trajectory's steps on disk, so the report can compare cells' trajectories without holding them in memory:
 * {@code trajectories/<key>.npy}, float32 {@code [steps, 2, B, C, h, w]} — per step the latents and the predicted
 * clean latents (x0). Written atomically before any cell that uses it.
 */
final class TrajectoryFiles {

    private TrajectoryFiles() {
    }

    /** The file's path relative to the experiment's directory. */
    static String name(String trajectoryKey) {
        return "trajectories/" + trajectoryKey + ".npy";
    }

    static void write(Path dir, String trajectoryKey, List<Tensor> latents, List<Tensor> denoised)
            throws IOException {
        List<Tensor> all = new ArrayList<>();
        for (int s = 0; s < latents.size(); s++) {
            all.add(latents.get(s));
            all.add(denoised.get(s));
        }
        if (all.isEmpty()) {
            return;
        }
        long[] one = latents.get(0).shape();
        long[] shape = new long[one.length + 2];
        shape[0] = latents.size();
        shape[1] = 2;
        System.arraycopy(one, 0, shape, 2, one.length);
        Npy.write(dir.resolve(name(trajectoryKey)), Tensor.concatBatch(all).reshape(shape));
    }

    /**
     * The steps of a trajectory: element {@code [s][0]} the latents after step {@code s}, {@code [s][1]} the
     * predicted clean latents; null when the file is missing (a cell from an older run).
     */
    static float[][][] read(Path dir, String name) throws IOException {
        Path file = dir.resolve(name);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        Tensor t = Npy.readTensor(file);
        int steps = t.intDim(0);
        int per = t.size() / steps / 2;
        float[][][] out = new float[steps][2][];
        for (int s = 0; s < steps; s++) {
            for (int k = 0; k < 2; k++) {
                out[s][k] = java.util.Arrays.copyOfRange(t.data(), (2 * s + k) * per, (2 * s + k + 1) * per);
            }
        }
        return out;
    }
}
