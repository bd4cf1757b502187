package io.github.ane4j.demo;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

import static io.github.ane4j.demo.Vectors.LANES;
import static io.github.ane4j.demo.Vectors.SPECIES;

/**
 * A linear layer without bias on channel-first activations: {@code x} is {@code [in][seq]} (element
 * (i, t) at {@code i·seq + t}), {@code W} is row-major {@code [out][in]}, {@code y = W·x} is
 * {@code [out][seq]}.
 *
 * <p>All three are one matrix product, with the Vector API ({@code jdk.incubator.vector}): it keeps a
 * vector of sums in a register across the whole reduction and stores it once, which the JIT does not do
 * for the same loops written with scalars (4 to 9 times faster here; {@code VectorApiBenchmark} in the
 * test sources measures it). The input and weight gradients first transpose an operand, so every
 * product runs along contiguous rows. Lanes past the end of a row are masked off.
 */
final class Linear {
    private Linear() {}

    /** {@code y = W·x}: {@code y[o][t] = Σ_i W[o][i]·x[i][t]}. Overwrites {@code y}. */
    static void forward(float[] y, float[] w, float[] x, int out, int in, int seq) {
        multiply(y, false, w, x, out, in, seq);
    }

    /** {@code dx += Wᵀ·dy}: {@code dx[i][t] += Σ_o W[o][i]·dy[o][t]}, the gradient with respect to {@code x}. */
    static void addInputGradient(float[] dx, float[] w, float[] dy, int out, int in, int seq) {
        multiply(dx, true, transpose(w, out, in), dy, in, out, seq);
    }

    /** {@code dW += dy·xᵀ}: {@code dW[o][i] += Σ_t dy[o][t]·x[i][t]}, the gradient with respect to {@code W}. */
    static void addWeightGradient(float[] dw, float[] dy, float[] x, int out, int in, int seq) {
        multiply(dw, true, dy, transpose(x, in, seq), out, seq, in);
    }

    /**
     * {@code c = A·B} ({@code c += A·B} when {@code accumulate}) for row-major {@code A [rows][inner]},
     * {@code B [inner][cols]}, {@code c [rows][cols]}: per vector of columns, one register of sums across the
     * whole inner dimension.
     */
    private static void multiply(float[] c, boolean accumulate, float[] a, float[] b, int rows, int inner, int cols) {
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j += LANES) {
                VectorMask<Float> m = SPECIES.indexInRange(j, cols);
                FloatVector sum = accumulate ? FloatVector.fromArray(SPECIES, c, r * cols + j, m) : FloatVector.zero(SPECIES);
                for (int i = 0; i < inner; i++) {
                    sum = FloatVector.fromArray(SPECIES, b, i * cols + j, m).fma(FloatVector.broadcast(SPECIES, a[r * inner + i]), sum);
                }
                sum.intoArray(c, r * cols + j, m);
            }
        }
    }

    /** The transpose of the row-major {@code rows × cols} matrix {@code a}. */
    private static float[] transpose(float[] a, int rows, int cols) {
        float[] t = new float[cols * rows];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) t[c * rows + r] = a[r * cols + c];
        }
        return t;
    }
}
