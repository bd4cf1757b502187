package io.github.ane4j.demo;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CausalAttentionTest {
    private static final int HEADS = 2, HEAD_DIM = 3, DIM = HEADS * HEAD_DIM, SEQ = 37; // several vector blocks, the last one partial
    private final SplitMix64 random = new SplitMix64(13);
    private final float[] q = GradientCheck.random(random, DIM * SEQ, 1.5), k = GradientCheck.random(random, DIM * SEQ, 1.5);
    private final float[] v = GradientCheck.random(random, DIM * SEQ, 1), r = GradientCheck.random(random, DIM * SEQ, 1);
    private final float[] out = new float[DIM * SEQ], p = new float[HEADS * SEQ * SEQ];

    @Test
    void eachPositionAveragesTheValuesOfItselfAndEarlierPositionsOfItsHead() {
        CausalAttention.forward(out, p, q, k, v, HEADS, HEAD_DIM, SEQ);
        for (int h = 0; h < HEADS; h++) {
            for (int t = 0; t < SEQ; t++) {
                double[] weights = new double[t + 1];
                double sum = 0;
                for (int s = 0; s <= t; s++) {
                    double score = 0;
                    for (int d = 0; d < HEAD_DIM; d++) score += q[(h * HEAD_DIM + d) * SEQ + t] * k[(h * HEAD_DIM + d) * SEQ + s];
                    weights[s] = Math.exp(score / Math.sqrt(HEAD_DIM));
                    sum += weights[s];
                }
                for (int d = 0; d < HEAD_DIM; d++) {
                    int c = h * HEAD_DIM + d;
                    double expected = 0;
                    for (int s = 0; s <= t; s++) expected += weights[s] / sum * v[c * SEQ + s];
                    assertEquals(expected, out[c * SEQ + t], 1e-5, "out[" + c + "][" + t + "]");
                }
            }
        }
    }

    @Test
    void gradientsOfQueriesKeysAndValuesMatchFiniteDifferences() {
        CausalAttention.forward(out, p, q, k, v, HEADS, HEAD_DIM, SEQ);
        float[] dq = new float[DIM * SEQ], dk = new float[DIM * SEQ], dv = new float[DIM * SEQ];
        CausalAttention.backward(dq, dk, dv, r, p, q, k, v, HEADS, HEAD_DIM, SEQ);
        GradientCheck.check("q", q, dq, this::objective, 100, random);
        GradientCheck.check("k", k, dk, this::objective, 100, random);
        GradientCheck.check("v", v, dv, this::objective, 100, random);
    }

    private double objective() {
        CausalAttention.forward(out, p, q, k, v, HEADS, HEAD_DIM, SEQ);
        return GradientCheck.dot(r, out);
    }
}
