package io.assay.plugins.noise;

/**
 * The 32-bit Mersenne Twister (Matsumoto and Nishimura 1998), seeded the way PyTorch's {@code at::mt19937} is:
 * the 64-bit seed is truncated to its low 32 bits and expanded with Knuth's multiplier {@code 1812433253}.
 * The output sequence equals {@code std::mt19937} for the same 32-bit seed.
 *
 * <p>Written here rather than taken from a library: the algorithm is 40 lines, and the seeding must match
 * PyTorch's exactly (Apache Commons RNG's {@code MersenneTwister} seeds from an {@code int[]} with
 * {@code init_by_array}, which gives a different state for the same number).
 */
final class Mt19937 {

    private static final int N = 624;
    private static final int M = 397;
    private static final int MATRIX_A = 0x9908b0df;
    private static final int UPPER_MASK = 0x80000000;
    private static final int LOWER_MASK = 0x7fffffff;

    private final int[] state = new int[N];
    private int next;

    /** Seeds with the low 32 bits of {@code seed}, as {@code torch.manual_seed(seed)} does. */
    Mt19937(long seed) {
        state[0] = (int) seed;
        for (int j = 1; j < N; j++) {
            int prev = state[j - 1];
            state[j] = 1812433253 * (prev ^ (prev >>> 30)) + j;
        }
        next = N;
    }

    /** The next 32 random bits, as an unsigned value in a {@code long}. */
    long nextUnsigned32() {
        return nextInt() & 0xffffffffL;
    }

    /** The next 32 random bits. */
    int nextInt() {
        if (next >= N) {
            twist();
        }
        int y = state[next++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        return y;
    }

    private void twist() {
        for (int k = 0; k < N; k++) {
            int y = (state[k] & UPPER_MASK) | (state[(k + 1) % N] & LOWER_MASK);
            state[k] = state[(k + M) % N] ^ (y >>> 1) ^ ((y & 1) != 0 ? MATRIX_A : 0);
        }
        next = 0;
    }
}
