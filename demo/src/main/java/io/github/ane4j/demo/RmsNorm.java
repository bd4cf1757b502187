package io.github.ane4j.demo;

/**
 * RMSNorm over the channels of each position, on channel-first activations {@code [channels][seq]}:
 * {@code y[c][t] = x[c][t]·r[t]·w[c]} with {@code r[t] = 1/√(Σ_c x[c][t]²/channels + ε)}, ε =
 * {@link ModelConfig#NORM_EPS}.
 */
final class RmsNorm {
    private RmsNorm() {}

    /** {@code y = rmsnorm(x)·w}. Overwrites {@code y}. */
    static void forward(float[] y, float[] x, float[] w, int channels, int seq) {
        float[] r = inverseRms(x, channels, seq);
        for (int c = 0; c < channels; c++) {
            int row = c * seq;
            for (int t = 0; t < seq; t++) y[row + t] = x[row + t] * r[t] * w[c];
        }
    }

    /**
     * The gradient with respect to {@code x}, given {@code dy}:
     * {@code dx[c][t] = r·w[c]·dy[c][t] − x[c][t]·r³/channels·Σ_k dy[k][t]·w[k]·x[k][t]}. Overwrites {@code dx}.
     */
    static void backward(float[] dx, float[] dy, float[] x, float[] w, int channels, int seq) {
        float[] r = inverseRms(x, channels, seq);
        float[] dot = new float[seq]; // Σ_k dy·w·x per position
        for (int c = 0; c < channels; c++) {
            int row = c * seq;
            for (int t = 0; t < seq; t++) dot[t] += dy[row + t] * w[c] * x[row + t];
        }
        float[] coefficient = new float[seq];
        for (int t = 0; t < seq; t++) coefficient[t] = r[t] * r[t] * r[t] * dot[t] / channels;
        for (int c = 0; c < channels; c++) {
            int row = c * seq;
            for (int t = 0; t < seq; t++) dx[row + t] = r[t] * w[c] * dy[row + t] - x[row + t] * coefficient[t];
        }
    }

    /** {@code dw[c] += Σ_t dy[c][t]·x[c][t]·r[t]}: the gradient with respect to the gain. Adds to {@code dw}. */
    static void addWeightGradient(float[] dw, float[] dy, float[] x, int channels, int seq) {
        float[] r = inverseRms(x, channels, seq);
        for (int c = 0; c < channels; c++) {
            int row = c * seq;
            float sum = 0;
            for (int t = 0; t < seq; t++) sum += dy[row + t] * x[row + t] * r[t];
            dw[c] += sum;
        }
    }

    /** {@code r[t] = 1/√(mean_c x[c][t]² + ε)}. */
    private static float[] inverseRms(float[] x, int channels, int seq) {
        float[] r = new float[seq];
        for (int c = 0; c < channels; c++) {
            int row = c * seq;
            for (int t = 0; t < seq; t++) r[t] += x[row + t] * x[row + t];
        }
        for (int t = 0; t < seq; t++) r[t] = (float) (1.0 / Math.sqrt(r[t] / channels + ModelConfig.NORM_EPS));
        return r;
    }
}
