package io.assay.framework.world;

/**
 * Least squares with a ridge term, accumulated one example at a time: the normal equations XᵀX and XᵀY are summed in
 * a fixed order (so builds are reproducible) and solved once by Cholesky, with λ relative to the mean diagonal of XᵀX
 * so one setting suits inputs of any scale. Callers append a constant 1 to x when they want a bias.
 */
final class RidgeFit {

    private final int inputs;
    private final int outputs;
    private final double[][] xtx;
    private final double[][] xty;

    RidgeFit(int inputs, int outputs) {
        this.inputs = inputs;
        this.outputs = outputs;
        this.xtx = new double[inputs][inputs];
        this.xty = new double[inputs][outputs];
    }

    /** Adds one example: {@code x} has {@code inputs} values, {@code y} has {@code outputs}. */
    void add(double[] x, double[] y) {
        for (int a = 0; a < inputs; a++) {
            double xa = x[a];
            if (xa == 0) {
                continue;
            }
            double[] row = xtx[a];
            for (int b = a; b < inputs; b++) {
                row[b] += xa * x[b];
            }
            double[] out = xty[a];
            for (int c = 0; c < outputs; c++) {
                out[c] += xa * y[c];
            }
        }
    }

    /** The weights [inputs][outputs] minimising ‖XW − Y‖² + λ·mean(diag XᵀX)·‖W‖². */
    double[][] solve(double relativeLambda) {
        double[][] a = new double[inputs][inputs];
        double trace = 0;
        for (int i = 0; i < inputs; i++) {
            trace += xtx[i][i];
        }
        double ridge = relativeLambda * trace / inputs;
        for (int i = 0; i < inputs; i++) {
            for (int j = i; j < inputs; j++) {
                a[i][j] = xtx[i][j];
                a[j][i] = xtx[i][j];
            }
            a[i][i] += ridge;
        }
        return Linalg.solveSpd(a, xty);
    }
}
