package io.github.ane4j.demo;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Sizes include seq and in that are not multiples of the vector length, so the scalar tails run too. */
class LinearTest {
    private static final int OUT = 7, IN = 19, SEQ = 21; // OUT: a partial group of four rows; IN, SEQ: partial vectors
    private final SplitMix64 random = new SplitMix64(7);
    private final float[] w = GradientCheck.random(random, OUT * IN, 1), x = GradientCheck.random(random, IN * SEQ, 1);
    private final float[] r = GradientCheck.random(random, OUT * SEQ, 1), y = new float[OUT * SEQ];

    @Test
    void forwardIsTheMatrixProductOfRowMajorWeightsAndChannelFirstActivations() {
        Linear.forward(y, w, x, OUT, IN, SEQ);
        for (int o = 0; o < OUT; o++) {
            for (int t = 0; t < SEQ; t++) {
                double sum = 0;
                for (int i = 0; i < IN; i++) sum += (double) w[o * IN + i] * x[i * SEQ + t];
                assertEquals(sum, y[o * SEQ + t], 1e-5, "y[" + o + "][" + t + "]");
            }
        }
    }

    @Test
    void inputGradientMatchesFiniteDifferencesAndAddsToWhatIsThere() {
        float[] dx = filled(IN * SEQ, 0.5f);
        Linear.addInputGradient(dx, w, r, OUT, IN, SEQ);
        GradientCheck.check("x", x, minus(dx, 0.5f), this::objective, 1000, random);
    }

    @Test
    void weightGradientMatchesFiniteDifferencesAndAddsToWhatIsThere() {
        float[] dw = filled(OUT * IN, 0.5f);
        Linear.addWeightGradient(dw, r, x, OUT, IN, SEQ);
        GradientCheck.check("W", w, minus(dw, 0.5f), this::objective, 1000, random);
    }

    /** Σ r·(W·x): its gradient with respect to W·x is r. */
    private double objective() {
        Linear.forward(y, w, x, OUT, IN, SEQ);
        return GradientCheck.dot(r, y);
    }

    private static float[] filled(int n, float value) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, value);
        return a;
    }

    private static float[] minus(float[] a, float value) {
        for (int i = 0; i < a.length; i++) a[i] -= value;
        return a;
    }
}
