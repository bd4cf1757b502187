package io.github.ane4j.demo;

/**
 * A linear layer without bias on channel-first activations: {@code x} is {@code [in][seq]} (element
 * (i, t) at {@code i·seq + t}), {@code W} is row-major {@code [out][in]}, {@code y = W·x} is
 * {@code [out][seq]}. Each of the three products is one {@link Matrices#multiply}; the gradients first
 * transpose an operand so every product runs along contiguous rows.
 */
final class Linear {
    private Linear() {}

    /** {@code y = W·x}: {@code y[o][t] = Σ_i W[o][i]·x[i][t]}. Overwrites {@code y}. */
    static void forward(float[] y, float[] w, float[] x, int out, int in, int seq) {
        Matrices.multiply(y, 0, false, w, 0, x, 0, out, in, seq);
    }

    /** {@code dx += Wᵀ·dy}: {@code dx[i][t] += Σ_o W[o][i]·dy[o][t]}, the gradient with respect to {@code x}. */
    static void addInputGradient(float[] dx, float[] w, float[] dy, int out, int in, int seq) {
        Matrices.multiply(dx, 0, true, Matrices.transpose(w, 0, out, in), 0, dy, 0, in, out, seq);
    }

    /** {@code dW += dy·xᵀ}: {@code dW[o][i] += Σ_t dy[o][t]·x[i][t]}, the gradient with respect to {@code W}. */
    static void addWeightGradient(float[] dw, float[] dy, float[] x, int out, int in, int seq) {
        Matrices.multiply(dw, 0, true, dy, 0, Matrices.transpose(x, 0, in, seq), 0, out, seq, in);
    }
}
