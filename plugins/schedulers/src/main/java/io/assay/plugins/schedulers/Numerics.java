package io.assay.plugins.schedulers;

/**
 * The few NumPy and PyTorch routines diffusers' schedulers build their tables with, reproduced operation by
 * operation so that the tables agree with diffusers' to the bit (or to the last float32 ulp), not just in value.
 * Written here because no Java library reproduces NumPy's or PyTorch's exact rounding.
 */
final class Numerics {

    /** Lanes of PyTorch's AVX2 {@code Vectorized<float>}. */
    private static final int TORCH_VEC = 8;

    private Numerics() {
    }

    /**
     * {@code torch.linspace(start, end, steps, dtype=float32)} as PyTorch 1.13's AVX2 CPU kernel computes it: blocks
     * of 8 lanes from a base {@code start + step·i} (or {@code end − step·(steps−i−1)} past the middle), evaluated
     * with fused multiply-adds, two blocks per loop iteration, the tail element by element.
     */
    static float[] torchLinspace(float start, float end, int steps) {
        float[] out = new float[steps];
        if (steps == 1) {
            out[0] = start;
            return out;
        }
        float step = (end - start) / (float) (steps - 1);
        int halfway = steps / 2;
        int i = 0;
        // The vectorized loop takes two blocks of 8 per iteration while 16 elements remain; the rest is scalar.
        for (; i <= steps - 2 * TORCH_VEC; i += 2 * TORCH_VEC) {
            for (int block = i; block < i + 2 * TORCH_VEC; block += TORCH_VEC) {
                float base = torchLinspaceElement(start, end, step, steps, halfway, block);
                for (int k = 0; k < TORCH_VEC; k++) {
                    out[block + k] = Math.fma((float) k, step, base);
                }
            }
        }
        for (; i < steps; i++) {
            out[i] = torchLinspaceElement(start, end, step, steps, halfway, i);
        }
        return out;
    }

    private static float torchLinspaceElement(float start, float end, float step, int steps, int halfway, int i) {
        return i < halfway ? Math.fma(step, (float) i, start) : Math.fma(-step, (float) (steps - i - 1), end);
    }

    /** {@code numpy.linspace(start, stop, num)} (float64, endpoint included). */
    static double[] linspace(double start, double stop, int num) {
        double[] y = new double[num];
        if (num == 1) {
            y[0] = start;
            return y;
        }
        double step = (stop - start) / (num - 1);
        for (int i = 0; i < num; i++) {
            y[i] = i * step + start;
        }
        y[num - 1] = stop;
        return y;
    }

    /** {@code numpy.arange(start, stop, step)} for float64: the length NumPy computes and its fill rule. */
    static double[] arange(double start, double stop, double step) {
        double len = Math.ceil((stop - start) / step);
        int n = len > 0 ? (int) len : 0;
        double[] a = new double[n];
        if (n == 0) {
            return a;
        }
        a[0] = start;
        if (n > 1) {
            a[1] = start + step;
            double delta = a[1] - a[0];
            for (int i = 2; i < n; i++) {
                a[i] = start + i * delta;
            }
        }
        return a;
    }

    /** NumPy's {@code round}: to the nearest integer, ties to even. */
    static double round(double x) {
        return Math.rint(x);
    }

    /** {@code numpy.interp(x, arange(len(fp)), fp)} in float64. */
    static double interp(double x, float[] fp) {
        int n = fp.length;
        if (Double.isNaN(x)) {
            return x;
        }
        if (x <= 0) {
            return fp[0];
        }
        if (x >= n - 1) {
            return fp[n - 1];
        }
        int j = (int) Math.floor(x);
        if (j == x) {
            return fp[j];
        }
        double slope = ((double) fp[j + 1] - (double) fp[j]) / 1.0;
        return slope * (x - j) + fp[j];
    }

    /** Karras et al. (2022) sigmas, rho 7, from {@code sigmaMax} down to {@code sigmaMin} (diffusers' {@code _convert_to_karras}). */
    static double[] karras(double sigmaMin, double sigmaMax, int n) {
        double rho = 7.0;
        double[] ramp = linspace(0, 1, n);
        double minInvRho = StrictMath.pow(sigmaMin, 1 / rho);
        double maxInvRho = StrictMath.pow(sigmaMax, 1 / rho);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = StrictMath.pow(maxInvRho + ramp[i] * (minInvRho - maxInvRho), rho);
        }
        return out;
    }

    /**
     * The fractional timestep whose log-sigma interpolates {@code sigma} (diffusers' {@code _sigma_to_t}) in a table
     * of float32 log-sigmas ascending with the timestep.
     */
    static double sigmaToT(double sigma, float[] logSigmas) {
        double logSigma = StrictMath.log(Math.max(sigma, 1e-10));
        int n = logSigmas.length;
        int low = 0;
        for (int i = 0; i < n; i++) {
            if (logSigma - logSigmas[i] >= 0) {
                low = i;
            }
        }
        low = Math.min(low, n - 2);
        int high = low + 1;
        float lo = logSigmas[low];
        float hi = logSigmas[high];
        // (low - log_sigma) is float64; (low - high) is a float32 difference, as in NumPy 1.x scalar arithmetic.
        double w = ((double) lo - logSigma) / (double) (lo - hi);
        w = Math.min(Math.max(w, 0), 1);
        return (1 - w) * low + w * high;
    }

    /** {@code x ** 0.5} on a float32 tensor. */
    static float sqrt(float x) {
        return (float) Math.sqrt(x);
    }

    /** {@code torch.log} on a float32 scalar (via {@link StrictMath}, so every platform gets the same bits). */
    static float log(float x) {
        return (float) StrictMath.log(x);
    }

    /** {@code torch.exp} on a float32 scalar (via {@link StrictMath}, so every platform gets the same bits). */
    static float exp(float x) {
        return (float) StrictMath.exp(x);
    }
}
