package io.github.ane4j.demo;

import java.util.Arrays;

/**
 * Multi-head causal softmax attention on channel-first {@code q, k, v [dim][seq]}. Head h owns channels
 * {@code h·headDim … h·headDim + headDim − 1}; position t attends to positions s ≤ t with
 * {@code p[t][s] = softmax_s(Σ_d q[d][t]·k[d][s] / √headDim)} and
 * {@code out[d][t] = Σ_s p[t][s]·v[d][s]}.
 * The probabilities are kept as {@code [heads][seq][seq]} (row t, column s; zero above the diagonal)
 * for the backward pass.
 */
final class CausalAttention {
    private CausalAttention() {}

    /** Fills {@code out} and the probabilities {@code p}. Overwrites both. */
    static void forward(float[] out, float[] p, float[] q, float[] k, float[] v, int heads, int headDim, int seq) {
        float scale = (float) (1.0 / Math.sqrt(headDim));
        Arrays.fill(p, 0, heads * seq * seq, 0f);
        for (int h = 0; h < heads; h++) {
            int head = h * seq * seq;
            for (int d = 0; d < headDim; d++) {
                int row = (h * headDim + d) * seq;
                for (int t = 0; t < seq; t++) {
                    float qv = q[row + t] * scale;
                    int pt = head + t * seq;
                    for (int s = 0; s <= t; s++) p[pt + s] += qv * k[row + s];
                }
            }
            for (int t = 0; t < seq; t++) softmaxInPlace(p, head + t * seq, t + 1);
            for (int d = 0; d < headDim; d++) {
                int row = (h * headDim + d) * seq;
                for (int t = 0; t < seq; t++) {
                    int pt = head + t * seq;
                    float sum = 0;
                    for (int s = 0; s <= t; s++) sum += p[pt + s] * v[row + s];
                    out[row + t] = sum;
                }
            }
        }
    }

    /**
     * The gradients with respect to q, k and v, given {@code dout} and the forward's probabilities {@code p}:
     * {@code dv[d][s] = Σ_t p[t][s]·dout[d][t]}, {@code dp[t][s] = Σ_d dout[d][t]·v[d][s]},
     * {@code ds = p·(dp − Σ_s p·dp)/√headDim}, {@code dq[d][t] = Σ_s ds[t][s]·k[d][s]},
     * {@code dk[d][s] = Σ_t ds[t][s]·q[d][t]}. Overwrites {@code dq, dk, dv}.
     */
    static void backward(float[] dq, float[] dk, float[] dv, float[] dout, float[] p,
                         float[] q, float[] k, float[] v, int heads, int headDim, int seq) {
        float scale = (float) (1.0 / Math.sqrt(headDim));
        int channels = heads * headDim;
        Arrays.fill(dk, 0, channels * seq, 0f);
        Arrays.fill(dv, 0, channels * seq, 0f);
        float[] ds = new float[seq * seq];
        for (int h = 0; h < heads; h++) {
            int head = h * seq * seq;
            Arrays.fill(ds, 0f);
            for (int d = 0; d < headDim; d++) {
                int row = (h * headDim + d) * seq;
                for (int t = 0; t < seq; t++) {
                    float g = dout[row + t];
                    int pt = head + t * seq, st = t * seq;
                    for (int s = 0; s <= t; s++) {
                        ds[st + s] += g * v[row + s];       // dp for now
                        dv[row + s] += p[pt + s] * g;
                    }
                }
            }
            for (int t = 0; t < seq; t++) {
                int pt = head + t * seq, st = t * seq;
                float dot = 0;
                for (int s = 0; s <= t; s++) dot += p[pt + s] * ds[st + s];
                for (int s = 0; s <= t; s++) ds[st + s] = p[pt + s] * (ds[st + s] - dot) * scale;
            }
            for (int d = 0; d < headDim; d++) {
                int row = (h * headDim + d) * seq;
                for (int t = 0; t < seq; t++) {
                    int st = t * seq;
                    float qv = q[row + t], sum = 0;
                    for (int s = 0; s <= t; s++) {
                        sum += ds[st + s] * k[row + s];
                        dk[row + s] += ds[st + s] * qv;
                    }
                    dq[row + t] = sum;
                }
            }
        }
    }

    /** Softmax of {@code values[from .. from + count)} in place, shifted by the maximum for range. */
    private static void softmaxInPlace(float[] values, int from, int count) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = from; i < from + count; i++) max = Math.max(max, values[i]);
        float sum = 0;
        for (int i = from; i < from + count; i++) {
            values[i] = (float) Math.exp(values[i] - max);
            sum += values[i];
        }
        float inverse = 1f / sum;
        for (int i = from; i < from + count; i++) values[i] *= inverse;
    }
}
