package io.github.ane4j.demo;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Sizes include seq and in that are not multiples of the vector length, so the scalar tails run too. */
class LinearTest {
    private static final int OUT = 7, IN = 19, SEQ = 21;
    private final SplitMix64 random = new SplitMix64(7);
    private final float[] w = GradientCheck.random(random, OUT * IN, 1), x = GradientCheck.random(random, IN * SEQ, 1);

    @Test
    void forwardIsTheMatrixProductOfRowMajorWeightsAndChannelFirstActivations() {
        float[] y = new float[OUT * SEQ];
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
        float[] r = GradientCheck.random(random, OUT * SEQ, 1), y = new float[OUT * SEQ];
        float[] dx = new float[IN * SEQ];
        java.util.Arrays.fill(dx, 0.5f);
        Linear.addInputGradient(dx, w, r, OUT, IN, SEQ);
        for (int i = 0; i < dx.length; i++) dx[i] -= 0.5f;
        GradientCheck.check("x", x, dx, () -> {
            Linear.forward(y, w, x, OUT, IN, SEQ);
            return GradientCheck.dot(r, y);
        }, 1000, random);
    }

    @Test
    void weightGradientMatchesFiniteDifferencesAndAddsToWhatIsThere() {
        float[] r = GradientCheck.random(random, OUT * SEQ, 1), y = new float[OUT * SEQ];
        float[] dw = new float[OUT * IN];
        java.util.Arrays.fill(dw, 0.5f);
        Linear.addWeightGradient(dw, r, x, OUT, IN, SEQ);
        for (int i = 0; i < dw.length; i++) dw[i] -= 0.5f;
        GradientCheck.check("W", w, dw, () -> {
            Linear.forward(y, w, x, OUT, IN, SEQ);
            return GradientCheck.dot(r, y);
        }, 1000, random);
    }
}
