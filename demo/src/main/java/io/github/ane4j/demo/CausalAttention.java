package io.github.ane4j.demo;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

import java.util.Arrays;

import static io.github.ane4j.demo.Vectors.LANES;
import static io.github.ane4j.demo.Vectors.SPECIES;

/**
 * Multi-head causal softmax attention on channel-first {@code q, k, v [dim][seq]}. Head h owns channels
 * {@code h·headDim … h·headDim + headDim − 1}; query position t attends to key positions s ≤ t with
 * {@code p[s][t] = softmax over s of (Σ_d q[d][t]·k[d][s] / √headDim)} and
 * {@code out[d][t] = Σ_s v[d][s]·p[s][t]}.
 *
 * <p>The probabilities are kept as {@code [heads][seq][seq]}, row s (key), column t (query), zero where
 * s &gt; t, for the backward pass. With queries along the rows' contiguous axis, every loop runs over a
 * vector of query positions (Vector API, see {@link Linear}) and each query's softmax is a pass down its
 * column; lanes past {@code seq} are masked off.
 */
final class CausalAttention {
    private CausalAttention() {}

    /** Fills {@code out} and the probabilities {@code p}. Overwrites both. */
    static void forward(float[] out, float[] p, float[] q, float[] k, float[] v, int heads, int headDim, int seq) {
        float scale = (float) (1.0 / Math.sqrt(headDim));
        Arrays.fill(p, 0, heads * seq * seq, 0f);
        for (int h = 0; h < heads; h++) {
            int head = h * seq * seq, channel = h * headDim;
            products(p, head, k, q, channel, headDim, seq, scale);
            for (int s = 0; s < seq; s++) Arrays.fill(p, head + s * seq + firstBlock(s), head + s * seq + s, Float.NEGATIVE_INFINITY);
            softmaxColumns(p, head, seq);
            weightedSums(out, v, p, head, channel, headDim, seq);
        }
    }

    /**
     * The gradients with respect to q, k and v, given {@code dout} and the forward's probabilities {@code p}:
     * {@code dv[d][s] = Σ_t p[s][t]·dout[d][t]}, {@code dp[s][t] = Σ_d v[d][s]·dout[d][t]},
     * {@code ds[s][t] = p[s][t]·(dp[s][t] − Σ_s' p[s'][t]·dp[s'][t]) / √headDim},
     * {@code dq[d][t] = Σ_s k[d][s]·ds[s][t]}, {@code dk[d][s] = Σ_t ds[s][t]·q[d][t]}.
     * Overwrites {@code dq, dk, dv}.
     */
    static void backward(float[] dq, float[] dk, float[] dv, float[] dout, float[] p,
                         float[] q, float[] k, float[] v, int heads, int headDim, int seq) {
        float scale = (float) (1.0 / Math.sqrt(headDim));
        float[] ds = new float[seq * seq];
        for (int h = 0; h < heads; h++) {
            int head = h * seq * seq, channel = h * headDim;
            for (int d = 0; d < headDim; d++) {
                int c = (channel + d) * seq;
                for (int s = 0; s < seq; s++) dv[c + s] = dot(p, head + s * seq, dout, c, firstBlock(s), seq);
            }
            Arrays.fill(ds, 0f);
            products(ds, 0, v, dout, channel, headDim, seq, 1f); // dp, where p > 0
            for (int t = 0; t < seq; t += LANES) {                // ds = p·(dp − Σ_s p·dp)·scale, column by column
                VectorMask<Float> m = SPECIES.indexInRange(t, seq);
                int keys = Math.min(seq, t + LANES);
                FloatVector dot = FloatVector.zero(SPECIES);
                for (int s = 0; s < keys; s++) {
                    dot = FloatVector.fromArray(SPECIES, p, head + s * seq + t, m).fma(FloatVector.fromArray(SPECIES, ds, s * seq + t, m), dot);
                }
                for (int s = 0; s < keys; s++) {
                    FloatVector dp = FloatVector.fromArray(SPECIES, ds, s * seq + t, m);
                    FloatVector.fromArray(SPECIES, p, head + s * seq + t, m).mul(dp.sub(dot)).mul(scale).intoArray(ds, s * seq + t, m);
                }
            }
            weightedSums(dq, k, ds, 0, channel, headDim, seq);
            for (int d = 0; d < headDim; d++) {
                int c = (channel + d) * seq;
                for (int s = 0; s < seq; s++) dk[c + s] = dot(ds, s * seq, q, c, firstBlock(s), seq);
            }
        }
    }

    /**
     * {@code dst[s][t] = scale·Σ_d rows[d][s]·columns[d][t]} over the head's channels, for every key s and
     * the query blocks from {@link #firstBlock}(s) (the entries t &lt; s of that first block are computed too).
     */
    private static void products(float[] dst, int base, float[] rows, float[] columns, int channel, int headDim, int seq,
                                 float scale) {
        for (int s = 0; s < seq; s++) {
            for (int t = firstBlock(s); t < seq; t += LANES) {
                VectorMask<Float> m = SPECIES.indexInRange(t, seq);
                FloatVector sum = FloatVector.zero(SPECIES);
                for (int d = 0; d < headDim; d++) {
                    int c = (channel + d) * seq;
                    sum = FloatVector.fromArray(SPECIES, columns, c + t, m).fma(FloatVector.broadcast(SPECIES, rows[c + s]), sum);
                }
                sum.mul(scale).intoArray(dst, base + s * seq + t, m);
            }
        }
    }

    /** The softmax of every column t of {@code p[s][t]} over the keys s &lt;= t (entries −∞ elsewhere in range). */
    private static void softmaxColumns(float[] p, int base, int seq) {
        for (int t = 0; t < seq; t += LANES) {
            VectorMask<Float> m = SPECIES.indexInRange(t, seq);
            int keys = Math.min(seq, t + LANES);
            FloatVector max = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
            for (int s = 0; s < keys; s++) max = max.max(FloatVector.fromArray(SPECIES, p, base + s * seq + t, m));
            FloatVector total = FloatVector.zero(SPECIES);
            for (int s = 0; s < keys; s++) {
                FloatVector e = Vectors.exp(FloatVector.fromArray(SPECIES, p, base + s * seq + t, m).sub(max));
                e.intoArray(p, base + s * seq + t, m);
                total = total.add(e);
            }
            FloatVector inverse = FloatVector.broadcast(SPECIES, 1f).div(total);
            for (int s = 0; s < keys; s++) {
                FloatVector.fromArray(SPECIES, p, base + s * seq + t, m).mul(inverse).intoArray(p, base + s * seq + t, m);
            }
        }
    }

    /** {@code dst[d][t] = Σ_s x[d][s]·w[s][t]} over the head's channels d and the keys s of each query block. */
    private static void weightedSums(float[] dst, float[] x, float[] w, int base, int channel, int headDim, int seq) {
        for (int d = 0; d < headDim; d++) {
            int c = (channel + d) * seq;
            for (int t = 0; t < seq; t += LANES) {
                VectorMask<Float> m = SPECIES.indexInRange(t, seq);
                int keys = Math.min(seq, t + LANES);
                FloatVector sum = FloatVector.zero(SPECIES);
                for (int s = 0; s < keys; s++) {
                    sum = FloatVector.fromArray(SPECIES, w, base + s * seq + t, m).fma(FloatVector.broadcast(SPECIES, x[c + s]), sum);
                }
                sum.intoArray(dst, c + t, m);
            }
        }
    }

    /** The first vector block of query positions that can attend to key {@code s} (queries t >= s). */
    private static int firstBlock(int s) { return s - s % LANES; }

    /** {@code Σ_t a[aRow + t]·b[bRow + t]} over t from {@code from} to {@code seq}. */
    private static float dot(float[] a, int aRow, float[] b, int bRow, int from, int seq) {
        FloatVector sum = FloatVector.zero(SPECIES);
        for (int t = from; t < seq; t += LANES) {
            VectorMask<Float> m = SPECIES.indexInRange(t, seq);
            sum = FloatVector.fromArray(SPECIES, a, aRow + t, m).fma(FloatVector.fromArray(SPECIES, b, bRow + t, m), sum);
        }
        return Vectors.sum(sum);
    }
}
