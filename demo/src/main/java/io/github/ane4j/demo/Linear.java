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
 * <p>The products use the Vector API ({@code jdk.incubator.vector}): each loop keeps a vector of sums in a
 * register across the whole reduction and stores it once, which the JIT does not do for the same loops
 * written with scalars (several times faster here; {@code LinearBenchmark} measures it). Lanes past the
 * end of a row are masked off.
 */
final class Linear {

    private Linear() {}

    /** {@code y = W·x}: {@code y[o][t] = Σ_i W[o][i]·x[i][t]}. Overwrites {@code y}. */
    static void forward(float[] y, float[] w, float[] x, int out, int in, int seq) {
        for (int o = 0; o < out; o++) {
            for (int t = 0; t < seq; t += LANES) {
                VectorMask<Float> m = SPECIES.indexInRange(t, seq);
                FloatVector sum = FloatVector.zero(SPECIES);
                for (int i = 0; i < in; i++) {
                    sum = FloatVector.fromArray(SPECIES, x, i * seq + t, m).fma(FloatVector.broadcast(SPECIES, w[o * in + i]), sum);
                }
                sum.intoArray(y, o * seq + t, m);
            }
        }
    }

    /** {@code dx += Wᵀ·dy}: {@code dx[i][t] += Σ_o W[o][i]·dy[o][t]}, the gradient with respect to {@code x}. */
    static void addInputGradient(float[] dx, float[] w, float[] dy, int out, int in, int seq) {
        float[] wt = transpose(w, out, in);
        for (int i = 0; i < in; i++) {
            for (int t = 0; t < seq; t += LANES) {
                VectorMask<Float> m = SPECIES.indexInRange(t, seq);
                FloatVector sum = FloatVector.fromArray(SPECIES, dx, i * seq + t, m);
                for (int o = 0; o < out; o++) {
                    sum = FloatVector.fromArray(SPECIES, dy, o * seq + t, m).fma(FloatVector.broadcast(SPECIES, wt[i * out + o]), sum);
                }
                sum.intoArray(dx, i * seq + t, m);
            }
        }
    }

    /**
     * {@code dW += dy·xᵀ}: {@code dW[o][i] += Σ_t dy[o][t]·x[i][t]}, the gradient with respect to {@code W}.
     * Works on {@code xᵀ}, so the sums run along {@code dW}'s rows.
     */
    static void addWeightGradient(float[] dw, float[] dy, float[] x, int out, int in, int seq) {
        float[] xt = transpose(x, in, seq);
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i += LANES) {
                VectorMask<Float> m = SPECIES.indexInRange(i, in);
                FloatVector sum = FloatVector.fromArray(SPECIES, dw, o * in + i, m);
                for (int t = 0; t < seq; t++) {
                    sum = FloatVector.fromArray(SPECIES, xt, t * in + i, m).fma(FloatVector.broadcast(SPECIES, dy[o * seq + t]), sum);
                }
                sum.intoArray(dw, o * in + i, m);
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
