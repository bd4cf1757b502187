package io.github.ane4j.demo;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

import java.util.Arrays;

import static io.github.ane4j.demo.Vectors.LANES;
import static io.github.ane4j.demo.Vectors.SPECIES;

/**
 * Multi-head causal softmax attention on channel-first {@code q, k, v [dim][seq]}. Head h owns channels
 * {@code h·headDim … h·headDim + headDim − 1}, the rows {@code [headDim][seq]} at {@code h·headDim·seq};
 * query position t attends to key positions s ≤ t with
 * {@code p[s][t] = softmax over s of (Σ_d k[d][s]·q[d][t] / √headDim)} and
 * {@code out[d][t] = Σ_s v[d][s]·p[s][t]}.
 *
 * <p>Every step is a {@link Matrices#multiply} of a head's rows (the masked half included: it costs less
 * than skipping it in scalar loops) or a pass down the columns of {@code p}. The probabilities are kept as
 * {@code [heads][seq][seq]}, row s (key), column t (query), zero where s &gt; t, for the backward pass.
 */
final class CausalAttention {
    private CausalAttention() {}

    /** Fills {@code out} and the probabilities {@code p}. Overwrites both. */
    static void forward(float[] out, float[] p, float[] q, float[] k, float[] v, int heads, int headDim, int seq) {
        float scale = (float) (1.0 / Math.sqrt(headDim));
        for (int h = 0; h < heads; h++) {
            int rows = h * headDim * seq, head = h * seq * seq;
            float[] kt = Matrices.transpose(k, rows, headDim, seq);
            Matrices.multiply(p, head, false, kt, 0, q, rows, seq, headDim, seq);     // p[s][t] = Σ_d k[d][s]·q[d][t]
            for (int s = 0; s < seq; s++) Arrays.fill(p, head + s * seq, head + s * seq + s, Float.NEGATIVE_INFINITY); // t < s
            softmaxColumns(p, head, seq, scale);
            Matrices.multiply(out, rows, false, v, rows, p, head, headDim, seq, seq); // out[d][t] = Σ_s v[d][s]·p[s][t]
        }
    }

    /**
     * The gradients with respect to q, k and v, given {@code dout} and the forward's probabilities {@code p}:
     * {@code dv[d][s] = Σ_t dout[d][t]·p[s][t]}, {@code dp[s][t] = Σ_d v[d][s]·dout[d][t]},
     * {@code ds[s][t] = p[s][t]·(dp[s][t] − Σ_s' p[s'][t]·dp[s'][t]) / √headDim},
     * {@code dq[d][t] = Σ_s k[d][s]·ds[s][t]}, {@code dk[d][s] = Σ_t q[d][t]·ds[s][t]}.
     * Overwrites {@code dq, dk, dv}.
     */
    static void backward(float[] dq, float[] dk, float[] dv, float[] dout, float[] p,
                         float[] q, float[] k, float[] v, int heads, int headDim, int seq) {
        float scale = (float) (1.0 / Math.sqrt(headDim));
        float[] ds = new float[seq * seq];
        for (int h = 0; h < heads; h++) {
            int rows = h * headDim * seq, head = h * seq * seq;
            Matrices.multiply(dv, rows, false, dout, rows, Matrices.transpose(p, head, seq, seq), 0, headDim, seq, seq);
            Matrices.multiply(ds, 0, false, Matrices.transpose(v, rows, headDim, seq), 0, dout, rows, seq, headDim, seq); // dp
            softmaxBackwardColumns(ds, p, head, seq, scale);
            Matrices.multiply(dq, rows, false, k, rows, ds, 0, headDim, seq, seq);
            Matrices.multiply(dk, rows, false, q, rows, Matrices.transpose(ds, 0, seq, seq), 0, headDim, seq, seq);
        }
    }

    /**
     * Replaces each column t of the scores {@code p[s][t]} (−∞ where masked) by {@code softmax over s of
     * (p[s][t]·scale)}, a vector of columns at a time.
     */
    private static void softmaxColumns(float[] p, int base, int seq, float scale) {
        for (int t = 0; t < seq; t += LANES) {
            VectorMask<Float> m = SPECIES.indexInRange(t, seq);
            FloatVector max = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
            for (int s = 0; s < seq; s++) max = max.max(FloatVector.fromArray(SPECIES, p, base + s * seq + t, m));
            FloatVector total = FloatVector.zero(SPECIES);
            for (int s = 0; s < seq; s++) {
                FloatVector e = Vectors.exp(FloatVector.fromArray(SPECIES, p, base + s * seq + t, m).sub(max).mul(scale));
                e.intoArray(p, base + s * seq + t, m);
                total = total.add(e);
            }
            FloatVector inverse = FloatVector.broadcast(SPECIES, 1f).div(total);
            for (int s = 0; s < seq; s++) {
                FloatVector.fromArray(SPECIES, p, base + s * seq + t, m).mul(inverse).intoArray(p, base + s * seq + t, m);
            }
        }
    }

    /** Replaces {@code dp[s][t]} by {@code ds = p·(dp − Σ_s p·dp)·scale}, column by column. */
    private static void softmaxBackwardColumns(float[] dp, float[] p, int base, int seq, float scale) {
        for (int t = 0; t < seq; t += LANES) {
            VectorMask<Float> m = SPECIES.indexInRange(t, seq);
            FloatVector dot = FloatVector.zero(SPECIES);
            for (int s = 0; s < seq; s++) {
                dot = FloatVector.fromArray(SPECIES, p, base + s * seq + t, m).fma(FloatVector.fromArray(SPECIES, dp, s * seq + t, m), dot);
            }
            for (int s = 0; s < seq; s++) {
                FloatVector g = FloatVector.fromArray(SPECIES, dp, s * seq + t, m);
                FloatVector.fromArray(SPECIES, p, base + s * seq + t, m).mul(g.sub(dot)).mul(scale).intoArray(dp, s * seq + t, m);
            }
        }
    }
}
