package io.assay.framework.world;

/**
 * The little dense linear algebra the world compiler needs (a symmetric eigendecomposition, a ridge solve), in plain
 * Java with a fixed operation order so builds are byte-for-byte reproducible. Matrices are small (≤ 257×257); no
 * library on the host's class path offers these, and pulling one in for two routines is not worth it.
 */
public final class Linalg {

    private Linalg() {
    }

    /**
     * Eigendecomposition of a symmetric matrix by cyclic Jacobi rotations.
     *
     * @return {values, vectors}: values[k] and column k of vectors (vectors[i][k]), sorted by decreasing value, each
     *     vector's largest-magnitude entry made positive (a fixed sign)
     */
    static double[][][] symmetricEigen(double[][] a) {
        int n = a.length;
        double[][] m = new double[n][];
        for (int i = 0; i < n; i++) {
            m[i] = a[i].clone();
        }
        double[][] v = new double[n][n];
        for (int i = 0; i < n; i++) {
            v[i][i] = 1;
        }
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0;
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    off += m[p][q] * m[p][q];
                }
            }
            if (off < 1e-22) {
                break;
            }
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    if (Math.abs(m[p][q]) < 1e-300) {
                        continue;
                    }
                    double theta = (m[q][q] - m[p][p]) / (2 * m[p][q]);
                    double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    if (theta == 0) {
                        t = 1;
                    }
                    double c = 1 / Math.sqrt(t * t + 1);
                    double s = t * c;
                    for (int k = 0; k < n; k++) {
                        double mkp = m[k][p];
                        double mkq = m[k][q];
                        m[k][p] = c * mkp - s * mkq;
                        m[k][q] = s * mkp + c * mkq;
                    }
                    for (int k = 0; k < n; k++) {
                        double mpk = m[p][k];
                        double mqk = m[q][k];
                        m[p][k] = c * mpk - s * mqk;
                        m[q][k] = s * mpk + c * mqk;
                    }
                    for (int k = 0; k < n; k++) {
                        double vkp = v[k][p];
                        double vkq = v[k][q];
                        v[k][p] = c * vkp - s * vkq;
                        v[k][q] = s * vkp + c * vkq;
                    }
                }
            }
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (x, y) -> Double.compare(m[y][y], m[x][x]));
        double[][] values = new double[1][n];
        double[][] vectors = new double[n][n];
        for (int k = 0; k < n; k++) {
            int src = order[k];
            values[0][k] = m[src][src];
            int big = 0;
            for (int i = 1; i < n; i++) {
                if (Math.abs(v[i][src]) > Math.abs(v[big][src])) {
                    big = i;
                }
            }
            double sign = v[big][src] < 0 ? -1 : 1;
            for (int i = 0; i < n; i++) {
                vectors[i][k] = sign * v[i][src];
            }
        }
        return new double[][][] {values, vectors};
    }

    /** Solves the symmetric positive definite system {@code a x = b} (b has several columns) by Cholesky. */
    public static double[][] solveSpd(double[][] a, double[][] b) {
        int n = a.length;
        double[][] l = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double s = a[i][j];
                for (int k = 0; k < j; k++) {
                    s -= l[i][k] * l[j][k];
                }
                if (i == j) {
                    if (s <= 0) {
                        throw new IllegalStateException("matrix is not positive definite at row " + i);
                    }
                    l[i][i] = Math.sqrt(s);
                } else {
                    l[i][j] = s / l[j][j];
                }
            }
        }
        int m = b[0].length;
        double[][] x = new double[n][m];
        for (int c = 0; c < m; c++) {
            double[] y = new double[n];
            for (int i = 0; i < n; i++) {
                double s = b[i][c];
                for (int k = 0; k < i; k++) {
                    s -= l[i][k] * y[k];
                }
                y[i] = s / l[i][i];
            }
            for (int i = n - 1; i >= 0; i--) {
                double s = y[i];
                for (int k = i + 1; k < n; k++) {
                    s -= l[k][i] * x[k][c];
                }
                x[i][c] = s / l[i][i];
            }
        }
        return x;
    }
}
